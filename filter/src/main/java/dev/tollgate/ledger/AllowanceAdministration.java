package dev.tollgate.ledger;

import dev.tollgate.spi.Allowance;
import java.util.Optional;

/**
 * What an operator does to an account's monthly {@link Allowance}: set it (the account's plan), remove
 * it, read its state. Implemented by the built-in ledgers. Thread-safe.
 *
 * @since issue 12
 */
public interface AllowanceAdministration {

    /**
     * Gives an account an allowance, replacing the one it has. When the unit stays the same, the usage
     * counted in the current period is kept (changing plans mid-month does not grant a fresh allowance);
     * otherwise it starts at zero.
     *
     * @param accountId the account
     * @param allowance the allowance; credits must be in the account's unit
     * @param reference the operator's note, recorded with an {@code ALLOWANCE} entry in the statement; may be
     *     {@code null}
     * @throws IllegalArgumentException if there is no such account or the credits are in another unit;
     *     or the reference breaks {@link AccountLimits}; nothing changes then
     */
    void setAllowance(String accountId, Allowance allowance, String reference);

    /**
     * Removes an account's allowance; charges are then paid from the balance alone. Holds placed
     * before keep their split: a release returns nothing to the removed allowance.
     *
     * @param accountId the account
     * @param reference the operator's note, recorded with an {@code ALLOWANCE} entry when it had one; may be
     *     {@code null}
     * @return whether it had one
     * @throws IllegalArgumentException if there is no such account
     */
    boolean removeAllowance(String accountId, String reference);

    /**
     * {@return an account's allowance in its current period (by this ledger's clock), or empty when it
     * has none}
     *
     * @param accountId the account
     * @throws IllegalArgumentException if there is no such account
     */
    Optional<Allowance.State> allowance(String accountId);
}
