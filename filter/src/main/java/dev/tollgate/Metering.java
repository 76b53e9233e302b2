package dev.tollgate;

import jakarta.servlet.ServletRequest;
import java.util.Optional;

/**
 * What a metered call really costs, set by its endpoint while it runs: the handle of one paid
 * request to an endpoint declared with {@code @RequiresPayment(price = "<maximum>", metered = true)}.
 * The price is held before the endpoint runs; the endpoint {@linkplain #charge sets} the actual
 * amount (by the tokens of an answer, the rows of a report); the ledger charges that and returns
 * the rest of the hold. A call that sets nothing is charged the whole price.
 *
 * <pre>{@code
 * Metering.of(request).charge(Money.credits(Integer.toString(rows / 100 + 1)));
 * }</pre>
 * In a Jakarta REST resource, pass the injected {@code @Context HttpServletRequest}.
 *
 * <p><b>Rules.</b> The amount is exact ({@link Money}), in the price's unit, and at most the
 * price: a larger amount, or another unit, is a programming error and {@link #charge} throws
 * {@link IllegalArgumentException} without changing anything (the call stays charged the price if
 * the endpoint goes on and succeeds). Zero is allowed: the statement then shows a charge of zero
 * for a billable call. The amount counts only when the outcome is billable (a 2xx status by
 * default); otherwise the whole hold is released as for any paid call. The charge is made when the
 * first byte of the response leaves (or when the response completes): an amount set after that is
 * ignored, with a warning in the log, so set it before writing a body larger than the response
 * buffer or flushing. A retry with the same {@code Idempotency-Key} replays the recorded response
 * and is never charged again.
 *
 * <p>Thread-safe: the endpoint may set the amount from any thread (an async completion); the last
 * amount set before the charge counts.
 */
public interface Metering {

    /** The request attribute under which a metered call's handle is kept. */
    String ATTRIBUTE = "dev.tollgate.Metering";

    /**
     * {@return the handle of a metered call}
     *
     * @param request the request being served (the servlet's, or a Jakarta REST resource's injected
     *     {@code HttpServletRequest})
     * @throws IllegalStateException if the request is not a metered call that Tollgate admitted
     *     (the endpoint lacks {@code metered = true}, or Tollgate does not enforce it)
     */
    static Metering of(ServletRequest request) {
        return find(request).orElseThrow(() -> new IllegalStateException("this request is not a metered paid call:"
                + " declare @RequiresPayment(price = \"<maximum>\", metered = true) on its endpoint"));
    }

    /**
     * {@return the handle of a metered call, or empty when the request is not one}
     *
     * @param request the request being served
     */
    static Optional<Metering> find(ServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Metering m ? Optional.of(m) : Optional.empty();
    }

    /** {@return the price held for the call: the most it can cost} */
    Money reserved();

    /** {@return the amount set so far, or empty when none was set (the call then costs {@link #reserved()})} */
    Optional<Money> actual();

    /**
     * Sets what the call costs, replacing an amount set earlier.
     *
     * @param actual the amount, in the unit of {@link #reserved()}, at most {@link #reserved()}
     * @return {@code true} if it counts; {@code false} if the call was settled already (its
     *     response had started to leave, or it failed), so the amount is ignored (logged as a warning)
     * @throws IllegalArgumentException if {@code actual} is more than {@link #reserved()} or in
     *     another unit; nothing changes
     */
    boolean charge(Money actual);
}
