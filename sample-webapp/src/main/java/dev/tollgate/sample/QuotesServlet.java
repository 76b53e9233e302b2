package dev.tollgate.sample;

import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.x402.X402;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code GET /api/quotes/{symbol}}: 1 credit with an API key, or 0.001 USDC with x402 ({@code "1000"}
 * atomic units); its 402 offers both. Priced at class level.
 */
@WebServlet(name = "quotes", urlPatterns = "/api/quotes/*")
@RequiresPayment(price = "1", description = "One stock quote", schemes = {"account", "x402"})
@X402(price = "0.001")
public class QuotesServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    private static final Pattern SYMBOL = Pattern.compile("[A-Z0-9.]{1,10}");

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String symbol = req.getPathInfo() == null ? "" : req.getPathInfo().substring(1);
        if (!SYMBOL.matcher(symbol).matches()) {
            // A 4xx outcome releases the hold: the caller is not charged for a bad symbol.
            Json.badRequest(req, resp, "The symbol must be 1 to 10 capital letters, digits or dots.");
            return;
        }
        // A made-up but stable price, so the demo needs no market data.
        BigDecimal price = BigDecimal.valueOf(Math.floorMod(symbol.hashCode(), 90_000) + 1_000L, 2)
                .setScale(2, RoundingMode.UNNECESSARY);
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("symbol", symbol);
        body.put("price", price);
        body.put("currency", "USD");
        body.put("asOf", Instant.now().toString());
        Json.write(resp, 200, body);
    }
}
