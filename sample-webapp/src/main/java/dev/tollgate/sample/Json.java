package dev.tollgate.sample;

import dev.tollgate.Denial;
import dev.tollgate.Tollgate;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.json.JsonException;
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
    private static final System.Logger LOG = System.getLogger(Json.class.getName());

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
            refuse(request, response, Denial.Kind.CONTENT_TOO_LARGE, "The body is larger than " + MAX_BODY + " bytes.");
            return null;
        }
        if (JsonNesting.tooDeep(bytes)) {
            badRequest(request, response, "The body nests arrays and objects deeper than " + JsonNesting.MAX_DEPTH
                    + " levels.");
            return null;
        }
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = JSONB.fromJson(text, Map.class);
            if (map != null) {
                return map;
            }
        } catch (JsonbException | JsonException | ClassCastException e) {
            // fall through to the 400 below
        }
        badRequest(request, response, "The body must be a JSON object.");
        return null;
    }

    /**
     * Writes an RFC 9457 problem that is not one of Tollgate's refusals (401, 404, 409, 501, 503 of
     * the admin API), in the same shape; the detail must never carry unbounded client input.
     */
    static void problem(HttpServletResponse response, int status, String title, String detail) throws IOException {
        Map<String, Object> body = new java.util.LinkedHashMap<>();
        body.put("type", "about:blank");
        body.put("title", title);
        body.put("status", status);
        body.put("detail", detail);
        byte[] bytes = JSONB.toJson(body).getBytes(StandardCharsets.UTF_8);
        response.setStatus(status);
        response.setContentType("application/problem+json");
        response.setHeader("Cache-Control", "no-store");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /**
     * Reads the request's parameters; answers 400 and returns null when the container cannot decode
     * them. Containers differ on a malformed query string or form ({@code ?q=%zz}, a form over the
     * container's field or size limits): Jetty 12 throws from {@code getParameter*} (an exception
     * that is a 400 to Jetty itself, a 500 to an exception error page), Tomcat drops what it cannot
     * decode, and Tollgate's own form decoding for a keyed request throws
     * {@code IllegalStateException}. Any failure here is the request's, so it is a 400.
     */
    static Map<String, String[]> parameters(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        try {
            return request.getParameterMap();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Undecodable parameters", e);
            badRequest(request, response, "The query string or form is not valid URL encoding, or has too many"
                    + " fields.");
            return null;
        }
    }

    /** {@return the first value of a parameter, or null} */
    static String first(Map<String, String[]> parameters, String name) {
        String[] values = parameters.get(name);
        return values == null || values.length == 0 ? null : values[0];
    }

    static void badRequest(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        refuse(request, response, Denial.Kind.MALFORMED_REQUEST, detail);
    }

    private static void refuse(HttpServletRequest request, HttpServletResponse response, Denial.Kind kind,
                               String detail) throws IOException {
        Optional<Tollgate> tollgate = Tollgate.from(request.getServletContext());
        if (tollgate.isPresent()) {
            // The same problem+json shape as Tollgate's own refusals.
            tollgate.get().sendDenial(Denial.of(kind, detail), request, response);
        } else {
            problem(response, kind.status(), kind.title(), detail);
        }
    }
}
