package dev.tollgate.sample;

import dev.tollgate.Tollgate;
import dev.tollgate.spi.Account;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET /api/balance}: not priced, but needs a valid key. Shows the programmatic side of
 * Tollgate: {@link Tollgate#requireAccount} identifies the caller and answers 401 itself.
 */
@WebServlet(name = "balance", urlPatterns = "/api/balance")
public class BalanceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        Optional<Tollgate> tollgate = Tollgate.from(getServletContext());
        if (tollgate.isEmpty()) {
            // Only when Tollgate is switched off (tollgate.enabled=false): there are no accounts to show.
            Json.write(resp, 503, Map.of("error", "Tollgate is disabled in this deployment"));
            return;
        }
        Optional<Account> account = tollgate.get().requireAccount(req, resp);
        if (account.isEmpty()) {
            return;
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", account.get().id());
        body.put("balance", account.get().balance().amount());
        body.put("currency", account.get().balance().currency());
        body.put("entitlements", new TreeSet<>(account.get().entitlements()));
        resp.setHeader("Cache-Control", "no-store");
        Json.write(resp, 200, body);
    }
}
