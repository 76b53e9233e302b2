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

    /**
     * What goes back to the account when only {@code actual} of this hold is charged (a metered
     * call, see {@link Ledger#commit(Hold, Money, RecordedResponse)}).
     *
     * @param actual the amount to charge: in the hold's unit, at most {@link #amount()}
     * @return {@code amount - actual}, zero when all is charged
     * @throws IllegalArgumentException if {@code actual} is in another unit or more than the hold
     */
    public Money remainderAfter(Money actual) {
        Objects.requireNonNull(actual, "actual");
        if (!actual.currency().equals(amount.currency())) {
            throw new IllegalArgumentException("hold " + id + " is in " + amount.currency() + ", not " + actual.currency());
        }
        if (actual.amount().compareTo(amount.amount()) > 0) {
            throw new IllegalArgumentException("hold " + id + " holds " + amount + ", less than the actual amount "
                    + actual);
        }
        return amount.minus(actual);
    }
}
