package dev.tollgate.sample.rest;

import dev.tollgate.Denial;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.Tollgate;
import dev.tollgate.spi.Rendering;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Response;

/** A 400 in the same problem+json shape as Tollgate's own refusals. */
final class Problems {

    private Problems() {
    }

    static Response badRequest(HttpServletRequest request, String detail) {
        Denial denial = Denial.of(Denial.Kind.MALFORMED_REQUEST, detail);
        Rendering r = Tollgate.from(request.getServletContext())
                .map(t -> t.renderer().render(denial, request))
                .orElseGet(() -> new ProblemDetailsRenderer().render(denial, request));
        Response.ResponseBuilder b = Response.status(r.status()).header("Content-Type", r.contentType())
                .header("Cache-Control", "no-store");
        r.headers().forEach(h -> b.header(h.getKey(), h.getValue()));
        return b.entity(r.body()).build();
    }
}
