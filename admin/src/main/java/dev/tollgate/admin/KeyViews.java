package dev.tollgate.admin;

import dev.tollgate.Tollgate;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.spi.ApiKey;
import jakarta.servlet.ServletContext;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;

/** The JSON of keys, the checks of key requests, and finding the ledgers' administration APIs. */
final class KeyViews {

    /** The longest grace a rotation accepts: a year, in seconds. */
    static final long MAX_GRACE_SECONDS = 366L * 24 * 3600;
    private static final System.Logger AUDIT = System.getLogger("dev.tollgate.admin.audit");

    private KeyViews() {
    }

    /** What is shown of a key: its display prefix, never its hash or secret. */
    static Map<String, Object> view(ApiKey k, Instant now) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", k.id());
        m.put("account", k.accountId());
        m.put("prefix", k.displayPrefix());
        m.put("name", k.name());
        m.put("createdAt", k.createdAt().toString());
        m.put("lastUsedAt", k.lastUsedAt() == null ? null : k.lastUsedAt().toString());
        m.put("expiresAt", k.expiresAt() == null ? null : k.expiresAt().toString());
        m.put("revokedAt", k.revokedAt() == null ? null : k.revokedAt().toString());
        m.put("usable", k.usableAt(now));
        return m;
    }

    /** A key just issued: its view and, this once, its secret. */
    static Map<String, Object> issued(IssuedKey k, Instant now) {
        Map<String, Object> m = view(k.key(), now);
        m.put("secret", k.secret());
        return m;
    }

    static String name(Map<String, Object> body) {
        Object v = body.get("name");
        if (v == null) {
            return null;
        }
        if (!(v instanceof String s) || s.length() > ApiKey.MAX_NAME_LENGTH
                || !s.chars().allMatch(c -> c >= 0x20 && c != 0x7f)) {
            throw AdminProblem.badRequest("\"name\" must be a string of at most " + ApiKey.MAX_NAME_LENGTH
                    + " characters without control characters.");
        }
        return s;
    }

    static Instant expiresAt(Map<String, Object> body) {
        Object v = body.get("expiresAt");
        if (v == null) {
            return null;
        }
        if (v instanceof String s && s.length() <= 64) {
            try {
                return Instant.parse(s);
            } catch (DateTimeParseException e) {
                // the 400 below
            }
        }
        throw AdminProblem.badRequest("\"expiresAt\" must be an ISO-8601 instant such as \"2027-01-31T00:00:00Z\".");
    }

    static boolean live(Map<String, Object> body) {
        Object v = body.get("live");
        if (v == null) {
            return true;
        }
        if (v instanceof Boolean b) {
            return b;
        }
        throw AdminProblem.badRequest("\"live\" must be true or false.");
    }

    static Duration grace(Map<String, Object> body) {
        Object v = body.get("graceSeconds");
        if (v == null) {
            return Duration.ZERO;
        }
        if (v instanceof BigDecimal d && d.signum() >= 0 && d.compareTo(BigDecimal.valueOf(MAX_GRACE_SECONDS)) <= 0
                && d.stripTrailingZeros().scale() <= 0) {
            return Duration.ofSeconds(d.longValueExact());
        }
        throw AdminProblem.badRequest("\"graceSeconds\" must be a whole number from 0 to " + MAX_GRACE_SECONDS + ".");
    }

    /** A key id: {@code key_} and hex digits; anything else cannot name a key (404). */
    static String keyId(String id) {
        if (id == null || id.length() > 64 || !id.matches("key_[0-9a-f]{1,60}")) {
            throw AdminProblem.notFound("no such key");
        }
        return id;
    }

    static Object ledger(Object fixed, ServletContext context) {
        if (fixed != null) {
            return fixed;
        }
        return context == null ? null : Tollgate.from(context).map(Tollgate::ledger).orElse(null);
    }

    static AccountAdministration accounts(Object ledger) {
        if (ledger instanceof AccountAdministration a) {
            return a;
        }
        throw new AdminProblem(501, "Not Implemented", null, "This ledger has no administration API.");
    }

    static KeyAdministration keys(Object ledger) {
        if (ledger instanceof KeyAdministration k) {
            return k;
        }
        throw new AdminProblem(501, "Not Implemented", null, "This ledger does not keep keys apart from accounts.");
    }

    /**
     * One line per admin change without money, also when the ledger records it as a {@code note}
     * entry (a custom ledger may not: the SPI's defaults record nothing); never a secret.
     */
    static void audit(String actor, String action, String target) {
        AUDIT.log(System.Logger.Level.INFO, "admin {0} {1} {2}", actor, action, target);
    }
}
