package dev.tollgate.sample;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.LedgerUnavailableException;
import jakarta.servlet.annotation.WebServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operator endpoints over {@link AccountAdministration}, under {@code /admin/accounts}. Off unless an
 * admin key is configured ({@code TOLLGATE_ADMIN_KEY}, system property or environment variable);
 * every call must then send it in {@code X-Admin-Key}.
 *
 * <pre>
 * POST   /admin/accounts                         {"id":"acme","balance":"100","entitlements":["premium"]}
 * GET    /admin/accounts/{id}
 * POST   /admin/accounts/{id}/credit             {"amount":"50","reference":"invoice 7"}
 * POST   /admin/accounts/{id}/debit              {"amount":"5","reference":"correction"}
 * PUT    /admin/accounts/{id}/entitlements/{name}
 * DELETE /admin/accounts/{id}/entitlements/{name}
 * GET    /admin/accounts/{id}/statement?from=2026-01-01T00:00:00Z&amp;to=…&amp;limit=100
 * </pre>
 */
@WebServlet(name = "admin", urlPatterns = "/admin/*")
public class AdminServlet extends HttpServlet {

    private static final long serialVersionUID = 1L;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String adminKey = Settings.get("TOLLGATE_ADMIN_KEY");
        if (adminKey == null) {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND); // admin endpoints are off
            return;
        }
        String sent = req.getHeader("X-Admin-Key");
        if (sent == null || !MessageDigest.isEqual(sent.getBytes(StandardCharsets.UTF_8),
                adminKey.getBytes(StandardCharsets.UTF_8))) {
            resp.setHeader("WWW-Authenticate", "AdminKey realm=\"tollgate-sample\"");
            Json.write(resp, 401, Map.of("status", 401, "detail", "Send the admin key in X-Admin-Key."));
            return;
        }
        Object ledger = Tollgate.from(getServletContext()).map(Tollgate::ledger).orElse(null);
        if (!(ledger instanceof AccountAdministration admin)) {
            Json.write(resp, 501, Map.of("status", 501, "detail", "This ledger has no administration API."));
            return;
        }
        String[] path = req.getPathInfo() == null ? new String[0] : req.getPathInfo().substring(1).split("/", -1);
        try {
            route(admin, path, req, resp);
        } catch (LedgerUnavailableException | dev.tollgate.ledger.LedgerSchemaException e) {
            resp.setHeader("Retry-After", "5");
            Json.write(resp, 503, Map.of("status", 503, "detail", "The ledger is unavailable."));
        } catch (IllegalArgumentException e) {
            int status = e.getMessage() != null && e.getMessage().startsWith("no such account") ? 404 : 400;
            Json.write(resp, status, Map.of("status", status, "detail", String.valueOf(e.getMessage())));
        } catch (IllegalStateException e) {
            Json.write(resp, 409, Map.of("status", 409, "detail", String.valueOf(e.getMessage())));
        }
    }

    private void route(AccountAdministration admin, String[] path, HttpServletRequest req, HttpServletResponse resp)
            throws IOException {
        String method = req.getMethod();
        if (path.length == 1 && path[0].equals("accounts") && method.equals("POST")) {
            Map<String, Object> body = Json.readObject(req, resp);
            if (body == null) {
                return;
            }
            String id = text(body, "id");
            Money balance = money(body, "balance", text(body, "currency", Money.DEFAULT_CURRENCY));
            Set<String> entitlements = new TreeSet<>();
            if (body.get("entitlements") instanceof Collection<?> c) {
                c.forEach(e -> entitlements.add(String.valueOf(e)));
            }
            boolean created = admin.openAccount(id, balance, entitlements);
            if (!created) {
                throw new IllegalStateException("account exists: " + id);
            }
            resp.setHeader("Location", req.getContextPath() + "/admin/accounts/" + id);
            Json.write(resp, 201, view(admin.account(id)));
        } else if (path.length == 2 && path[0].equals("accounts") && method.equals("GET")) {
            Optional<Account> a = admin.account(path[1]);
            if (a.isEmpty()) {
                throw new IllegalArgumentException("no such account: " + path[1]);
            }
            Json.write(resp, 200, view(a));
        } else if (path.length == 3 && path[0].equals("accounts") && method.equals("POST")
                && (path[2].equals("credit") || path[2].equals("debit"))) {
            Map<String, Object> body = Json.readObject(req, resp);
            if (body == null) {
                return;
            }
            String currency = admin.account(path[1]).map(a -> a.balance().currency())
                    .orElseThrow(() -> new IllegalArgumentException("no such account: " + path[1]));
            Money amount = money(body, "amount", currency);
            String reference = text(body, "reference", null);
            Money after = path[2].equals("credit") ? admin.credit(path[1], amount, reference)
                    : admin.debit(path[1], amount, reference);
            Json.write(resp, 200, Map.of("account", path[1], "balance", after.amount(), "currency", after.currency()));
        } else if (path.length == 4 && path[0].equals("accounts") && path[2].equals("entitlements")
                && (method.equals("PUT") || method.equals("DELETE"))) {
            if (method.equals("PUT")) {
                admin.grant(path[1], path[3]);
            } else {
                admin.revoke(path[1], path[3]);
            }
            Json.write(resp, 200, view(admin.account(path[1])));
        } else if (path.length == 3 && path[0].equals("accounts") && path[2].equals("statement") && method.equals("GET")) {
            Instant from = instant(req.getParameter("from"), Instant.EPOCH);
            Instant to = instant(req.getParameter("to"), Instant.now().plusSeconds(1));
            int limit = req.getParameter("limit") == null ? 1000 : Integer.parseInt(req.getParameter("limit"));
            List<Map<String, Object>> lines = new ArrayList<>();
            for (LedgerEntry e : admin.statement(path[1], from, to, limit)) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("id", e.id());
                m.put("at", e.at().toString());
                m.put("kind", e.kind().name().toLowerCase(java.util.Locale.ROOT));
                m.put("available", e.availableDelta());
                m.put("held", e.heldDelta());
                m.put("currency", e.currency());
                m.put("hold", e.holdId());
                m.put("reference", e.reference());
                lines.add(m);
            }
            Json.write(resp, 200, Map.of("account", path[1], "entries", lines));
        } else {
            resp.sendError(HttpServletResponse.SC_NOT_FOUND);
        }
    }

    private static Map<String, Object> view(Optional<Account> account) {
        Account a = account.orElseThrow(() -> new IllegalArgumentException("no such account"));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account", a.id());
        m.put("balance", a.balance().amount());
        m.put("currency", a.balance().currency());
        m.put("entitlements", new TreeSet<>(a.entitlements()));
        return m;
    }

    private static String text(Map<String, Object> body, String name) {
        String v = text(body, name, null);
        if (v == null || v.isBlank()) {
            throw new IllegalArgumentException("\"" + name + "\" is required");
        }
        return v;
    }

    private static String text(Map<String, Object> body, String name, String fallback) {
        Object v = body.get(name);
        return v == null ? fallback : String.valueOf(v);
    }

    /** Amounts as JSON strings ("0.25") or numbers, read exactly. */
    private static Money money(Map<String, Object> body, String name, String currency) {
        Object v = body.get(name);
        if (v == null) {
            throw new IllegalArgumentException("\"" + name + "\" is required");
        }
        String text = v instanceof BigDecimal d ? d.toPlainString() : String.valueOf(v);
        return Money.parse(text, currency);
    }

    private static Instant instant(String text, Instant fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 instant: " + text);
        }
    }
}
