package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * What an operator does to accounts: open, top up, adjust, grant and revoke entitlements, read
 * statements. Implemented by the built-in ledgers; every change is recorded as a
 * {@link LedgerEntry}. Implementations are thread-safe.
 *
 * <p>The changes without money have a second form that takes the operator's name (an
 * {@linkplain AdminNotes#requireActor actor}) and also records the action as a
 * {@link LedgerEntry.Kind#NOTE} entry, atomically with the change where the ledger can (the
 * built-in ledgers do; PostgreSQL in the same transaction). Their defaults, for ledgers that keep
 * no such entries, make the change and record nothing; a caller that must keep an audit trail
 * logs as well.
 *
 * <p>Ids, entitlement names, references and balances follow {@link AccountLimits}; a call that
 * breaks them throws {@link IllegalArgumentException} before anything changes (an admin API answers
 * it with 400), never a ledger-unavailable error.
 */
public interface AccountAdministration {

    /**
     * Opens an account unless one with this id exists.
     *
     * @param id the account id: its own name, never a credential when keys are issued through
     *     {@link KeyAdministration} (a ledger without keys knows payers by their key, token or
     *     principal name)
     * @param balance the opening balance, which also fixes the account's unit
     * @param entitlements the entitlements it holds
     * @return whether the account was created ({@code false}: it existed and was left as it is)
     * @throws IllegalArgumentException if the id or an entitlement breaks {@link AccountLimits} or
     *     the balance exceeds {@link AccountLimits#MAX_BALANCE}
     */
    boolean openAccount(String id, Money balance, Set<String> entitlements);

    /**
     * Opens an account as {@link #openAccount(String, Money, Set)} does and, when it was created,
     * records who opened it in a {@link LedgerEntry.Kind#NOTE} entry. The default records nothing.
     *
     * @param id the account id
     * @param balance the opening balance
     * @param entitlements the entitlements it holds
     * @param actor who opens it ({@link AdminNotes#requireActor}); {@code null} records nothing
     * @return whether the account was created
     * @throws IllegalArgumentException as {@link #openAccount(String, Money, Set)}, or if the actor
     *     is malformed
     */
    default boolean openAccount(String id, Money balance, Set<String> entitlements, String actor) {
        return openAccount(id, balance, entitlements);
    }

    /**
     * Adds money (a top-up).
     *
     * @param id the account
     * @param amount the amount, in the account's unit
     * @param reference the operator's note, such as an invoice number; may be {@code null}
     * @return the available balance afterwards
     * @throws IllegalArgumentException if there is no such account, the unit differs, the id or
     *     reference breaks {@link AccountLimits}, or the available balance plus the money under open
     *     holds would exceed {@link AccountLimits#MAX_BALANCE}; nothing is changed then
     */
    Money credit(String id, Money amount, String reference);

    /**
     * Takes money away (an adjustment); never below zero.
     *
     * @param id the account
     * @param amount the amount, in the account's unit
     * @param reference the operator's note; may be {@code null}
     * @return the available balance afterwards
     * @throws IllegalArgumentException if there is no such account or the unit differs
     * @throws IllegalStateException if the available balance is lower than the amount
     */
    Money debit(String id, Money amount, String reference);

    /**
     * Grants an entitlement (no change when held already).
     *
     * @param id the account
     * @param entitlement the entitlement
     * @throws IllegalArgumentException if there is no such account
     */
    void grant(String id, String entitlement);

    /**
     * Grants an entitlement as {@link #grant(String, String)} does and records who granted it in a
     * {@link LedgerEntry.Kind#NOTE} entry. The default records nothing.
     *
     * @param id the account
     * @param entitlement the entitlement
     * @param actor who grants it ({@link AdminNotes#requireActor}); {@code null} records nothing
     * @throws IllegalArgumentException if there is no such account or the actor is malformed
     */
    default void grant(String id, String entitlement, String actor) {
        grant(id, entitlement);
    }

    /**
     * Revokes an entitlement (no change when not held).
     *
     * @param id the account
     * @param entitlement the entitlement
     * @throws IllegalArgumentException if there is no such account
     */
    void revoke(String id, String entitlement);

    /**
     * Revokes an entitlement as {@link #revoke(String, String)} does and records who revoked it in a
     * {@link LedgerEntry.Kind#NOTE} entry. The default records nothing.
     *
     * @param id the account
     * @param entitlement the entitlement
     * @param actor who revokes it ({@link AdminNotes#requireActor}); {@code null} records nothing
     * @throws IllegalArgumentException if there is no such account or the actor is malformed
     */
    default void revoke(String id, String entitlement, String actor) {
        revoke(id, entitlement);
    }

    /**
     * Looks an account up.
     *
     * @param id the account
     * @return the account, or empty
     */
    Optional<Account> account(String id);

    /**
     * Lists an account's entries in [from, to), oldest first.
     *
     * @param id the account
     * @param from the first instant included
     * @param to the first instant excluded
     * @param limit the most entries returned (1 to 10,000)
     * @return the entries
     * @throws IllegalArgumentException if there is no such account or the limit is out of range
     */
    List<LedgerEntry> statement(String id, Instant from, Instant to, int limit);
}
