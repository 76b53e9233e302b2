package dev.tollgate.spi;

import java.util.Objects;

/**
 * Who pays for a request, as identified by a {@link PayerResolver}.
 *
 * <p>A resolver's payer carries the credential itself for keys and tokens; when the ledger implements
 * {@link KeyLookup}, the payer Tollgate passes on (to the ledger, rate limits and the request attribute
 * {@code dev.tollgate.payer}) carries the key's account id instead.
 *
 * @param accountId the account id the ledger knows the payer by (a key or token, until Tollgate looks
 *     it up by its hash)
 * @param source where the identity came from
 */
public record Payer(String accountId, Source source) {

    // Validates.
    public Payer {
        Objects.requireNonNull(accountId, "accountId");
        Objects.requireNonNull(source, "source");
        if (accountId.isEmpty()) {
            throw new IllegalArgumentException("accountId must not be empty");
        }
    }

    /** Where a payer's identity came from. */
    public enum Source {
        /** An API key header (by default {@code X-API-Key}). */
        API_KEY,
        /** An {@code Authorization: Bearer} token. */
        BEARER_TOKEN,
        /** The container's authenticated principal. */
        PRINCIPAL,
        /** An application-specific mechanism. */
        CUSTOM
    }

    @Override
    public String toString() {
        // The id is often a secret API key: never print it whole.
        String id = accountId.length() <= 4 ? "****" : accountId.substring(0, 4) + "****";
        return "Payer[" + id + " via " + source + "]";
    }
}
