package dev.tollgate.sample;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/** {@code GET /api/premium/insights}: needs the {@code premium} entitlement; no per-call price. */
@WebServlet(name = "premium-insights", urlPatterns = "/api/premium/insights")
@RequiresPayment(entitlement = "premium", description = "Premium market insights")
public class PremiumInsightsServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Json.write(resp, 200, Map.of("insights", List.of("Diversify.", "Mind the fees.", "Time in the market wins.")));
    }
}
