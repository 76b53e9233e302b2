package dev.tollgate.spi;

import dev.tollgate.Money;
import java.util.Optional;

/**
 * Balances an application already keeps, such as a {@code customer_accounts} table: the small
 * extension point for a ledger written in an afternoon. Wrap it in a
 * {@link dev.tollgate.ledger.BalanceLedger}, which keeps everything else a {@link Ledger} needs
 * (holds, expiry, idempotency records, replayable responses) in a store of Tollgate's own.
 *
 * <p>Only three operations, all on one account and one amount:
 * <ul>
 *   <li>{@link #account}: does the account exist, what is its available balance (and unit), which
 *       entitlements does it hold;</li>
 *   <li>{@link #debit}: take an amount if, and only if, the balance covers it, atomically;</li>
 *   <li>{@link #credit}: give an amount back.</li>
 * </ul>
 * A {@code BalanceLedger} debits the price when it reserves (so the hold is already off the
 * balance), does not touch the balance when it commits, and credits the price back once when a
 * hold is released or expires.
 *
 * <p><b>Failures.</b> A call that cannot answer throws {@link LedgerUnavailableException} (any
 * other runtime exception is treated the same way); the request is then refused with
 * {@code 503}, never let through unpaid. A {@code debit} that throws is taken as <em>not made</em>:
 * nothing is credited back for it. A {@code credit} that throws is taken as not made either, and is
 * called again later with the same reference (the release is retried and the hold still expires).
 * Both assumptions hold for a single atomic statement or transaction; the only gap is an
 * acknowledgement lost after the database committed. Implementations that must close it record
 * the {@code reference} in the same transaction and treat a repeated reference as done.
 *
 * <p><b>Threads.</b> Implementations must be thread-safe: calls come concurrently from request
 * threads (and from the expiry sweep). Calls may block on I/O, but should be bounded in time (a
 * query timeout): they run on the request thread.
 *
 * <p>Amounts are exact ({@link Money}); never convert them to {@code double}.
 */
public interface Balances {

    /**
     * Looks an account up.
     *
     * @param accountId the account id, as produced by the {@link PayerResolver} (such as an API key)
     * @return the account with its available balance and entitlements, or empty when there is none
     *     with this id; the balance's unit is the account's unit
     * @throws LedgerUnavailableException if the balances cannot be read now
     */
    Optional<Account> account(String accountId);

    /**
     * Takes an amount from an account if its balance covers it, atomically: two concurrent debits
     * never take the same money (for example {@code UPDATE … SET credits = credits - ? WHERE
     * api_key = ? AND credits >= ?}, one row updated or none). Never called with a zero amount.
     *
     * @param accountId the account
     * @param amount a positive amount, in the account's unit
     * @param reference a unique id of this debit (Tollgate's hold id), for the application's own
     *     records
     * @return {@code true} if the amount was taken; {@code false}, with nothing changed, if the
     *     balance is too low or the account no longer exists
     * @throws LedgerUnavailableException if the balances cannot be changed now; the debit is then
     *     taken as not made
     */
    boolean debit(String accountId, Money amount, String reference);

    /**
     * Gives back an amount taken by {@link #debit}, unconditionally. Called at most once per
     * successful debit, with that debit's amount and reference, unless an earlier call for it threw.
     *
     * @param accountId the account
     * @param amount the positive amount to add, in the account's unit
     * @param reference the reference of the debit being undone
     * @throws LedgerUnavailableException if the balances cannot be changed now; the credit is then
     *     taken as not made and tried again later
     */
    void credit(String accountId, Money amount, String reference);
}
