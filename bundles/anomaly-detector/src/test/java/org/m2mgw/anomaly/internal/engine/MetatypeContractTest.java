package org.m2mgw.anomaly.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every key the detector reads is declared in its metatype, so it shows in the Felix and Kura consoles. */
class MetatypeContractTest {

    static List<String> keysTheCodeReads() throws IllegalAccessException {
        List<String> keys = new ArrayList<>();
        for (Field f : EngineSettings.class.getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class && Modifier.isPublic(f.getModifiers())) {
                keys.add((String) f.get(null));
            }
        }
        for (Detector d : Detector.values()) {
            keys.add(d.actionKey());
        }
        keys.add("detector.enabled"); // read by AnomalyDetector itself
        return keys;
    }

    @Test
    void everyKeyTheDetectorReadsIsDeclaredInItsMetatype() throws Exception {
        List<String> keys = keysTheCodeReads();
        assertThat(keys).hasSizeGreaterThan(30);
        assertThat(EngineSettings.METATYPE.attributes().keySet()).containsAll(keys);
    }

    @Test
    void theMetatypeDeclaresNoKeyTheDetectorIgnores() throws Exception {
        assertThat(keysTheCodeReads()).containsAll(EngineSettings.METATYPE.attributes().keySet());
    }
}
