package org.m2mgw.transport.coaps.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.security.Provider;
import java.security.Security;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.m2mgw.api.crypto.CryptoProvider;

class ProviderWatcherTest {
    private final List<String> restarts = new CopyOnWriteArrayList<>();
    private final ProviderWatcher watcher = new ProviderWatcher(restarts::add, 100);

    @AfterEach
    void removeTestProvider() {
        Security.removeProvider("M2MGW-TEST");
    }

    private static CryptoProvider provider(String name, String version) {
        return new CryptoProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public String version() {
                return version;
            }
        };
    }

    private static Provider jce() {
        return new Provider("M2MGW-TEST", "1.0", "test") {
            private static final long serialVersionUID = 1L;
        };
    }

    @Test
    void givenAProviderThatInstalledItselfBeforeTheListenerStarted_thenNoRestart() throws Exception {
        CryptoProvider p = provider("BC", "1.87");
        watcher.added(p, Map.of("service.id", 7L));
        Thread.sleep(400);
        assertThat(restarts).isEmpty();
        assertThat(watcher.inUse()).isEqualTo("BC 1.87");
    }

    @Test
    void givenAnUpdate_whenTheProviderLeavesAndComesBack_thenOneRestart() throws Exception {
        Security.addProvider(jce());
        CryptoProvider p = provider("BC", "1.87");
        watcher.added(p, Map.of("service.id", 7L));
        Thread.sleep(400);
        assertThat(restarts).hasSize(1);
        assertThat(restarts.get(0)).startsWith("crypto provider BC 1.87 arrived").contains("M2MGW-TEST");

        // an update: the old revision's provider leaves, the new one comes, within the debounce time
        watcher.removed(p, Map.of("service.id", 7L));
        Security.removeProvider("M2MGW-TEST");
        Security.addProvider(jce());
        watcher.added(provider("BC", "1.88"), Map.of("service.id", 8L));
        Thread.sleep(400);
        assertThat(restarts).hasSize(2);
        assertThat(restarts.get(1)).startsWith("crypto provider BC 1.87 left; crypto provider BC 1.88 arrived");
        assertThat(watcher.inUse()).isEqualTo("BC 1.88");
        assertThat(watcher.restarts()).isEqualTo(2);

        watcher.removed(p, Map.of("service.id", 8L));
        Security.removeProvider("M2MGW-TEST");
        Thread.sleep(400);
        assertThat(restarts).hasSize(3);
        assertThat(watcher.inUse()).isEqualTo("JDK");
    }
}
