package dev.tollgate.sample.rest;

import dev.tollgate.Denial;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;

/**
 * Answers an entity that could not be read with a 400 {@code malformed-request} problem (a 413
 * {@code content-too-large} one when it was too large), the shape
 * of Tollgate's own refusals and of the servlet half's answer to the same body. A 4xx releases the
 * hold of a paid request, so a malformed body costs nothing. Other failures are left to the
 * container, whose error page ({@code WEB-INF/web.xml}) answers a generic 500 problem.
 */
@Provider
public class MalformedEntityMapper implements ExceptionMapper<MalformedEntityException> {

    @Context
    private HttpServletRequest request;

    @Override
    public Response toResponse(MalformedEntityException e) {
        return Problems.refuse(request, e.tooLarge() ? Denial.Kind.CONTENT_TOO_LARGE : Denial.Kind.MALFORMED_REQUEST,
                e.getMessage());
    }
}
