package dev.tollgate.spi;

import java.util.Objects;

/**
 * The idempotency key of a {@link Charge} and a fingerprint of the request it belongs to.
 *
 * <p>When the client sent an {@code Idempotency-Key} header, {@link #clientSupplied()} is true and
 * the ledger must remember the key for the payer: a second charge with the same key and the same
 * fingerprint is answered with the first one's outcome instead of charging again; the same key with
 * another fingerprint is a conflict. When the client sent none, the filter generates a unique key
 * that the ledger may use for its own bookkeeping but need not remember.
 *
 * @param key the key: 1 to 255 printable ASCII characters
 * @param fingerprint a digest (hex SHA-256) of the request's method, target and body; compared for
 *     equality only
 * @param clientSupplied whether the client chose the key (and expects replay protection)
 */
public record Idempotency(String key, String fingerprint, boolean clientSupplied) {

    /** The longest key accepted: {@value} characters. */
    public static final int MAX_KEY_LENGTH = 255;

    // Rejects empty, over-long and non-printable keys.
    public Idempotency {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(fingerprint, "fingerprint");
        if (!isValidKey(key)) {
            throw new IllegalArgumentException("idempotency key must be 1 to " + MAX_KEY_LENGTH
                    + " printable ASCII characters");
        }
    }

    /**
     * Tells whether a string is acceptable as a key.
     *
     * @param key the candidate
     * @return whether it is 1 to 255 printable ASCII characters (no spaces or controls)
     */
    public static boolean isValidKey(String key) {
        int n = key.length();
        if (n == 0 || n > MAX_KEY_LENGTH) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = key.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }
}
