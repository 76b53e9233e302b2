package dev.tollgate.sample.rest;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /rest/x402/forecast}: the same as {@code /api/x402/forecast} as a Jakarta REST resource:
 * x402 only, 0.01 USDC; {@code ?fail=true} throws (500), and nothing is settled.
 */
@Path("x402/forecast")
public class X402ForecastResource {

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RequiresPayment(price = "0.01", currency = "USDC", description = "Tomorrow's forecast", schemes = "x402")
    public Response forecast(@QueryParam("fail") boolean fail) {
        if (fail) {
            throw new IllegalStateException("the forecast failed on purpose (?fail=true)");
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("city", "Lisbon");
        body.put("outlook", "sunny");
        body.put("highCelsius", 21);
        body.put("lowCelsius", 14);
        return Response.ok(body, MediaType.APPLICATION_JSON_TYPE).build();
    }
}
