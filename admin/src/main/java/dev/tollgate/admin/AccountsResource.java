package dev.tollgate.admin;

import dev.tollgate.Money;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.AccountLimits;
import dev.tollgate.ledger.AdminNotes;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.spi.Allowance;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.ledger.KeySecrets;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.Account;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Accounts: open, read, credit, debit, grant and revoke entitlements, set and remove the monthly
 * allowance, statements. Every credit, debit and allowance change is recorded in the statement with the
 * admin credential's name as its actor (see {@link #reference}); every other change (opening,
 * entitlements, keys) as a {@code note} entry with its actor and action, written by the ledger with the
 * change ({@link AdminNotes}), and on the {@code dev.tollgate.admin.audit} logger for ledgers that keep
 * no notes. Paths are relative to where the admin API is mounted.
 */
@Path("accounts")
public final class AccountsResource {

    /** The most entries a statement returns when no limit is asked for. */
    static final int DEFAULT_LIMIT = 1000;
    private static final Pattern ACTOR = Pattern.compile("\\[admin:([A-Za-z0-9._-]{1,64})\\](?: (.*))?",
            Pattern.DOTALL);

    private final Object fixed;
    private final Clock clock;

    @Context
    private ServletContext servletContext;

    /**
     * Made by {@link TollgateAdmin#components()}.
     *
     * @param fixed the ledger to administer, or {@code null} for the deployment's Tollgate ledger
     * @param clock the clock that tells whether a key is usable now
     */
    public AccountsResource(Object fixed, Clock clock) {
        this.fixed = fixed;
        this.clock = clock;
    }

    /**
     * Opens an account: {@code {"id":"acme","balance":"100","currency":"credits","entitlements":["premium"]}},
     * optionally with {@code "key"}: a key of the caller's choosing imported for it (stored as a hash;
     * for migrations and demos; issued keys are the default).
     *
     * @param body the request body
     * @param uri the request's URI
     * @param security who is asking
     * @return 201 with the account and its {@code Location}; 409 if it exists
     * @throws IOException if the body cannot be read
     */
    @POST
    public Response open(InputStream body, @Context UriInfo uri, @Context SecurityContext security)
            throws IOException {
        AccountAdministration admin = administration();
        Map<String, Object> b = JsonBody.read(body);
        String id = AccountLimits.requireValidId(text(b, "id", true));
        Money balance = money(b, "balance", text(b, "currency", false) == null ? Money.DEFAULT_CURRENCY
                : text(b, "currency", false));
        Set<String> entitlements = new TreeSet<>();
        Object e = b.get("entitlements");
        if (e instanceof Collection<?> c) {
            for (Object o : c) {
                entitlements.add(AccountLimits.requireValidEntitlement((String) o));
            }
        } else if (e != null) {
            throw AdminProblem.badRequest("\"entitlements\" must be an array of strings.");
        }
        String key = text(b, "key", false);
        KeyAdministration keys = null;
        if (key != null) {
            Object ledger = KeyViews.ledger(fixed, servletContext);
            if (!(ledger instanceof KeyAdministration k)) {
                throw AdminProblem.badRequest("This ledger keeps no keys; leave out \"key\".");
            }
            keys = k;
            KeySecrets.requireImportable(key); // before the account is opened
        }
        if (!admin.openAccount(id, balance, entitlements, actor(security))) {
            throw AdminProblem.conflict("account exists: " + Problems.quote(id));
        }
        KeyViews.audit(actor(security), "opened", Problems.quote(id));
        if (keys != null) {
            ApiKey imported = keys.importKey(id, key, actor(security), null, actor(security));
            KeyViews.audit(actor(security), "imported key " + imported.id() + " for", Problems.quote(id));
        }
        return Response.created(uri.getAbsolutePathBuilder().segment(id).build())
                .type(Problems.JSON).entity(Problems.json(view(find(admin, id)))).build();
    }

    /**
     * Reads an account.
     *
     * @param id the account
     * @return the account's balance, unit and entitlements; 404 if there is none
     */
    @GET
    @Path("{id}")
    public Response get(@PathParam("id") String id) {
        return ok(view(find(administration(), id)));
    }

    /**
     * Sets the account's monthly allowance (its plan's), replacing the one it has:
     * {@code {"plan":"starter","unit":"calls","calls":1000,"anchorDay":15}} or
     * {@code {"plan":"starter","unit":"credits","amount":"5.00"}}; {@code anchorDay} 1 (the calendar month,
     * the default) to 31. Recorded in the statement with the admin's name as actor.
     *
     * @param id the account
     * @param body the request body
     * @param security who is asking
     * @return the account afterwards, with its allowance
     * @throws IOException if the body cannot be read
     */
    @PUT
    @Path("{id}/allowance")
    public Response setAllowance(@PathParam("id") String id, InputStream body, @Context SecurityContext security)
            throws IOException {
        AccountAdministration admin = administration();
        AllowanceAdministration allowances = allowances();
        Account account = find(admin, id);
        Map<String, Object> b = JsonBody.read(body);
        String plan = text(b, "plan", true);
        if (plan.length() > AccountLimits.MAX_ID_LENGTH || !plan.strip().equals(plan) || plan.chars().anyMatch(
                ch -> Character.isISOControl(ch) || Character.isSurrogate((char) ch))) {
            throw AdminProblem.badRequest("\"plan\" must be 1 to " + AccountLimits.MAX_ID_LENGTH
                    + " characters without control characters or surrounding spaces.");
        }
        String unit = text(b, "unit", true);
        int anchorDay = anchorDay(b.get("anchorDay"));
        Allowance allowance;
        String currency = account.balance().currency();
        if (unit.equals("credits")) {
            if (b.containsKey("calls")) {
                throw AdminProblem.badRequest("An allowance of credits takes \"amount\", not \"calls\".");
            }
            String asked = text(b, "currency", false);
            if (asked != null && !asked.equals(currency)) {
                throw AdminProblem.badRequest("The account is kept in " + Problems.quote(currency)
                        + "; its allowance's credits must be too, not " + Problems.quote(asked) + ".");
            }
            Money amount = money(b, "amount", currency);
            if (amount.amount().signum() <= 0) {
                throw AdminProblem.badRequest("\"amount\" must be more than zero.");
            }
            allowance = Allowance.credits(plan, amount, anchorDay);
        } else if (unit.equals("calls")) {
            if (b.containsKey("amount") || b.containsKey("currency")) {
                throw AdminProblem.badRequest("An allowance of calls takes \"calls\", not \"amount\" or \"currency\".");
            }
            allowance = Allowance.calls(plan, calls(b.get("calls")), anchorDay);
        } else {
            throw AdminProblem.badRequest("\"unit\" must be \"credits\" or \"calls\".");
        }
        String reference = reference(actor(security), "allowance " + describe(allowance));
        allowances.setAllowance(id, allowance, reference);
        KeyViews.audit(actor(security), "set the allowance " + describe(allowance) + " of", Problems.quote(id));
        return ok(view(find(admin, id)));
    }

    /**
     * Removes the account's allowance; its charges are then paid from the balance alone.
     *
     * @param id the account
     * @param security who is asking
     * @return the account afterwards; 404 if it had no allowance
     */
    @DELETE
    @Path("{id}/allowance")
    public Response removeAllowance(@PathParam("id") String id, @Context SecurityContext security) {
        AccountAdministration admin = administration();
        AllowanceAdministration allowances = allowances();
        find(admin, id);
        if (!allowances.removeAllowance(id, reference(actor(security), "allowance removed"))) {
            throw AdminProblem.notFound("account " + Problems.quote(id) + " has no allowance");
        }
        KeyViews.audit(actor(security), "removed the allowance of", Problems.quote(id));
        return ok(view(find(admin, id)));
    }

    private static String describe(Allowance a) {
        return Problems.quote(a.plan()) + ": " + a.limit().toPlainString() + " "
                + (a.unit() == Allowance.Unit.CALLS ? "calls" : a.currency()) + " per month from day " + a.anchorDay();
    }

    private static int anchorDay(Object v) {
        if (v == null) {
            return 1;
        }
        if (v instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0 && d.compareTo(BigDecimal.ONE) >= 0
                && d.compareTo(BigDecimal.valueOf(31)) <= 0) {
            return d.intValue();
        }
        throw AdminProblem.badRequest("\"anchorDay\" must be a whole number from 1 to 31.");
    }

    private static long calls(Object v) {
        if (v == null) {
            throw AdminProblem.badRequest("\"calls\" is required.");
        }
        if (v instanceof BigDecimal d && d.stripTrailingZeros().scale() <= 0 && d.signum() > 0
                && d.compareTo(BigDecimal.valueOf(Allowance.MAX_CALLS)) <= 0) {
            return d.longValueExact();
        }
        throw AdminProblem.badRequest("\"calls\" must be a whole number from 1 to " + Allowance.MAX_CALLS + ".");
    }

    private AllowanceAdministration allowances() {
        Object ledger = KeyViews.ledger(fixed, servletContext);
        if (ledger instanceof AllowanceAdministration a) {
            return a;
        }
        throw new AdminProblem(501, "Not Implemented", null, "This ledger keeps no allowances.");
    }

    /**
     * Adds money: {@code {"amount":"50","reference":"invoice 7"}}.
     *
     * @param id the account
     * @param body the request body
     * @param security who is asking
     * @return the balance afterwards
     * @throws IOException if the body cannot be read
     */
    @POST
    @Path("{id}/credit")
    public Response credit(@PathParam("id") String id, InputStream body, @Context SecurityContext security)
            throws IOException {
        return change(id, body, security, true);
    }

    /**
     * Takes money away (never below zero): {@code {"amount":"5","reference":"correction"}}.
     *
     * @param id the account
     * @param body the request body
     * @param security who is asking
     * @return the balance afterwards; 409 if the available balance is lower
     * @throws IOException if the body cannot be read
     */
    @POST
    @Path("{id}/debit")
    public Response debit(@PathParam("id") String id, InputStream body, @Context SecurityContext security)
            throws IOException {
        return change(id, body, security, false);
    }

    private Response change(String id, InputStream body, SecurityContext security, boolean credit)
            throws IOException {
        AccountAdministration admin = administration();
        Account account = find(admin, id);
        Map<String, Object> b = JsonBody.read(body);
        Money amount = money(b, "amount", account.balance().currency());
        String reference = reference(actor(security), text(b, "reference", false));
        Money after = credit ? admin.credit(id, amount, reference) : admin.debit(id, amount, reference);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account", id);
        m.put("balance", after.amount());
        m.put("currency", after.currency());
        return ok(m);
    }

    /**
     * Grants an entitlement.
     *
     * @param id the account
     * @param name the entitlement
     * @param security who is asking
     * @return the account afterwards
     */
    @PUT
    @Path("{id}/entitlements/{name}")
    public Response grant(@PathParam("id") String id, @PathParam("name") String name,
                          @Context SecurityContext security) {
        AccountAdministration admin = administration();
        find(admin, id);
        admin.grant(id, AccountLimits.requireValidEntitlement(name), actor(security));
        KeyViews.audit(actor(security), "granted " + Problems.quote(name) + " to", Problems.quote(id));
        return ok(view(find(admin, id)));
    }

    /**
     * Revokes an entitlement.
     *
     * @param id the account
     * @param name the entitlement
     * @param security who is asking
     * @return the account afterwards
     */
    @DELETE
    @Path("{id}/entitlements/{name}")
    public Response revoke(@PathParam("id") String id, @PathParam("name") String name,
                           @Context SecurityContext security) {
        AccountAdministration admin = administration();
        find(admin, id);
        admin.revoke(id, AccountLimits.requireValidEntitlement(name), actor(security));
        KeyViews.audit(actor(security), "revoked " + Problems.quote(name) + " from", Problems.quote(id));
        return ok(view(find(admin, id)));
    }

    /**
     * Lists an account's keys, usable or not, oldest first: display prefixes, never secrets.
     *
     * @param id the account
     * @return the keys
     */
    @GET
    @Path("{id}/keys")
    public Response keys(@PathParam("id") String id) {
        Object ledger = KeyViews.ledger(fixed, servletContext);
        KeyAdministration keys = KeyViews.keys(ledger);
        find(KeyViews.accounts(ledger), id);
        List<Map<String, Object>> out = new ArrayList<>();
        Instant now = clock.instant();
        for (ApiKey k : keys.keys(id)) {
            out.add(KeyViews.view(k, now));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", id);
        body.put("keys", out);
        return ok(body);
    }

    /**
     * Issues a key: {@code {"name":"ci","expiresAt":"2027-01-01T00:00:00Z","live":true}} (all optional).
     *
     * @param id the account
     * @param body the request body (may be {@code {}})
     * @param uri the request's URI
     * @param security who is asking
     * @return 201 with the key and, this once, its secret
     * @throws IOException if the body cannot be read
     */
    @POST
    @Path("{id}/keys")
    public Response issueKey(@PathParam("id") String id, InputStream body, @Context UriInfo uri,
                             @Context SecurityContext security) throws IOException {
        Object ledger = KeyViews.ledger(fixed, servletContext);
        KeyAdministration keys = KeyViews.keys(ledger);
        find(KeyViews.accounts(ledger), id);
        Map<String, Object> b = JsonBody.read(body);
        Instant now = clock.instant();
        Instant expiresAt = KeyViews.expiresAt(b);
        if (expiresAt != null && !expiresAt.isAfter(now)) {
            throw AdminProblem.badRequest("\"expiresAt\" must be in the future.");
        }
        IssuedKey k = keys.issueKey(id, KeyViews.name(b), expiresAt, KeyViews.live(b), actor(security));
        KeyViews.audit(actor(security), "issued key " + k.key().id() + " for", Problems.quote(id));
        return Response.created(uri.getBaseUriBuilder().path("keys").segment(k.key().id()).build())
                .type(Problems.JSON).header("Cache-Control", "no-store")
                .entity(Problems.json(KeyViews.issued(k, now))).build();
    }

    /**
     * Lists an account's entries in [from, to), oldest first.
     *
     * @param id the account
     * @param from the first instant included (ISO-8601; default the epoch)
     * @param to the first instant excluded (default a second from now)
     * @param limit the most entries (1 to 10,000; default {@value #DEFAULT_LIMIT})
     * @return the entries, each with its actor when an admin made it, and for {@code note} entries
     *     the action
     */
    @GET
    @Path("{id}/statement")
    public Response statement(@PathParam("id") String id, @QueryParam("from") String from,
                              @QueryParam("to") String to, @QueryParam("limit") String limit) {
        AccountAdministration admin = administration();
        find(admin, id);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (LedgerEntry e : admin.statement(id, instant(from, Instant.EPOCH, "from"),
                instant(to, Instant.now().plusSeconds(1), "to"), limit(limit))) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", e.id());
            m.put("at", e.at().toString());
            m.put("kind", e.kind().name().toLowerCase(Locale.ROOT));
            m.put("available", e.availableDelta());
            m.put("held", e.heldDelta());
            m.put("currency", e.currency());
            m.put("hold", e.holdId());
            if (e.allowanceDelta().signum() != 0) {
                m.put("allowance", e.allowanceDelta());
            }
            Matcher a = e.reference() == null ? null : ACTOR.matcher(e.reference());
            if (a != null && a.matches() && e.kind() == LedgerEntry.Kind.NOTE) {
                m.put("actor", a.group(1));
                m.put("action", a.group(2));
                m.put("reference", null);
            } else if (a != null && a.matches()) {
                m.put("actor", a.group(1));
                m.put("reference", a.group(2));
            } else {
                m.put("reference", e.reference());
            }
            lines.add(m);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("account", id);
        body.put("entries", lines);
        return ok(body);
    }

    /**
     * The reference stored for an admin's credit or debit: {@code [admin:NAME] note}. The ledgers
     * keep one free-text reference per entry; the statement splits it back into {@code actor} and
     * {@code reference}.
     */
    static String reference(String actor, String note) {
        String r = "[admin:" + actor + "]" + (note == null || note.isEmpty() ? "" : " " + note);
        if (r.length() > AccountLimits.MAX_REFERENCE_LENGTH) {
            throw AdminProblem.badRequest("\"reference\" must be at most "
                    + (AccountLimits.MAX_REFERENCE_LENGTH - actor.length() - 10) + " characters.");
        }
        return AccountLimits.requireValidReference(r);
    }

    static String actor(SecurityContext security) {
        if (security == null || security.getUserPrincipal() == null) {
            throw new IllegalStateException("no admin credential on the request"); // the filter sets one
        }
        return security.getUserPrincipal().getName();
    }

    private AccountAdministration administration() {
        return KeyViews.accounts(KeyViews.ledger(fixed, servletContext));
    }

    private static Account find(AccountAdministration admin, String id) {
        if (!AccountLimits.isValidId(id)) {
            throw AdminProblem.notFound("no such account: " + Problems.quote(id));
        }
        Optional<Account> a = admin.account(id);
        return a.orElseThrow(() -> AdminProblem.notFound("no such account: " + Problems.quote(id)));
    }

    private Map<String, Object> view(Account a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("account", a.id());
        m.put("balance", a.balance().amount());
        m.put("currency", a.balance().currency());
        m.put("entitlements", new TreeSet<>(a.entitlements()));
        if (KeyViews.ledger(fixed, servletContext) instanceof AllowanceAdministration allowances) {
            allowances.allowance(a.id()).ifPresent(s -> m.put("allowance", allowanceView(s)));
        }
        return m;
    }

    /** An allowance's state: plan, unit, limit, used, remaining, anchor day, period start and reset (ISO-8601). */
    static Map<String, Object> allowanceView(Allowance.State s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("plan", s.allowance().plan());
        m.put("unit", s.allowance().unit().name().toLowerCase(Locale.ROOT));
        m.put("limit", s.allowance().limit());
        if (s.allowance().currency() != null) {
            m.put("currency", s.allowance().currency());
        }
        m.put("used", s.used());
        m.put("remaining", s.remaining());
        m.put("anchorDay", s.allowance().anchorDay());
        m.put("periodStart", s.periodStart().toString());
        m.put("resetsAt", s.resetsAt().toString());
        return m;
    }

    static Response ok(Object body) {
        return Response.ok(Problems.json(body), Problems.JSON).header("Cache-Control", "no-store").build();
    }

    private static String text(Map<String, Object> body, String name, boolean required) {
        Object v = body.get(name);
        if (v == null || (v instanceof String s && s.isBlank())) {
            if (required) {
                throw AdminProblem.badRequest("\"" + name + "\" is required.");
            }
            return null;
        }
        if (!(v instanceof String s)) {
            throw AdminProblem.badRequest("\"" + name + "\" must be a string.");
        }
        return s;
    }

    /**
     * An amount as a JSON string ({@code "0.25"}) or number, read exactly (a number is the parser's
     * BigDecimal: {@link Money} refuses {@code 1e400000} by its exponent at once), not negative, at
     * most {@link AccountLimits#MAX_BALANCE}. Zero is allowed, as the sample's admin servlet allowed it.
     */
    private static Money money(Map<String, Object> body, String name, String currency) {
        Object v = body.get(name);
        Money m;
        if (v instanceof BigDecimal d) {
            m = new Money(d, currency);
        } else if (v instanceof String s) {
            m = Money.parse(s, currency);
        } else if (v == null) {
            throw AdminProblem.badRequest("\"" + name + "\" is required.");
        } else {
            throw AdminProblem.badRequest("\"" + name + "\" must be a decimal number or a string such as \"0.25\".");
        }
        if (m.amount().compareTo(AccountLimits.MAX_BALANCE) > 0) {
            throw AdminProblem.badRequest("\"" + name + "\" must be at most " + AccountLimits.MAX_BALANCE + ".");
        }
        return m;
    }

    private static int limit(String text) {
        if (text == null || text.isBlank()) {
            return DEFAULT_LIMIT;
        }
        if (!text.matches("[0-9]{1,6}")) {
            throw AdminProblem.badRequest("limit must be a whole number from 1 to 10000.");
        }
        return Integer.parseInt(text);
    }

    private static Instant instant(String text, Instant fallback, String name) {
        if (text == null || text.isBlank()) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw AdminProblem.badRequest(name + " is not an ISO-8601 instant: " + Problems.quote(text));
        }
    }
}
