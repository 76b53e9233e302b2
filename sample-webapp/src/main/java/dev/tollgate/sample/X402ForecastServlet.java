package dev.tollgate.sample;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /api/x402/forecast}: paid with x402 only, 0.01 USDC ({@code "10000"} atomic units).
 * {@code ?fail=true} throws, so the call ends in a 500 and nothing is settled.
 */
@WebServlet(name = "x402-forecast", urlPatterns = "/api/x402/forecast")
@RequiresPayment(price = "0.01", currency = "USDC", description = "Tomorrow's forecast", schemes = "x402")
public class X402ForecastServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if ("true".equals(req.getParameter("fail"))) {
            throw new IllegalStateException("the forecast failed on purpose (?fail=true)");
        }
        Json.write(resp, 200, Forecast.tomorrow());
    }

    /** The made-up forecast both halves of the demo sell. */
    static final class Forecast {
        private Forecast() {
        }

        static Map<String, Object> tomorrow() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("city", "Lisbon");
            body.put("outlook", "sunny");
            body.put("highCelsius", 21);
            body.put("lowCelsius", 14);
            return body;
        }
    }
}
