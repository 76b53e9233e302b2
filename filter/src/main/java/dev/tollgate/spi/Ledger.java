package dev.tollgate.spi;

import dev.tollgate.Money;
import java.util.Optional;

/**
 * Where payers' balances and entitlements live: the extension point behind
 * {@code @RequiresPayment}.
 *
 * <p>A paid request goes through three verbs, modelled on two-phase transfers (authorize, then
 * capture or void):
 * <ol>
 *   <li>{@link #reserve} before the endpoint runs: check the entitlement and hold the price, or
 *       refuse;</li>
 *   <li>{@link #commit} when the outcome is billable (2xx by default): the held money is
 *       charged;</li>
 *   <li>{@link #release} otherwise (exception, error status, client abort): the held money goes
 *       back.</li>
 * </ol>
 * Tollgate calls exactly one of {@code commit} and {@code release} for every hold, once; a ledger
 * must still make both idempotent (a retry after a timeout) and must expire holds that are
 * never settled (a crashed node), returning their money exactly once.
 *
 * <p><b>Idempotency.</b> When {@link Charge#idempotency()} was supplied by the client, the ledger
 * keeps a record per (account, key): while the first request runs, another {@code reserve} with
 * that key is a {@link Reservation.Conflict} ({@code IN_PROGRESS}); after a commit, a
 * {@code reserve} with the same fingerprint is a {@link Reservation.Replay} of the recorded
 * response and with another fingerprint a {@code Conflict} ({@code KEY_REUSED}). A release
 * forgets the key, so a failed request can be retried. The record and the money must change
 * together: a retry is never charged twice.
 *
 * <p><b>Threads and failures.</b> Implementations must be thread-safe; methods may block but
 * should be bounded in time. A ledger that cannot answer throws
 * {@link LedgerUnavailableException}; the request is then refused with {@code 503} (fail
 * closed). Amounts are exact: never convert them to {@code double}.
 */
public interface Ledger {

    /**
     * Checks the entitlement and places a hold for the price, atomically: two concurrent
     * reservations never spend the same money.
     *
     * @param charge what to hold
     * @return the outcome; never {@code null}
     * @throws LedgerUnavailableException if the ledger cannot answer
     */
    Reservation reserve(Charge charge);

    /**
     * Captures a hold. Idempotent: committing a settled hold returns its state and changes
     * nothing; in particular a released or expired hold is not charged (and Tollgate then refuses
     * the response instead of delivering it unpaid, if it still can).
     *
     * <p>When this method throws, its outcome is unknown to Tollgate (the change may have been made
     * before the connection broke). Tollgate then calls {@link #release} for the hold, retrying in
     * the background until that succeeds; see there.
     *
     * @param hold a hold returned by {@link #reserve}
     * @param response the response to replay for retries with the same client idempotency key,
     *     or {@code null} when the charge had no client key
     * @return the state of the hold after the call
     * @throws LedgerUnavailableException if the ledger cannot answer
     */
    Settlement commit(Hold hold, RecordedResponse response);

    /**
     * Captures part of a hold: charges {@code actual} and returns the rest of the hold to the
     * account, atomically with the commit (a metered call, {@code @RequiresPayment(metered = true)},
     * whose endpoint set what it really cost). The statement shows the charge of {@code actual}
     * (possibly zero) and the return of the rest. Otherwise as {@link #commit(Hold, RecordedResponse)}:
     * idempotent (a second commit, of any amount, returns the state and changes nothing; a released
     * or expired hold is not charged), and a release after a commit that threw undoes what it
     * charged.
     *
     * <p>The default throws {@link UnsupportedOperationException}: a ledger that cannot charge less
     * than it held must never charge the whole hold instead. Tollgate calls this only when
     * {@link #commitsActualAmounts()} is true, and refuses to start (or to serve a Jakarta REST
     * method) when a metered endpoint meets a ledger for which it is false.
     *
     * @param hold a hold returned by {@link #reserve}
     * @param actual the amount to charge: in the hold's unit, between zero and the hold's amount
     *     (see {@link Hold#remainderAfter})
     * @param response as for {@link #commit(Hold, RecordedResponse)}
     * @return the state of the hold after the call
     * @throws IllegalArgumentException if {@code actual} is more than the hold or in another unit;
     *     nothing changes
     * @throws UnsupportedOperationException if this ledger cannot charge part of a hold
     * @throws LedgerUnavailableException if the ledger cannot answer
     */
    default Settlement commit(Hold hold, Money actual, RecordedResponse response) {
        throw new UnsupportedOperationException(getClass().getName() + " cannot charge part of a hold");
    }

    /**
     * {@return whether {@link #commit(Hold, Money, RecordedResponse)} is implemented} False by default.
     */
    default boolean commitsActualAmounts() {
        return false;
    }

    /**
     * Returns a hold's money to the account and forgets its idempotency key. Idempotent:
     * releasing a settled hold returns its state and changes nothing, with one exception: after a
     * {@link #commit} of this hold threw, the client was refused, so a release must undo that
     * commit if it did take effect (and report {@link Settlement#RELEASED}); a ledger that cannot
     * undo it reports {@link Settlement#COMMITTED}, and Tollgate then delivers the response after
     * all when it still can.
     *
     * @param hold a hold returned by {@link #reserve}
     * @return the state of the hold after the call
     * @throws LedgerUnavailableException if the ledger cannot answer; the hold will expire
     */
    Settlement release(Hold hold);

    /**
     * Looks an account up.
     *
     * @param accountId the account id, as produced by the {@link PayerResolver}
     * @return the account, or empty when there is none with this id
     * @throws LedgerUnavailableException if the ledger cannot answer
     */
    Optional<Account> account(String accountId);

    /**
     * {@return where payment schemes may keep single-use claims of credentials in this ledger's
     * store, or empty (the default) to let them keep claims in memory} A ledger shared by several
     * nodes should offer one, so that no node serves a payment another node already served.
     */
    default Optional<dev.tollgate.spi.payment.ClaimStore> claimStore() {
        return Optional.empty();
    }
}
