package dev.tollgate.admin;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the admin API's OpenAPI 3 document, {@code openapi.json} next to this class (hand-written;
 * a test keeps its paths and methods equal to the resources').
 */
@Path("openapi.json")
public final class OpenApiResource {

    /** The document's resource name. */
    public static final String DOCUMENT = "openapi.json";

    private final byte[] document;

    /** Reads the document (made by {@link TollgateAdmin#components()}). */
    public OpenApiResource() {
        try (InputStream in = OpenApiResource.class.getResourceAsStream(DOCUMENT)) {
            if (in == null) {
                throw new IllegalStateException("openapi.json is missing from tollgate-admin");
            }
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the OpenAPI document} */
    @GET
    public Response get() {
        return Response.ok(document, Problems.JSON).header("Cache-Control", "no-store").build();
    }
}
