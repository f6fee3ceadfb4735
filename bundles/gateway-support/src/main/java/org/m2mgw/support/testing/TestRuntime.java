package org.m2mgw.support.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.m2mgw.api.runtime.GatewayRuntime;

/**
 * For unit tests only: a {@link GatewayRuntime} on a temporary directory, as gateway-core's would
 * be, and configuration annotation instances made from a map, as Declarative Services makes them.
 */
public final class TestRuntime {
    private TestRuntime() {
    }

    /** @return a runtime whose data directory is {@code dir}, with gateway id {@code gatewayId} */
    public static GatewayRuntime on(Path dir, String gatewayId) {
        return new GatewayRuntime() {
            @Override
            public String gatewayId() {
                return gatewayId;
            }

            @Override
            public Path dataDirectory() {
                return dir;
            }

            @Override
            public Path dataDirectory(String name) {
                try {
                    return Files.createDirectories(dir.resolve(name));
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        };
    }

    /**
     * A configuration annotation instance: each method returns the map's value under its name,
     * or its default.
     */
    @SuppressWarnings("unchecked")
    public static <T> T config(Class<T> type, Map<String, Object> values) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, args) -> {
            if (values.containsKey(m.getName())) {
                return values.get(m.getName());
            }
            if (m.getDefaultValue() != null) {
                return m.getDefaultValue();
            }
            if (m.getName().equals("toString")) {
                return type.getSimpleName() + values;
            }
            if (m.getName().equals("hashCode")) {
                return System.identityHashCode(p);
            }
            if (m.getName().equals("equals")) {
                return p == args[0];
            }
            return null;
        });
    }
}
