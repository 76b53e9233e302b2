package dev.tollgate.sample.rest;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** {@code GET /rest/quotes/{symbol}}: 1 credit, priced at class level, like {@code /api/quotes}. */
@Path("quotes/{symbol}")
@RequiresPayment(price = "1", description = "One stock quote")
public class QuotesResource {

    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9.]{1,10}");

    @Context
    private HttpServletRequest request;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public Response quote(@PathParam("symbol") String symbol) {
        if (!SYMBOL.matcher(symbol).matches()) {
            // A 4xx outcome releases the hold: the caller is not charged for a bad symbol.
            return Problems.badRequest(request, "The symbol must be 1 to 10 capital letters, digits or dots.");
        }
        BigDecimal price = BigDecimal.valueOf(Math.floorMod(symbol.hashCode(), 90_000) + 1_000L, 2)
                .setScale(2, RoundingMode.UNNECESSARY);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("symbol", symbol);
        body.put("price", price);
        body.put("currency", "USD");
        body.put("asOf", Instant.now().toString());
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
