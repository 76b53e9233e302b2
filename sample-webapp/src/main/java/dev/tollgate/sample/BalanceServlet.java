package dev.tollgate.sample;

import dev.tollgate.Tollgate;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.LedgerUnavailableException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * {@code GET /api/balance}: not priced, but needs a valid key. Shows the programmatic side of
 * Tollgate: {@link Tollgate#requireAccount} identifies the caller and answers 401 itself. It is
 * also the caller's self-service page: its own balance and entitlements, its monthly allowance left (when
 * it has one), and its most recent
 * charges ({@value #RECENT} at most, from the last hour's first {@value #SCAN} statement entries)
 * when the ledger keeps statements ({@link AccountAdministration}), each with when, how much and
 * what for. Only the caller's own account is ever shown: the key decides which.
 */
@WebServlet(name = "balance", urlPatterns = "/api/balance")
public class BalanceServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;
    /** The most charges shown. */
    static final int RECENT = 10;
    /** The most statement entries read for them: bounded work per request. */
    static final int SCAN = 1000;
    private static final Duration WINDOW = Duration.ofHours(1);

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
        if (tollgate.get().ledger() instanceof AllowanceAdministration plans) {
            // Only for an account with a monthly allowance: the others' page stays as it was.
            allowance(plans, account.get().id()).ifPresent(a -> body.put("allowance", a));
        }
        if (tollgate.get().ledger() instanceof AccountAdministration admin) {
            body.put("recent", recent(admin, account.get().id()));
        }
        resp.setHeader("Cache-Control", "no-store");
        Json.write(resp, 200, body);
    }

    /** The account's allowance left in this period; empty when it has none or it cannot be read now. */
    private static Optional<Map<String, Object>> allowance(AllowanceAdministration plans, String account) {
        try {
            return plans.allowance(account).map(s -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("plan", s.allowance().plan());
                m.put("unit", s.allowance().unit().name().toLowerCase(java.util.Locale.ROOT));
                m.put("limit", s.allowance().limit());
                m.put("used", s.used());
                m.put("remaining", s.remaining());
                m.put("resetsAt", s.resetsAt().toString());
                return m;
            });
        } catch (LedgerUnavailableException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The newest charges (commits), newest first; empty when the statement cannot be read now. */
    private static List<Map<String, Object>> recent(AccountAdministration admin, String account) {
        Instant now = Instant.now();
        Deque<Map<String, Object>> newest = new ArrayDeque<>();
        try {
            for (LedgerEntry e : admin.statement(account, now.minus(WINDOW), now.plusSeconds(1), SCAN)) {
                if (e.kind() != LedgerEntry.Kind.COMMIT) {
                    continue;
                }
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("at", e.at().toString());
                m.put("amount", e.heldDelta().negate());
                m.put("currency", e.currency());
                m.put("reference", e.reference());
                newest.addFirst(m);
                if (newest.size() > RECENT) {
                    newest.removeLast();
                }
            }
        } catch (LedgerUnavailableException | IllegalArgumentException | IllegalStateException e) {
            return List.of(); // the balance above is still right; the list is a convenience
        }
        return new ArrayList<>(newest);
    }
}
