package dev.tollgate.sample.rest;

import dev.tollgate.sample.JsonNesting;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.IOException;

/**
 * Reads JSON entities with bounded work and turns a body that is not JSON into a 400. Without it,
 * Jersey's JSON-B provider answers malformed JSON ({@code {bad}, {@code [1,}) with a 500, and
 * JSON nested 5,000 deep overflows the stack of the recursive JSON-B reader. The nesting is checked
 * while the parser reads ({@link JsonNesting#limit}), so the parser never sees a level too deep;
 * the size of the body is left to the server and to Tollgate's limits.
 */
@Provider
public class BoundedJsonReader implements ReaderInterceptor {

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType type = context.getMediaType();
        if (type == null || !(type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"))) {
            return context.proceed();
        }
        context.setInputStream(JsonNesting.limit(context.getInputStream()));
        try {
            return context.proceed();
        } catch (JsonNesting.TooDeepException e) {
            throw tooDeep();
        } catch (ProcessingException | JsonbException | JsonException e) {
            // The providers wrap what the parser met: a body nested too deep, or not JSON at all.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof JsonNesting.TooDeepException) {
                    throw tooDeep();
                }
            }
            throw new MalformedEntityException("The body is not the JSON this endpoint reads.");
        }
    }

    private static MalformedEntityException tooDeep() {
        return new MalformedEntityException("The body nests arrays and objects deeper than " + JsonNesting.MAX_DEPTH
                + " levels.");
    }
}
