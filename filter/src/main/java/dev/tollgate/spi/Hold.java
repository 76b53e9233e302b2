package dev.tollgate.spi;

import dev.tollgate.Money;
import java.time.Instant;
import java.util.Objects;

/**
 * Money set aside on an account by {@link Ledger#reserve}, to be {@linkplain Ledger#commit
 * committed} (captured) or {@linkplain Ledger#release released} exactly once. A hold that is
 * neither by {@link #expiresAt()} expires, and its amount returns to the account.
 *
 * @param id the ledger's identifier for the hold
 * @param account the account the hold is on
 * @param amount the amount held (zero for an entitlement check)
 * @param expiresAt when the ledger will release the hold by itself
 */
public record Hold(String id, String account, Money amount, Instant expiresAt) {

    // Validates.
    public Hold {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(expiresAt, "expiresAt");
    }
}
