package dev.tollgate.sample;

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
 * {@code GET /api/news}: free, with a plan-aware limit: 10 requests a minute per key (per client
 * address without one), 100 for holders of {@code premium}.
 */
@WebServlet(name = "news", urlPatterns = "/api/news")
@RateLimited(requests = 10, period = 1, unit = ChronoUnit.MINUTES, name = "news")
@RateLimited(requests = 100, period = 1, unit = ChronoUnit.MINUTES, entitlement = "premium", name = "news-premium")
public class NewsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Json.write(resp, 200, Map.of("headlines", List.of("Markets open higher", "Rates unchanged")));
    }
}
