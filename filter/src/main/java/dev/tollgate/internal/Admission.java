package dev.tollgate.internal;

import dev.tollgate.Money;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Payer;

/**
 * What the engine decided before the endpoint runs.
 *
 * <ul>
 *   <li>{@link #ANSWERED}: the request was answered (refused, or replayed) through the
 *       {@link Exchange}; the endpoint must not run, nothing is left to settle.</li>
 *   <li>free ({@link #hold()} {@code null}): run the endpoint; then
 *       {@link Enforcer#settleLimit(RateLimitDecision, boolean)} when {@link #limit()} needs the
 *       outcome.</li>
 *   <li>paid: run the endpoint, then commit or release {@link #hold()} exactly once.</li>
 * </ul>
 *
 * @param hold the hold to settle, or {@code null}
 * @param limit the rate-limit decision, or {@code null}
 * @param payer the paying party, or {@code null} when free
 * @param balance the balance after the hold, or {@code null}
 * @param replayable whether the request carries an {@code Idempotency-Key}, so its response is recorded
 * @param body the request body read to fingerprint it, to hand to the endpoint again; or {@code null}
 */
public record Admission(Hold hold, RateLimitDecision limit, Payer payer, Money balance, boolean replayable,
                        byte[] body) {

    /** The request was answered; the endpoint must not run. */
    public static final Admission ANSWERED = new Admission(null, null, null, null, false, null);

    static Admission free(RateLimitDecision limit) {
        return new Admission(null, limit, null, null, false, null);
    }

    /** {@return whether the request was answered and the endpoint must not run} */
    public boolean answered() {
        return this == ANSWERED;
    }

    /** {@return whether a hold waits for settlement} */
    public boolean paid() {
        return hold != null;
    }
}
