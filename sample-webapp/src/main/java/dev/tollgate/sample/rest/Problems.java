package dev.tollgate.sample.rest;

import dev.tollgate.Denial;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.Tollgate;
import dev.tollgate.spi.Rendering;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;

/** A 400 or 413 in the same problem+json shape as Tollgate's own refusals. */
final class Problems {

    private Problems() {
    }

    static Response badRequest(HttpServletRequest request, String detail) {
        return refuse(request, Denial.Kind.MALFORMED_REQUEST, detail);
    }

    static Response refuse(HttpServletRequest request, Denial.Kind kind, String detail) {
        Denial denial = Denial.of(kind, detail);
        Rendering r = Tollgate.from(request.getServletContext())
                .map(t -> t.renderer().render(denial, request))
                .orElseGet(() -> new ProblemDetailsRenderer().render(denial, request));
        Response.ResponseBuilder b = Response.status(r.status()).header("Content-Type", r.contentType())
                .header("Cache-Control", "no-store");
        r.headers().forEach(h -> b.header(h.getKey(), h.getValue()));
        return b.entity(r.body()).build();
    }
}
