package dev.tollgate.ledger;

import dev.tollgate.spi.ApiKey;
import java.util.Objects;

/**
 * A key just issued: the only moment its secret exists outside the caller's hands. Show
 * {@link #secret()} to its owner once and do not store or log it; the ledger keeps only
 * {@link ApiKey#hash()}. {@link #toString()} leaves the secret out.
 *
 * @param key what the ledger keeps about the key
 * @param secret the key itself, as the caller will send it ({@code X-API-Key} or {@code Bearer})
 */
public record IssuedKey(ApiKey key, String secret) {

    // Validates.
    public IssuedKey {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(secret, "secret");
    }

    @Override
    public String toString() {
        return "IssuedKey[" + key + "]";
    }
}
