package dev.tollgate.admin;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** RFC 9457 problem responses and JSON bodies of the admin API, written with JSON-B. */
final class Problems {

    static final String PROBLEM_JSON = "application/problem+json";
    static final String JSON = "application/json";
    private static final int MAX_DETAIL = 200;
    private static final Jsonb JSONB = JsonbBuilder.create(new JsonbConfig().withNullValues(false));

    private Problems() {
    }

    static Response problem(String typeBase, int status, String title, String slug, String detail) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", slug == null ? "about:blank" : typeBase + slug);
        body.put("title", title);
        body.put("status", status);
        body.put("detail", bounded(detail));
        return Response.status(status).type(PROBLEM_JSON).header("Cache-Control", "no-store")
                .entity(JSONB.toJson(body)).build();
    }

    static Response problem(String typeBase, AdminProblem p) {
        return problem(typeBase, p.status(), p.title(), p.typeSlug(), p.getMessage());
    }

    static String json(Object body) {
        return JSONB.toJson(body);
    }

    /** A refusal's text, cut to a length that does not grow with the input it may quote. */
    static String bounded(String message) {
        if (message == null || message.isBlank()) {
            return "The request was refused.";
        }
        return message.length() <= MAX_DETAIL ? message : message.substring(0, MAX_DETAIL) + "…";
    }

    /** An id quoted in a message, cut short. */
    static String quote(String id) {
        return "\"" + (id.length() <= 64 ? id : id.substring(0, 64) + "…") + "\"";
    }
}
