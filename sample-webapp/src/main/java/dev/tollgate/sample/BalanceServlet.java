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
        Tollgate tollgate = Tollgate.from(getServletContext()).orElseThrow();
        Optional<Account> account = tollgate.requireAccount(req, resp);
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
