package dev.tollgate.sample;

import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.RateLimited;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /api/search?q=…}: free, but 5 requests per 60 seconds per API key (per client address
 * without a key); the sixth is answered with 429.
 */
@WebServlet(name = "search", urlPatterns = "/api/search")
@RateLimited(requests = 5, period = 60, unit = ChronoUnit.SECONDS, key = KeyBy.PAYER)
public class SearchServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final List<String> SYMBOLS = List.of("AAPL", "AMZN", "GOOG", "MSFT", "NVDA", "TSLA");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Map<String, String[]> parameters = Json.parameters(req, resp);
        if (parameters == null) {
            return;
        }
        String raw = Json.first(parameters, "q");
        String q = raw == null ? "" : raw.toUpperCase(java.util.Locale.ROOT);
        Json.write(resp, 200, Map.of("query", q, "results",
                SYMBOLS.stream().filter(s -> s.contains(q)).toList()));
    }
}
