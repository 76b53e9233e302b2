package dev.tollgate.admin;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.stream.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an admin request body: one flat JSON object of at most {@value #MAX_BODY} bytes whose
 * members are strings, numbers (as {@link java.math.BigDecimal}, never a double), booleans, null,
 * or arrays of strings (at most {@value #MAX_ARRAY} items). Anything else (a nested object, an array
 * in an array, a duplicate member, text after the object) is a 400 problem; the reader never
 * recurses, so no nesting costs more than one token.
 */
final class JsonBody {

    /** The largest body read. */
    static final int MAX_BODY = 64 * 1024;
    /** The most items in an array member. */
    static final int MAX_ARRAY = 1000;

    private JsonBody() {
    }

    static Map<String, Object> read(InputStream in) throws IOException {
        byte[] bytes = in == null ? new byte[0] : in.readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            throw AdminProblem.badRequest("The body is larger than " + MAX_BODY + " bytes.");
        }
        if (bytes.length == 0) {
            throw AdminProblem.badRequest("The body must be a JSON object.");
        }
        try (JsonParser p = Json.createParser(new ByteArrayInputStream(bytes))) {
            if (!p.hasNext() || p.next() != JsonParser.Event.START_OBJECT) {
                throw AdminProblem.badRequest("The body must be a JSON object.");
            }
            Map<String, Object> members = new LinkedHashMap<>();
            while (true) {
                JsonParser.Event e = p.next();
                if (e == JsonParser.Event.END_OBJECT) {
                    break;
                }
                String name = p.getString(); // KEY_NAME: the parser allows nothing else here
                if (members.containsKey(name)) {
                    throw AdminProblem.badRequest("A member appears twice: " + Problems.quote(name));
                }
                members.put(name, value(p, name));
            }
            if (p.hasNext()) {
                throw AdminProblem.badRequest("The body must be one JSON object.");
            }
            return members;
        } catch (JsonException | IllegalStateException | java.util.NoSuchElementException e) {
            // Not JSON, cut short, or not in the shape above: the client's mistake.
            throw AdminProblem.badRequest("The body must be a JSON object.");
        }
    }

    private static Object value(JsonParser p, String name) {
        switch (p.next()) {
            case VALUE_STRING:
                return p.getString();
            case VALUE_NUMBER:
                return p.getBigDecimal();
            case VALUE_TRUE:
                return Boolean.TRUE;
            case VALUE_FALSE:
                return Boolean.FALSE;
            case VALUE_NULL:
                return null;
            case START_ARRAY:
                List<String> items = new ArrayList<>();
                while (true) {
                    JsonParser.Event e = p.next();
                    if (e == JsonParser.Event.END_ARRAY) {
                        return items;
                    }
                    if (e != JsonParser.Event.VALUE_STRING || items.size() == MAX_ARRAY) {
                        throw AdminProblem.badRequest(Problems.quote(name) + " must be an array of at most "
                                + MAX_ARRAY + " strings.");
                    }
                    items.add(p.getString());
                }
            default:
                throw AdminProblem.badRequest(Problems.quote(name) + " must not be an object.");
        }
    }
}
