package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** Resources that choose their payment schemes. */
@Path("token")
public class TokenResource {

    /** {@return 2 credits, payable only with the test token} */
    @GET
    @Path("only")
    @Produces(MediaType.TEXT_PLAIN)
    @RequiresPayment(price = "2", schemes = "test-token")
    public String only() {
        return "token only";
    }

    /** {@return never: names a scheme nobody provides} */
    @GET
    @Path("unknown")
    @Produces(MediaType.TEXT_PLAIN)
    @RequiresPayment(price = "1", schemes = "x402")
    public String unknown() {
        return "unreachable";
    }
}
