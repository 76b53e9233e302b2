package dev.tollgate.spi;

import java.util.Optional;

/**
 * Turns an API key or bearer token into the account it belongs to, by the key's hash: implemented by
 * a {@link Ledger} that keeps accounts and keys apart (both built-in ledgers do). When the configured
 * ledger implements it, Tollgate never hands a caller's key to the ledger: it hashes the credential
 * ({@link ApiKey#hash(String)}), asks {@link #findKey} (the answer is cached for
 * {@value #CACHE_SECONDS} seconds per key hash), refuses a key that is unknown or not
 * {@linkplain ApiKey#usableAt usable} exactly like an unknown account ({@code 401}), and charges the
 * key's {@linkplain ApiKey#accountId() account}. A ledger that does not implement it receives the
 * credential itself as the account id, as before.
 *
 * <p>A revoked key is therefore refused on every node within {@value #CACHE_SECONDS} seconds of its
 * revocation; an expiry is exact (checked against Tollgate's clock on every request).
 *
 * <p>Implementations are thread-safe; {@link #findKey} may block on I/O but should be bounded in time.
 */
public interface KeyLookup {

    /** How long Tollgate trusts one answer of {@link #findKey} for a key hash: {@value} seconds. */
    int CACHE_SECONDS = 15;

    /**
     * Finds a key by its hash, usable or not (Tollgate checks {@link ApiKey#usableAt}). The ledger may
     * note the use (coarsely: at most about once a minute per key, never a write per request).
     *
     * @param hash the key's hash ({@link ApiKey#hash(String)})
     * @return the key, or empty when no key has this hash
     * @throws LedgerUnavailableException if the ledger cannot answer (the request gets {@code 503})
     */
    Optional<ApiKey> findKey(String hash);
}
