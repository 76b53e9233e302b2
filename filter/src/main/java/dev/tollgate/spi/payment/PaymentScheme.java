package dev.tollgate.spi.payment;

import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import jakarta.servlet.http.HttpServletRequest;

/**
 * A way a request pays for a priced endpoint: what a {@code 402} offers, how the request's
 * credential is read, and the reserve → commit or release of one payment. The prepaid accounts of
 * Tollgate's ledger (API key or bearer token) are the built-in scheme {@value #ACCOUNT}; others
 * (x402, the IETF "Payment" authentication scheme, a test token) are modules that list their class
 * in {@code META-INF/services/dev.tollgate.spi.payment.PaymentScheme} or are given to
 * {@link dev.tollgate.TollgateConfig.Builder#paymentScheme}. The {@code tollgate.schemes}
 * parameter names the schemes priced endpoints accept, in order (default {@value #ACCOUNT}).
 *
 * <p>The life of a paid request, for the scheme that handles it (see the package documentation for
 * the whole contract):
 * <ol>
 *   <li>{@link #credential}: {@code null} when the request carries none of this scheme's
 *       credentials; a {@link MalformedCredentialException} makes a {@code 400} problem. When no
 *       accepted scheme finds a credential, the {@code 402} lists every scheme's {@link #offer}.</li>
 *   <li>{@link #reserve}: before the endpoint runs. {@link Reserved.Held} admits the request;
 *       {@link Reserved.Refused} answers instead of it.</li>
 *   <li>{@link #commit} when the endpoint's response is billable, before any byte of it leaves;
 *       {@link #release} otherwise. Exactly one of the two, at most once per hold.</li>
 * </ol>
 *
 * <p>Implementations are called concurrently and must be thread-safe. Every method may block (a
 * facilitator or database round trip) but should be bounded: it runs on the request thread. A
 * method that throws a runtime exception is treated as "unavailable": reserve answers {@code 503}
 * and nothing is let through (fail closed), commit as an {@linkplain Committed.Unknown unknown
 * outcome}, release is logged.
 *
 * @param <C> what the scheme reads from a request (a key, a signed authorization)
 * @param <H> what it needs to commit or release a reservation
 */
public interface PaymentScheme<C, H> {

    /** The name of the built-in scheme of prepaid ledger accounts: {@value}. */
    String ACCOUNT = "account";

    /**
     * {@return the scheme's name: its {@code payment-options} entry's {@code scheme}, and how
     * {@code tollgate.schemes} names it} 1 to 64 characters of {@code [a-z0-9._-]}, unique.
     */
    String name();

    /**
     * Called once when Tollgate starts, before any request, with the scheme's parameters and the
     * endpoints that accept it: the place to read configuration and to check, against a remote
     * service if needed, that every endpoint can be served. Blocks the start; should be bounded.
     * The default does nothing.
     *
     * @param context the parameters, clock, ledger and endpoints
     * @throws RuntimeException to stop the deployment; the message should name the endpoint or the
     *     parameter at fault
     */
    default void start(SchemeContext context) {
    }

    /**
     * What a {@code 402} of an endpoint offers in this scheme: {@code payment-options} members and
     * response headers (such as {@code PAYMENT-REQUIRED} or {@code WWW-Authenticate}). Tollgate adds
     * the headers as it adds its own protocol headers: a custom renderer cannot drop them. Called
     * for every such {@code 402}; should not block.
     *
     * @param terms what the endpoint costs
     * @return the offer; {@link Offer#NONE} when this scheme cannot pay for these terms (such as an
     *     entitlement it cannot grant)
     */
    Offer offer(Terms terms);

    /**
     * Reads this scheme's credential from a request. Must not read the request body.
     *
     * @param request the request
     * @return the credential, or {@code null} when the request carries none of this scheme's
     * @throws MalformedCredentialException when the request carries one that cannot be parsed; its
     *     message is sent to the client in a {@code 400} problem, so it must not echo secrets
     */
    C credential(HttpServletRequest request) throws MalformedCredentialException;

    /**
     * Reserves the payment of one call before its endpoint runs (an account hold, a claimed
     * authorization that a facilitator verified).
     *
     * <p>Entitlements are the account scheme's: Tollgate does not check them for other schemes, so a
     * scheme that cannot grant {@link Terms#entitlement()} must refuse (not hold) such terms.
     *
     * @param credential what {@link #credential} read
     * @param terms what the endpoint costs
     * @param idempotency the request's idempotency key and fingerprint (a generated key when it
     *     sent none); a scheme that keeps no idempotency records may ignore it
     * @return {@link Reserved.Held} to run the endpoint, {@link Reserved.Refused} to answer
     *     instead, or {@link Reserved.Replayed} for a response recorded for the same key
     */
    Reserved<H> reserve(C credential, Terms terms, Idempotency idempotency);

    /**
     * Captures a reservation: the endpoint gave a billable response that has not left yet (unless
     * {@code canReplace} is false: it had to leave first, and the charge must follow it).
     *
     * @param hold what {@link Reserved.Held#handle()} carried
     * @param recorded the response to keep for replays of the idempotency key, or {@code null}
     * @param canReplace whether the response can still be replaced by a refusal
     * @return {@link Committed.Paid} (with evidence headers for the response), {@link Committed.Declined}
     *     (definitively not paid: a {@code 402}) or {@link Committed.Unknown} (a {@code 503} without a
     *     fresh offer: the client must not pay again before the outcome is known)
     */
    Committed commit(H hold, RecordedResponse recorded, boolean canReplace);

    /**
     * Captures part of a reservation: a metered endpoint ({@code @RequiresPayment(metered = true)}) set
     * what the call really cost, at most the reserved price, and the rest goes back to the payer.
     * Schemes that can do this say so with {@link #commitsActualAmounts()}; Tollgate calls this only
     * for them (a metered endpoint that accepts a scheme that cannot fails the start).
     *
     * @param hold what {@link Reserved.Held#handle()} carried
     * @param actual the amount to charge, in the price's unit, from zero to the reserved price
     * @param recorded the response to keep for replays of the idempotency key, or {@code null}
     * @param canReplace whether the response can still be replaced by a refusal
     * @return as for {@link #commit(Object, RecordedResponse, boolean)}
     * @throws UnsupportedOperationException by default: the scheme cannot charge part of a reservation
     */
    default Committed commit(H hold, dev.tollgate.Money actual, RecordedResponse recorded, boolean canReplace) {
        throw new UnsupportedOperationException(name() + " cannot charge part of a reservation");
    }

    /** {@return whether {@link #commit(Object, dev.tollgate.Money, RecordedResponse, boolean)} is supported} */
    default boolean commitsActualAmounts() {
        return false;
    }

    /**
     * Lets a reservation go: the endpoint failed or gave a response that is not billable, or the
     * call timed out. Must not throw for an unknown or already released hold.
     *
     * @param hold what {@link Reserved.Held#handle()} carried
     * @param why for logs
     */
    void release(H hold, String why);
}
