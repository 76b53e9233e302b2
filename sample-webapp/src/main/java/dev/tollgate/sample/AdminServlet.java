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
 * every call must then send it, in {@code X-Admin-Key} or as a Basic password ({@link AdminAuth}).
 *
 * <pre>
 * POST   /admin/accounts                         {"id":"acme","balance":"100","entitlements":["premium"],"key":"…"}
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
    private static final int MAX_DETAIL = 200;

    @Override
    protected void service(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        if (!AdminAuth.admit(req, resp)) {
            return;
        }
        Object ledger = Tollgate.from(getServletContext()).map(Tollgate::ledger).orElse(null);
        if (!(ledger instanceof AccountAdministration admin)) {
            Json.problem(resp, 501, "Not Implemented", "This ledger has no administration API.");
            return;
        }
        String[] path = req.getPathInfo() == null ? new String[0] : req.getPathInfo().substring(1).split("/", -1);
        try {
            route(admin, path, req, resp);
        } catch (LedgerUnavailableException | dev.tollgate.ledger.postgresql.LedgerSchemaException e) {
            resp.setHeader("Retry-After", "5");
            Json.problem(resp, 503, "Service Unavailable", "The ledger is unavailable.");
        } catch (IllegalArgumentException e) {
            // A client mistake the ledger or Money refused (a bad id, an amount out of range): a 400
            // whose detail is the refusal, cut short, since it may quote what the client sent.
            if (e.getMessage() != null && e.getMessage().startsWith("no such account")) {
                Json.problem(resp, 404, "Not Found", bounded(e.getMessage())); // ours and the ledgers' wording
            } else {
                Json.badRequest(req, resp, bounded(e.getMessage()));
            }
        } catch (IllegalStateException e) {
            Json.problem(resp, 409, "Conflict", bounded(e.getMessage()));
        }
    }

    /** A ledger's or Money's refusal text, cut to a length that does not grow with the input. */
    private static String bounded(String message) {
        if (message == null || message.isBlank()) {
            return "The request was refused.";
        }
        return message.length() <= MAX_DETAIL ? message : message.substring(0, MAX_DETAIL) + "…";
    }

    /** An account id quoted in a message, cut short. */
    private static String quote(String id) {
        return "\"" + (id.length() <= 64 ? id : id.substring(0, 64) + "…") + "\"";
    }

    /** An unknown account (404), with its id cut short. */
    private static final class NoSuchAccountException extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        NoSuchAccountException(String id) {
            super("no such account: " + quote(id));
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
            String key = body.get("key") == null ? null : text(body, "key");
            if (key != null && !(admin instanceof dev.tollgate.ledger.KeyAdministration)) {
                throw new IllegalArgumentException("this ledger keeps no keys; leave out \"key\"");
            }
            if (key != null) {
                dev.tollgate.ledger.KeySecrets.requireImportable(key); // before the account is opened
            }
            boolean created = admin.openAccount(id, balance, entitlements);
            if (!created) {
                throw new IllegalStateException("account exists: " + quote(id));
            }
            if (key != null) {
                ((dev.tollgate.ledger.KeyAdministration) admin).importKey(id, key, "admin", null);
            }
            resp.setHeader("Location", req.getContextPath() + "/admin/accounts/" + id);
            Json.write(resp, 201, view(admin.account(id)));
        } else if (path.length == 2 && path[0].equals("accounts") && method.equals("GET")) {
            Optional<Account> a = admin.account(path[1]);
            if (a.isEmpty()) {
                throw new NoSuchAccountException(path[1]);
            }
            Json.write(resp, 200, view(a));
        } else if (path.length == 3 && path[0].equals("accounts") && method.equals("POST")
                && (path[2].equals("credit") || path[2].equals("debit"))) {
            Map<String, Object> body = Json.readObject(req, resp);
            if (body == null) {
                return;
            }
            String currency = admin.account(path[1]).map(a -> a.balance().currency())
                    .orElseThrow(() -> new NoSuchAccountException(path[1]));
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
            Map<String, String[]> parameters = Json.parameters(req, resp);
            if (parameters == null) {
                return;
            }
            Instant from = instant(Json.first(parameters, "from"), Instant.EPOCH);
            Instant to = instant(Json.first(parameters, "to"), Instant.now().plusSeconds(1));
            int limit = limit(Json.first(parameters, "limit"));
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
        Account a = account.orElseThrow(() -> new NoSuchAccountException("(gone)"));
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

    /**
     * Amounts as JSON strings ("0.25") or numbers, read exactly. A number goes to Money as the
     * parser's BigDecimal, never through toPlainString(): Money refuses 1e400000 by its exponent at
     * once, where its plain text alone would be 400,000 digits.
     */
    private static Money money(Map<String, Object> body, String name, String currency) {
        Object v = body.get(name);
        if (v == null) {
            throw new IllegalArgumentException("\"" + name + "\" is required");
        }
        if (v instanceof BigDecimal d) {
            return new Money(d, currency);
        }
        if (v instanceof String text) {
            return Money.parse(text, currency);
        }
        throw new IllegalArgumentException("\"" + name + "\" must be a decimal number or a string such as \"0.25\"");
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return 1000;
        }
        if (!text.matches("[0-9]{1,6}")) {
            throw new IllegalArgumentException("limit must be a whole number from 0 to 999999");
        }
        return Integer.parseInt(text);
    }

    private static Instant instant(String text, Instant fallback) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("not an ISO-8601 instant: " + quote(text));
        }
    }
}
