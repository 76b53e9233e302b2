package dev.tollgate.jaxrs.app;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/** One credit per quote. */
@Path("quotes/{symbol}")
public class QuoteResource {
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresPayment(price = "1", description = "A stock quote")
    public Map<String, String> quote(@PathParam("symbol") String symbol) {
        return Map.of("symbol", symbol, "price", "101.50");
    }
}
