package dev.tollgate.engine;

import dev.tollgate.Money;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RecordedResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * An admitted call, from admission until it is settled. A paid call holds a reservation, made by
 * the payment scheme whose credential the request carried (a hold on the ledger for the built-in
 * account scheme), that must be committed (billable outcome) or released exactly once, and before
 * any byte of a billable response reaches the client; a free call may still owe its rate limits
 * the outcome.
 *
 * <p>Thread-safe: a call may be settled from the thread that ran the endpoint, from an async
 * completion or from a container callback, and only the first of {@link #settle}, {@link #release}
 * and {@link #abandon} takes effect on the hold. The methods never throw for a ledger or payment
 * scheme failure: a failed commit or one of unknown outcome becomes a {@link Settled.Replace} (a 503)
 * while the response can still be replaced, and a background retry afterwards (account scheme); a
 * payment a scheme declines becomes a {@code 402}; a failed release is retried in the background.
 * They may block on the ledger or the scheme.
 */
public non-sealed interface Ticket extends Admission {

    /** {@return headers for the endpoint's response (rate-limit state), in order} */
    List<Map.Entry<String, String>> headers();

    /** {@return whether a hold waits for settlement (the call is priced or needs an entitlement)} */
    boolean isPaid();

    /** {@return the paying party, or empty for a free call or a payment scheme that names none} */
    Optional<Payer> payer();

    /**
     * {@return the reservation of a paid call as its payment scheme describes it (for the account
     * scheme, the hold on the ledger), or {@code null} for a free call}
     */
    Hold hold();

    /** {@return the payer's available balance after the hold, or {@code null} when unknown or free} */
    Money balance();

    /** {@return whether the request carries an {@code Idempotency-Key}, so its response is recorded for replays} */
    boolean isReplayable();

    /**
     * {@return the request body the engine read to fingerprint the request, for the endpoint to read
     * instead; {@code null} when the engine read none}
     */
    byte[] requestBody();

    /**
     * {@return whether a response with this status is charged}
     *
     * @param status the final status
     */
    boolean isBillable(int status);

    /**
     * Settles a paid call with its outcome: commits the hold when the status is billable, releases it
     * otherwise. Only the first settlement of a call reaches the ledger; later calls return what the
     * first decided ({@link Settled#deliver()}, or {@link Settled#replaced()} when the first replaced
     * the response). A paid call's {@link Settled.Deliver} may carry the payment scheme's evidence
     * headers, which the adapter adds to the response. A billable response of a call already released by {@link #abandon} (a timeout)
     * is not delivered unpaid: it is replaced. A free call returns {@link Settled#deliver()}.
     *
     * @param status the endpoint's final status
     * @param recorder gives the response to keep for replays; called only for a billable
     *     {@linkplain #isReplayable() replayable} call, at most once; may return {@code null}
     * @param canReplace whether nothing of the response has reached the client yet, so it can
     *     still be replaced by a refusal
     * @return what the adapter must do with the response
     */
    Settled settle(int status, Supplier<RecordedResponse> recorder, boolean canReplace);

    /**
     * Releases the hold of a call whose endpoint failed before a byte of its response left; does
     * nothing when the call is settled already.
     *
     * @param why for the debug log
     */
    void release(String why);

    /**
     * Releases the hold of a call that ended without its adapter settling it (async timeout or error,
     * a request that never reached the adapter's response step) and tells its rate limits it failed.
     * A later billable {@link #settle} of the same call is {@linkplain Settled.Replace replaced}.
     * Does nothing to a call already settled.
     *
     * @param why for the debug log
     */
    void abandon(String why);

    /**
     * Tells rate limits that count only some outcomes how the call ended; only the first call counts.
     *
     * @param succeeded whether the call succeeded (final status below 400, not replaced)
     */
    void finish(boolean succeeded);
}
