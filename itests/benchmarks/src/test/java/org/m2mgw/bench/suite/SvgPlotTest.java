package org.m2mgw.bench.suite;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The chart writer: well-formed XML, the expected elements, log-axis geometry and escaping. */
public class SvgPlotTest {

    private static final String SVG = "http://www.w3.org/2000/svg";
    private static final double NaN = Double.NaN;

    static SvgPlot throughput(String title) {
        return new SvgPlot(title, "devices", "msgs/s").logX(true).logY(false)
                .series("gateway", List.of(new double[] {10, 5000}, new double[] {100, 9000},
                        new double[] {1000, 12000}, new double[] {10000, 12500}))
                .series("bare Scandium", List.of(new double[] {10, 6000}, new double[] {100, 11000},
                        new double[] {1000, NaN}, new double[] {10000, 11500}))
                .target(10000, "target 10,000 msgs/s");
    }

    @Test
    public void logPlotWithGapAndTargetIsWellFormedAndComplete() throws Exception {
        String title = "Secured POSTs <&> fleet size";
        String svg = throughput(title).render();
        Document doc = parse(svg);

        Element root = doc.getDocumentElement();
        assertEquals("svg", root.getLocalName());
        assertEquals(SVG, root.getNamespaceURI());
        // The title survives the round trip, and was escaped on the way.
        assertEquals(title, byTag(doc, "title").get(0).getTextContent());
        assertTrue(svg.contains("Secured POSTs &lt;&amp;&gt; fleet size"));
        assertTrue(texts(doc, "text", null).contains(title));

        // gateway: one unbroken line; bare Scandium: a line over 10..100, then a lone point at 10k.
        assertEquals(2, byClass(doc, "polyline", "line").size());
        assertEquals(7, byClass(doc, "*", "marker").size());
        assertEquals(1, byClass(doc, "*", "dnf").size());
        assertEquals(1, byClass(doc, "line", "target").size());
        assertTrue(texts(doc, "text", "target-label").contains("target 10,000 msgs/s"));
        assertEquals(List.of("gateway", "bare Scandium", "did not complete"), texts(doc, "text", "legend"));

        List<String> ticks = texts(doc, "text", "tick");
        for (String label : List.of("10", "100", "1k", "10k")) {
            assertTrue(label + " in " + ticks, ticks.contains(label));
        }
        // Linear y from zero: 2,500 steps, shown with a k suffix.
        assertTrue(ticks.toString(), ticks.containsAll(List.of("0", "2.5k", "5k", "7.5k", "10k", "12.5k")));

        // Series 0 draws circles: on a log axis 100 sits halfway between 10 and 1000.
        List<Element> dots = byClass(doc, "circle", "marker");
        assertEquals(4, dots.size());
        double x10 = num(dots.get(0), "cx");
        double x100 = num(dots.get(1), "cx");
        double x1000 = num(dots.get(2), "cx");
        assertTrue(x10 < x100 && x100 < x1000);
        assertEquals((x10 + x1000) / 2, x100, 0.11);
        // The "did not complete" x sits on the x axis at 1000.
        String d = byClass(doc, "path", "dnf").get(0).getAttribute("d");
        double dnfX = Double.parseDouble(d.substring(1, d.indexOf(' '))) + 4;
        assertEquals(x1000, dnfX, 0.11);

        assertEquals("output depends on the input alone", svg, throughput(title).render());
    }

    @Test
    public void gridStacksPanelsInOneDocument() throws Exception {
        SvgPlot latency = new SvgPlot("p99 latency", "devices", "ms").logX(true)
                .series("gateway", List.of(new double[] {10, 2.5}, new double[] {100, 3.1}, new double[] {1000, 7.9}))
                .series("bare Scandium", List.of(new double[] {10, 2.1}, new double[] {100, 2.6}, new double[] {1000, NaN}));
        String svg = SvgPlot.grid("Secured POSTs against fleet size", List.of(throughput("throughput"), latency));
        Document doc = parse(svg);

        assertEquals(2, byTag(doc, "g").size());
        assertEquals(40 + 420 + 420, num(doc.getDocumentElement(), "height"), 0);
        assertEquals(4, byClass(doc, "polyline", "line").size());
        assertEquals(12, byClass(doc, "*", "marker").size());
        assertEquals(2, byClass(doc, "*", "dnf").size());
        List<String> ticks = texts(doc, "text", "tick");
        assertTrue(ticks.toString(), ticks.containsAll(List.of("0", "2", "4", "6", "8")));
    }

    @Test
    public void tickLabels() {
        List<String> big = texts(parseQuietly(new SvgPlot("t", "x", "y").logY(true)
                .series("s", List.of(new double[] {1, 50}, new double[] {2, 250_000})).render()), "text", "tick");
        assertTrue(big.toString(), big.containsAll(List.of("10", "100", "1k", "10k", "100k", "1M")));
        List<String> thousands = texts(parseQuietly(new SvgPlot("t", "x", "y")
                .series("s", List.of(new double[] {1, 1200}, new double[] {2, 7100})).render()), "text", "tick");
        assertTrue(thousands.toString(), thousands.containsAll(List.of("0", "2,000", "4,000", "8,000", "1", "1.2", "2")));
    }

    private static Document parse(String svg) throws Exception {
        DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
        f.setNamespaceAware(true);
        f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return f.newDocumentBuilder().parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
    }

    private static Document parseQuietly(String svg) {
        try {
            return parse(svg);
        } catch (Exception e) {
            throw new AssertionError("not well-formed: " + e, e);
        }
    }

    private static List<Element> byTag(Document doc, String tag) {
        NodeList nodes = doc.getElementsByTagNameNS(SVG, tag);
        List<Element> out = new ArrayList<>();
        for (int i = 0; i < nodes.getLength(); i++) {
            out.add((Element) nodes.item(i));
        }
        return out;
    }

    private static List<Element> byClass(Document doc, String tag, String cls) {
        return byTag(doc, tag).stream().filter(e -> cls == null || cls.equals(e.getAttribute("class"))).toList();
    }

    private static List<String> texts(Document doc, String tag, String cls) {
        return byClass(doc, tag, cls).stream().map(Element::getTextContent).toList();
    }

    private static double num(Element e, String attribute) {
        return Double.parseDouble(e.getAttribute(attribute));
    }
}
