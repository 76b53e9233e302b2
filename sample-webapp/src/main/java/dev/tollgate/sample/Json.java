package dev.tollgate.sample;

import dev.tollgate.Denial;
import dev.tollgate.Tollgate;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.bind.JsonbException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** JSON in and out for the sample endpoints, with JSON-B. */
final class Json {

    private static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig().withNullValues(false));
    private static final int MAX_BODY = 64 * 1024;

    private Json() {
    }

    static void write(HttpServletResponse response, int status, Object body) throws IOException {
        byte[] bytes = JSONB.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/json");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** Reads a JSON object body; answers 400 and returns null when it is not one. */
    static Map<String, Object> readObject(HttpServletRequest request, HttpServletResponse response) throws IOException {
        byte[] bytes = request.getInputStream().readNBytes(MAX_BODY + 1);
        if (bytes.length > MAX_BODY) {
            badRequest(request, response, "The body is larger than " + MAX_BODY + " bytes.");
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSONB.fromJson(text, Map.class);
            if (map != null) {
                return map;
            }
        } catch (JsonbException | ClassCastException e) {
            // fall through to the 400 below
        }
        badRequest(request, response, "The body must be a JSON object.");
        return null;
    }

    static void badRequest(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        Optional<Tollgate> tollgate = Tollgate.from(request.getServletContext());
        if (tollgate.isPresent()) {
            // The same problem+json shape as Tollgate's own refusals.
            tollgate.get().sendDenial(Denial.of(Denial.Kind.MALFORMED_REQUEST, detail), request, response);
        } else {
            write(response, 400, Map.of("status", 400, "detail", detail));
        }
    }
}
