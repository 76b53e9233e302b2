/**
 * Payment schemes: how a request pays for a priced endpoint. Implement
 * {@link dev.tollgate.spi.payment.PaymentScheme} in your own module, list the class in
 * {@code META-INF/services/dev.tollgate.spi.payment.PaymentScheme} (or give an instance to
 * {@link dev.tollgate.TollgateConfig.Builder#paymentScheme}), and name it in
 * {@code tollgate.schemes} (such as {@code account,x402}). The built-in scheme {@code account} is
 * the prepaid accounts of the {@link dev.tollgate.spi.Ledger}. {@code docs/payment-schemes.md} walks
 * through a complete example.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li><b>Choice.</b> Priced endpoints accept the schemes {@code tollgate.schemes} names, in order.
 *       A request is handled by the first whose {@code credential} it carries. A credential that
 *       cannot be parsed is a {@code 400} ({@code malformed-request}, the exception's message as
 *       detail). With none, the {@code 402} ({@code payment-required}) lists every scheme's
 *       {@code offer}: their options under {@code payment-options}, their headers on the response.
 *       With {@code account} alone the {@code 402} is exactly what Tollgate always sent.</li>
 *   <li><b>Headers.</b> Offer, refusal and decline headers are added like Tollgate's own protocol
 *       headers ({@code Cache-Control}, {@code Retry-After}): a custom
 *       {@link dev.tollgate.spi.DenialRenderer} cannot drop them; they replace its headers of the
 *       same name. Evidence headers of a commit are added to the endpoint's response.</li>
 *   <li><b>Order.</b> Rate limits are taken before {@code reserve}; a refusal by the scheme counts
 *       as a failed request for them. {@code reserve} runs before the endpoint; exactly one of
 *       {@code commit} (billable status, before any byte of the response leaves) or {@code release}
 *       (anything else, including a timeout) follows, once, from whichever thread ends the call.</li>
 *   <li><b>Outcomes.</b> {@code Committed.Declined} (definitively not paid) replaces the response with
 *       a {@code 402} ({@code payment-declined}) carrying the scheme's offer and headers;
 *       {@code Committed.Unknown} replaces it with a {@code 503} with {@code Retry-After} and no
 *       fresh offer, so a client never pays twice for one call. Once the response has left (a
 *       streamed body larger than Tollgate holds back), neither can replace it: it stays delivered
 *       and the event is logged; a scheme that can retry settlement should.</li>
 *   <li><b>Failures.</b> A scheme that throws fails closed: {@code credential} or {@code reserve}
 *       give a {@code 503} and nothing runs; {@code commit} counts as an unknown outcome;
 *       {@code release} is logged. An {@code offer} that throws is logged and left out of the
 *       {@code 402}.</li>
 *   <li><b>Threads.</b> Implementations are shared by all requests and must be thread-safe. Calls may
 *       block but should be bounded: they run on the request thread (or a container's completion
 *       thread for asynchronous requests).</li>
 *   <li><b>Life.</b> A scheme found by {@code ServiceLoader} needs a public no-argument constructor;
 *       if it is {@link java.lang.AutoCloseable} Tollgate closes it when the application stops.</li>
 * </ul>
 */
package dev.tollgate.spi.payment;
