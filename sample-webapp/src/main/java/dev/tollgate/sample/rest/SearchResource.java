package dev.tollgate.sample.rest;

import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code GET /rest/search?q=…}: free, 5 requests per 60 seconds per API key (per client address
 * without one), like {@code /api/search}; the sixth is answered with 429.
 */
@Path("search")
public class SearchResource {

    private static final List<String> SYMBOLS = List.of("AAPL", "AMZN", "GOOG", "MSFT", "NVDA", "TSLA");

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    @RateLimited(requests = 5, period = 60, unit = ChronoUnit.SECONDS, key = KeyBy.PAYER)
    public Map<String, Object> search(@QueryParam("q") String query) {
        String q = query == null ? "" : query.toUpperCase(Locale.ROOT);
        return Map.of("query", q, "results", SYMBOLS.stream().filter(s -> s.contains(q)).toList());
    }
}
