package dev.tollgate.jaxrs.app;

import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/** Maps {@link Failure} to a 502, as applications map their own exceptions. */
public class FailureMapper implements ExceptionMapper<FailureMapper.Failure> {

    /** An application failure. */
    public static class Failure extends RuntimeException {
        public Failure() {
            super("upstream failed");
        }
    }

    @Override
    public Response toResponse(Failure e) {
        return Response.status(502).entity("upstream failed").type("text/plain").build();
    }
}
