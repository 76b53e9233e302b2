package dev.tollgate.spi;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Objects;

/**
 * What a ledger keeps about one API key: never the key itself, only its {@linkplain #hash(String)
 * hash}, a short non-secret {@link #displayPrefix()} and its lifecycle. An account has any number of
 * keys; each key belongs to exactly one account.
 *
 * <p>A key is usable at an instant when it has not expired and has not been revoked by then
 * ({@link #usableAt}); a rotated key carries a {@link #revokedAt()} in the future (the end of its grace
 * period). Refused keys are answered exactly like unknown ones.
 *
 * <p><b>The hash</b> is SHA-256 of the key's UTF-8 bytes, in lower-case hex (64 characters). Keys
 * Tollgate generates carry at least 128 random bits, so a fast hash cannot be reversed by guessing, and
 * a slow password hash (bcrypt, Argon2) would only add milliseconds to every request; the lookup by
 * hash is one index probe. No secret pepper is mixed in, so the PostgreSQL upgrade can hash existing
 * keys in SQL and every node computes the same hash without sharing a secret; see
 * {@code docs/keys-and-accounts.md}.
 *
 * @param id the key's own id, not secret: {@code key_} and 20 hex digits, of the hash for a
 *     generated key ({@link #idOf}), random for an imported one
 * @param accountId the account the key belongs to
 * @param hash the key's hash ({@link #hash(String)})
 * @param displayPrefix the first characters of the key, for people to tell keys apart
 * @param name the operator's name for the key; may be empty
 * @param createdAt when the key was issued or imported
 * @param lastUsedAt when the key was last seen, coarsely (written at most about once a minute per
 *     key); {@code null} when never
 * @param expiresAt when the key stops working; {@code null} for never
 * @param revokedAt when the key was or will be revoked (a rotated key's grace ends then);
 *     {@code null} when not revoked
 */
public record ApiKey(String id, String accountId, String hash, String displayPrefix, String name, Instant createdAt,
                     Instant lastUsedAt, Instant expiresAt, Instant revokedAt) {

    /** The longest key name: {@value} characters. */
    public static final int MAX_NAME_LENGTH = 200;

    // Validates.
    public ApiKey {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(hash, "hash");
        Objects.requireNonNull(displayPrefix, "displayPrefix");
        Objects.requireNonNull(createdAt, "createdAt");
        name = name == null ? "" : name;
        if (!isHash(hash)) {
            throw new IllegalArgumentException("hash must be 64 lower-case hex digits");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("key name longer than " + MAX_NAME_LENGTH + " characters");
        }
    }

    /**
     * {@return whether the key is accepted at this instant: not expired and not (yet) revoked}
     *
     * @param now the instant
     */
    public boolean usableAt(Instant now) {
        return (expiresAt == null || now.isBefore(expiresAt)) && (revokedAt == null || now.isBefore(revokedAt));
    }

    /**
     * {@return the hash a ledger stores for a key: SHA-256 of its UTF-8 bytes, 64 lower-case hex digits}
     *
     * @param key the key as the caller sends it
     */
    public static String hash(String key) {
        Objects.requireNonNull(key, "key");
        // One digest per thread: Tollgate hashes the key of every request. The value is a JDK class,
        // so the thread-local pins no application class loader.
        MessageDigest sha256 = SHA256.get();
        sha256.reset();
        return HEX.formatHex(sha256.digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private static final HexFormat HEX = HexFormat.of();
    private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    });

    /**
     * {@return the id of the key with this hash: {@code key_} and its first 20 hex digits}
     *
     * @param hash a key's {@link #hash(String) hash}
     */
    public static String idOf(String hash) {
        if (!isHash(hash)) {
            throw new IllegalArgumentException("hash must be 64 lower-case hex digits");
        }
        return "key_" + hash.substring(0, 20);
    }

    /** {@return whether a string has the shape of a hash} */
    static boolean isHash(String s) {
        if (s == null || s.length() != 64) {
            return false;
        }
        for (int i = 0; i < 64; i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "ApiKey[" + id + " " + displayPrefix + "… of " + accountId + "]";
    }
}
