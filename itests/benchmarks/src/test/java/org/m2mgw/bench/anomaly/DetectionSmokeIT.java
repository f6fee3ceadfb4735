package org.m2mgw.bench.anomaly;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.nio.file.Path;
import org.junit.Test;

/**
 * One round of the detection harness: the exported distro, mosquitto, and simulated devices over
 * real DTLS. Every attack scenario must be found within its budget, and no normal device may be
 * alerted on.
 */
public class DetectionSmokeIT {

    @Test
    public void everyAttackIsDetectedAndNormalTrafficRaisesNoAlert() throws Exception {
        Path out = Path.of(System.getProperty("m2mgw.target", "target"), "anomaly-smoke");
        DetectionHarness.Result r = DetectionHarness.run(DetectionHarness.Profile.smoke(), out,
                Path.of(System.getProperty("m2mgw.distro.jar")));

        assertEquals(6, r.scenarios().size());
        for (DetectionHarness.ScenarioResult s : r.scenarios()) {
            assertEquals(s.scenario() + " ran once", 1, s.runs());
            assertEquals(s.scenario() + " detected within " + s.budgetSeconds() + " s", 1, s.detected());
        }
        assertEquals("false alerts: " + r.falseAlertLines(), 0, r.falseAlerts());
        assertTrue("the detector processed the traffic", r.eventsProcessed() > 1000);
        assertEquals("no event dropped", 0, r.eventsDropped());
    }
}
