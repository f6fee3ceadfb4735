package org.m2mgw.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import javax.inject.Inject;
import org.eclipse.kura.configuration.ConfigurableComponent;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.m2mgw.api.runtime.GatewayRuntime;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * The gateway's components come up on the distro's bundle set, and every configurable one
 * follows Kura's rules, so the Kura web console can render and edit it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class GatewayComponentsIT extends GatewayTestSupport {

    /** Every configurable PID the gateway has today; a new one must be added here on purpose. */
    private static final Set<String> EXPECTED_PIDS = Set.of("org.m2mgw.gateway", "org.m2mgw.broker",
            "org.m2mgw.registry", "org.m2mgw.anomaly", "org.m2mgw.crypto.policy", "org.m2mgw.update",
            "org.m2mgw.operator.api");
    /** Every configurable factory PID (components with one instance per configuration). */
    private static final Set<String> EXPECTED_FACTORY_PIDS = Set.of("org.m2mgw.transport.coaps",
            "org.m2mgw.transport.oscore", "org.m2mgw.cloud.mqtt");

    @Inject
    ServiceComponentRuntime scr;

    @Inject
    MetaTypeService metatype;

    private List<Bundle> ourBundles() {
        List<Bundle> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getSymbolicName() != null && b.getSymbolicName().startsWith("org.m2mgw.")) {
                out.add(b);
            }
        }
        return out;
    }

    private List<String> notActive() {
        List<String> problems = new ArrayList<>();
        for (Bundle b : ourBundles()) {
            if (b.getState() != Bundle.ACTIVE) {
                problems.add("bundle " + b.getSymbolicName() + " state " + b.getState());
            }
        }
        Collection<ComponentDescriptionDTO> descriptions = scr.getComponentDescriptionDTOs(
                ourBundles().toArray(new Bundle[0]));
        for (ComponentDescriptionDTO d : descriptions) {
            Collection<ComponentConfigurationDTO> configs = scr.getComponentConfigurationDTOs(d);
            if (configs.isEmpty()) {
                problems.add(d.name + ": no configuration (enabled=" + scr.isComponentEnabled(d) + ")");
            }
            for (ComponentConfigurationDTO c : configs) {
                // A delayed component (a service nobody has used yet) is rightly only SATISFIED.
                boolean ok = c.state == ComponentConfigurationDTO.ACTIVE
                        || (!d.immediate && c.state == ComponentConfigurationDTO.SATISFIED);
                if (!ok) {
                    problems.add(d.name + ": state " + c.state
                            + (c.failure != null ? " failure " + c.failure : ""));
                }
            }
        }
        return problems;
    }

    @Test
    public void givenDistroBundleSet_whenStarted_thenAllGatewayComponentsAreActive() throws Exception {
        GatewayRuntime runtime = service(GatewayRuntime.class, 30_000);
        assertTrue(java.nio.file.Files.isDirectory(runtime.dataDirectory()));

        awaitValue("all gateway components active", 30_000, this::notActive, List::isEmpty);

        Set<String> names = new TreeSet<>();
        for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs(ourBundles().toArray(new Bundle[0]))) {
            names.add(d.name);
        }
        assertTrue("components found: " + names, names.containsAll(EXPECTED_PIDS));
        assertTrue("console security provider present: " + names,
                names.contains("org.m2mgw.console.internal.ConsoleSecurityProvider"));
        assertTrue("operator console pages present: " + names, names.containsAll(List.of(
                "org.m2mgw.operator.console.internal.DashboardPage", "org.m2mgw.operator.console.internal.DevicesPage",
                "org.m2mgw.operator.console.internal.AlertsPage")));
    }

    @Test
    public void givenEveryConfigurablePid_thenItFollowsKuraMetatypeRules() throws Exception {
        awaitValue("configurable components registered", 30_000, this::configurableComponentPids,
                pids -> pids.containsAll(EXPECTED_PIDS));
        Set<String> metatypePids = new TreeSet<>();
        Set<String> factoryPids = new TreeSet<>();
        for (Bundle b : ourBundles()) {
            MetaTypeInformation info = metatype.getMetaTypeInformation(b);
            if (info == null) {
                continue;
            }
            for (String pid : info.getPids()) {
                metatypePids.add(pid);
                ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
                assertEquals("OCD id of " + pid, pid, ocd.getID());
                assertNotNull("metatype file named after " + pid + " in " + b.getSymbolicName(),
                        b.getEntry("OSGI-INF/metatype/" + pid + ".xml"));
                assertTrue("ConfigurableComponent service with service.pid=" + pid,
                        configurableComponentPids().contains(pid));
            }
            for (String fpid : info.getFactoryPids()) {
                factoryPids.add(fpid);
                ObjectClassDefinition ocd = info.getObjectClassDefinition(fpid, null);
                assertEquals("OCD id of factory " + fpid, fpid, ocd.getID());
                assertNotNull("metatype file named after " + fpid + " in " + b.getSymbolicName(),
                        b.getEntry("OSGI-INF/metatype/" + fpid + ".xml"));
            }
        }
        assertEquals(EXPECTED_PIDS, metatypePids);
        assertEquals(EXPECTED_FACTORY_PIDS, factoryPids);
        // and the other way round: no ConfigurableComponent without metatype. Factory instances
        // carry their factory PID, which is the OCD id (Kura's rule for factory components).
        Set<String> all = new TreeSet<>(metatypePids);
        all.addAll(factoryPids);
        awaitValue("factory instances registered", 30_000, this::configurableComponentPids,
                pids -> pids.containsAll(all));
        assertEquals(all, configurableComponentPids());
    }

    private Set<String> configurableComponentPids() {
        Set<String> pids = new TreeSet<>();
        try {
            for (ServiceReference<ConfigurableComponent> r :
                    context.getServiceReferences(ConfigurableComponent.class, null)) {
                Object factoryPid = r.getProperty("service.factoryPid");
                if (factoryPid != null) {
                    pids.add(factoryPid.toString());
                    continue;
                }
                Object pid = r.getProperty("service.pid");
                assertNotNull("service.pid on ConfigurableComponent from " + r.getBundle().getSymbolicName(), pid);
                // SCR merges the declared service.pid with the configuration's into an array
                // when both exist; Kura reads the first element. Both must name the same PID.
                Collection<?> values = pid instanceof String[] ? java.util.Arrays.asList((String[]) pid)
                        : pid instanceof Collection ? (Collection<?>) pid : null;
                if (values != null) {
                    Set<String> distinct = new TreeSet<>();
                    values.forEach(v -> distinct.add(String.valueOf(v)));
                    assertEquals("one PID per component: " + distinct, 1, distinct.size());
                    pids.add(distinct.iterator().next());
                } else {
                    pids.add(pid.toString());
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new AssertionError(e);
        }
        return pids;
    }
}
