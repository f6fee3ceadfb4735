package org.m2mgw.operator.internal;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonConfig;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonReaderFactory;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.JsonWriter;
import jakarta.json.spi.JsonProvider;
import jakarta.json.stream.JsonLocation;
import jakarta.json.stream.JsonParsingException;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.Set;
import org.m2mgw.support.Text;

/**
 * JSON in and out with Jakarta JSON Processing (Parsson in the run set), the library the device
 * registry uses. Request bodies are read strictly: one object, no duplicate keys, only the fields
 * a call knows, each of the right type; anything else is a 400 that names the field.
 */
final class JsonSupport {
    private final JsonProvider json;
    private final JsonReaderFactory readers;

    JsonSupport() {
        json = findProvider();
        // Duplicate keys are refused (KeyStrategy NONE): "first or last wins" would let two
        // readers of one body disagree.
        readers = json.createReaderFactory(Map.of(JsonConfig.KEY_STRATEGY, JsonConfig.KeyStrategy.NONE));
    }

    /** The Jakarta JSON provider, found as the device registry finds it (SPI Fly in OSGi). */
    static JsonProvider findProvider() {
        String first;
        try {
            return JsonProvider.provider();
        } catch (JsonException | ServiceConfigurationError e) {
            first = e.getMessage();
        }
        for (ServiceLoader<JsonProvider> loader : List.of(ServiceLoader.load(JsonProvider.class),
                ServiceLoader.load(JsonProvider.class, JsonSupport.class.getClassLoader()))) {
            try {
                Iterator<JsonProvider> it = loader.iterator();
                if (it.hasNext()) {
                    return it.next();
                }
            } catch (ServiceConfigurationError ignored) {
                // try the next loader
            }
        }
        throw new IllegalStateException("No Jakarta JSON provider found: the bundles org.eclipse.parsson and an "
                + "OSGi Service Loader Mediator (SPI Fly) are needed (" + first + ")");
    }

    JsonObjectBuilder object() {
        return json.createObjectBuilder();
    }

    JsonArrayBuilder array() {
        return json.createArrayBuilder();
    }

    JsonArrayBuilder array(java.util.Collection<String> strings) {
        JsonArrayBuilder a = json.createArrayBuilder();
        strings.forEach(a::add);
        return a;
    }

    String write(JsonValue v) {
        StringWriter out = new StringWriter();
        try (JsonWriter w = json.createWriter(out)) {
            w.write(v);
        }
        return out.toString();
    }

    /**
     * @param text a request body
     * @return it as a JSON object
     * @throws ApiError 400 if it is not one JSON object or has a duplicate key
     */
    Body parseObject(String text) throws ApiError {
        JsonValue v = parse(text);
        if (v.getValueType() != JsonValue.ValueType.OBJECT) {
            throw ApiError.badRequest("the body must be a JSON object");
        }
        return new Body(v.asJsonObject());
    }

    JsonValue parse(String text) throws ApiError {
        try (JsonReader r = readers.createReader(new StringReader(text))) {
            return r.readValue();
        } catch (JsonParsingException e) {
            // The parser's message may quote the input; name the place and the kind only.
            JsonLocation at = e.getLocation();
            String m = e.getMessage() == null ? "" : e.getMessage();
            boolean duplicate = m.toLowerCase(java.util.Locale.ROOT).contains("duplicate");
            throw ApiError.badRequest((duplicate ? "the body has a duplicate key" : "the body is not valid JSON")
                    + (at == null ? "" : " (line " + at.getLineNumber() + ", column " + at.getColumnNumber() + ")"));
        } catch (JsonException e) {
            String m = e.getMessage() == null ? "" : e.getMessage();
            throw ApiError.badRequest(m.toLowerCase(java.util.Locale.ROOT).contains("duplicate")
                    ? "the body has a duplicate key" : "the body is not valid JSON");
        }
    }

    /** @return an ISO-8601 UTC string, or JSON null */
    static JsonValue time(Instant t) {
        return t == null ? JsonValue.NULL : jakarta.json.Json.createValue(t.toString());
    }

    /** A request body: a JSON object read field by field, each checked. */
    static final class Body {
        private final JsonObject o;

        Body(JsonObject o) {
            this.o = o;
        }

        JsonObject raw() {
            return o;
        }

        /** @throws ApiError 400 naming the first field that is not in {@code allowed} */
        Body only(Set<String> allowed) throws ApiError {
            for (String k : o.keySet()) {
                if (!allowed.contains(k)) {
                    throw ApiError.badRequest("unknown field '" + Text.printable(k, 64) + "'; allowed: "
                            + String.join(", ", new java.util.TreeSet<>(allowed)));
                }
            }
            return this;
        }

        boolean has(String name) {
            return o.containsKey(name);
        }

        /** @return the string, or null when absent; @throws ApiError on another type or length */
        String string(String name, int maxLength) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof JsonString s)) {
                throw ApiError.badRequest("field '" + name + "' must be a string");
            }
            if (s.getString().length() > maxLength) {
                throw ApiError.badRequest("field '" + name + "' is longer than " + maxLength + " characters");
            }
            return s.getString();
        }

        String requiredString(String name, int maxLength) throws ApiError {
            String s = string(name, maxLength);
            if (s == null || s.isEmpty()) {
                throw ApiError.badRequest("field '" + name + "' is required");
            }
            return s;
        }

        /** @return the boolean, or null when absent */
        Boolean bool(String name) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (v == JsonValue.TRUE) {
                return Boolean.TRUE;
            }
            if (v == JsonValue.FALSE) {
                return Boolean.FALSE;
            }
            if (v.getValueType() == JsonValue.ValueType.TRUE) {
                return Boolean.TRUE;
            }
            if (v.getValueType() == JsonValue.ValueType.FALSE) {
                return Boolean.FALSE;
            }
            throw ApiError.badRequest("field '" + name + "' must be true or false");
        }

        /** @return the whole number, or null when absent */
        Long integer(String name, long min, long max) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof JsonNumber n) || !n.isIntegral()) {
                throw ApiError.badRequest("field '" + name + "' must be a whole number");
            }
            long x;
            try {
                x = n.longValueExact();
            } catch (ArithmeticException e) {
                throw ApiError.badRequest("field '" + name + "' must be " + min + " to " + max);
            }
            if (x < min || x > max) {
                throw ApiError.badRequest("field '" + name + "' must be " + min + " to " + max);
            }
            return x;
        }

        /** @return the number, or null when absent */
        Double number(String name, double min, double max) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof JsonNumber n)) {
                throw ApiError.badRequest("field '" + name + "' must be a number");
            }
            double x = n.doubleValue();
            if (!(x >= min && x <= max)) {
                throw ApiError.badRequest("field '" + name + "' must be " + min + " to " + max);
            }
            return x;
        }

        /** @return the list of strings, or null when absent */
        List<String> strings(String name, int maxItems, int maxLength) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof JsonArray a)) {
                throw ApiError.badRequest("field '" + name + "' must be an array of strings");
            }
            if (a.size() > maxItems) {
                throw ApiError.badRequest("field '" + name + "' has more than " + maxItems + " items");
            }
            List<String> out = new ArrayList<>();
            for (JsonValue item : a) {
                if (!(item instanceof JsonString s) || s.getString().length() > maxLength) {
                    throw ApiError.badRequest("field '" + name + "' must be an array of strings of at most "
                            + maxLength + " characters");
                }
                out.add(s.getString());
            }
            return out;
        }

        /** @return the object of strings, or null when absent */
        Map<String, String> stringMap(String name, int maxItems, int maxLength) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof JsonObject m)) {
                throw ApiError.badRequest("field '" + name + "' must be an object of strings");
            }
            if (m.size() > maxItems) {
                throw ApiError.badRequest("field '" + name + "' has more than " + maxItems + " entries");
            }
            Map<String, String> out = new LinkedHashMap<>();
            for (Map.Entry<String, JsonValue> e : m.entrySet()) {
                if (!(e.getValue() instanceof JsonString s) || s.getString().length() > maxLength) {
                    throw ApiError.badRequest("field '" + name + "." + Text.printable(e.getKey(), 64)
                            + "' must be a string of at most " + maxLength + " characters");
                }
                out.put(e.getKey(), s.getString());
            }
            return out;
        }

        /** @return the nested object, or null when absent */
        Body object(String name) throws ApiError {
            JsonValue v = o.get(name);
            if (v == null) {
                return null;
            }
            if (!(v instanceof JsonObject m)) {
                throw ApiError.badRequest("field '" + name + "' must be an object");
            }
            return new Body(m);
        }
    }
}
