package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** A sub-resource locator: the runtime learns the priced method only when a request matches it. */
@Path("accounts/{id}")
public class LocatorResource {

    @Path("statement")
    public Statement statement(@PathParam("id") String id) {
        return new Statement(id);
    }

    /** The sub-resource: 4 per statement. */
    public static class Statement {
        private final String id;

        Statement(String id) {
            this.id = id;
        }

        @GET
        @Produces(MediaType.TEXT_PLAIN)
        @RequiresPayment(price = "4")
        public String get() {
            return "statement of " + id;
        }
    }
}
