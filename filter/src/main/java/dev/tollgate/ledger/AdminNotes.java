package dev.tollgate.ledger;

import dev.tollgate.spi.ApiKey;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * The text of the {@link LedgerEntry.Kind#NOTE} entries that record an operator's action without
 * money: {@code [admin:ACTOR] ACTION}, the same shape as the reference of an operator's credit or
 * debit, so a statement reader splits both the same way. Every note is built here, so the built-in
 * ledgers write the same words. A note names a key by its id and display prefix, never by its
 * secret or its hash. Stateless and thread-safe.
 */
public final class AdminNotes {

    /** An actor: 1 to 64 of {@code A-Z a-z 0-9 . _ -} (the admin credential names). */
    private static final Pattern ACTOR = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private AdminNotes() {
    }

    /**
     * {@return the actor, checked}
     *
     * @param actor who acted
     * @throws IllegalArgumentException if it is not 1 to 64 of {@code A-Z a-z 0-9 . _ -}
     */
    public static String requireActor(String actor) {
        if (actor == null || !ACTOR.matcher(actor).matches()) {
            throw new IllegalArgumentException("an actor must be 1 to 64 of A-Z a-z 0-9 . _ -");
        }
        return actor;
    }

    /**
     * {@return {@code [admin:ACTOR] ACTION}, cut to {@link AccountLimits#MAX_REFERENCE_LENGTH}}
     *
     * @param actor who acted ({@link #requireActor})
     * @param action what was done, without control characters
     */
    public static String reference(String actor, String action) {
        String r = "[admin:" + requireActor(actor) + "] " + action.replaceAll("\\p{Cntrl}", "?");
        int max = AccountLimits.MAX_REFERENCE_LENGTH;
        return r.length() <= max ? r : r.substring(0, max - 1) + "…";
    }

    /**
     * {@return the action of opening an account}
     *
     * @param entitlements the entitlements it was opened with
     */
    public static String opened(Set<String> entitlements) {
        return entitlements.isEmpty() ? "opened the account"
                : "opened the account with entitlements "
                + String.join(", ", new TreeSet<>(entitlements).stream().map(AdminNotes::quoted).toList());
    }

    /**
     * {@return the action of granting an entitlement}
     *
     * @param entitlement the entitlement
     */
    public static String granted(String entitlement) {
        return "granted entitlement " + quoted(entitlement);
    }

    /**
     * {@return the action of revoking an entitlement}
     *
     * @param entitlement the entitlement
     */
    public static String revoked(String entitlement) {
        return "revoked entitlement " + quoted(entitlement);
    }

    /**
     * {@return the action of issuing a key}
     *
     * @param key the key issued
     */
    public static String issuedKey(ApiKey key) {
        return "issued key " + named(key) + (key.expiresAt() == null ? "" : " expiring " + key.expiresAt());
    }

    /**
     * {@return the action of importing a key}
     *
     * @param key the key imported
     */
    public static String importedKey(ApiKey key) {
        return "imported key " + named(key) + (key.expiresAt() == null ? "" : " expiring " + key.expiresAt());
    }

    /**
     * {@return the action of revoking a key}
     *
     * @param key the key revoked
     */
    public static String revokedKey(ApiKey key) {
        return "revoked key " + named(key);
    }

    /**
     * {@return the action of rotating a key}
     *
     * @param old the key replaced
     * @param fresh the key issued in its place
     * @param grace how long the old key keeps working
     */
    public static String rotatedKey(ApiKey old, ApiKey fresh, Duration grace) {
        return "rotated key " + named(old) + " to " + named(fresh) + ", grace " + grace.toSeconds() + " s";
    }

    private static String named(ApiKey key) {
        return key.id() + " (" + key.displayPrefix() + "…)";
    }

    private static String quoted(String o) {
        return "\"" + o + "\"";
    }
}
