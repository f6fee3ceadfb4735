package org.m2mgw.update.internal;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.SSLContext;
import org.m2mgw.update.internal.download.Downloader;

/** The DEPLOY-V2 listings in Kura's XML shapes, and the download TLS settings. */
final class Listings {
    private Listings() {
    }

    /** {@code <packages><package><name/><version/><bundles><bundle><name/><version/></bundle>...} */
    static String packagesXml(UpdateEngine engine) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><packages>");
        for (Installer.InstalledPackage p : engine.installer().packages()) {
            b.append("<package><name>").append(xml(p.name())).append("</name><version>").append(xml(p.version()))
                    .append("</version><bundles>");
            for (String[] bundle : p.bundles()) {
                b.append("<bundle><name>").append(xml(bundle[0])).append("</name><version>").append(xml(bundle[1]))
                        .append("</version></bundle>");
            }
            b.append("</bundles></package>");
        }
        return b.append("</packages>").toString();
    }

    /** {@code <bundles><bundle><name/><version/><id/><state/></bundle>...} */
    static String bundlesXml(Installer installer) {
        StringBuilder b = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?><bundles>");
        for (String[] x : installer.bundles()) {
            b.append("<bundle><name>").append(xml(x[1])).append("</name><version>").append(xml(x[2]))
                    .append("</version><id>").append(x[0]).append("</id><state>").append(x[3])
                    .append("</state></bundle>");
        }
        return b.append("</bundles>").toString();
    }

    static SSLContext tls(UpdateConfig c) throws IOException, GeneralSecurityException {
        if (c.download_truststore().isBlank()) {
            return null;
        }
        return Downloader.trustStore(Path.of(c.download_truststore()), c.download_truststore_password().toCharArray());
    }

    static String xml(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
