package dev.tollgate.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Puts a price, an entitlement requirement, or both on a servlet or on one of its
 * {@code doGet}/{@code doPost}/… methods.
 *
 * <p>On a class, the policy covers every HTTP method the servlet implements, except
 * {@code OPTIONS} and {@code TRACE} (so CORS pre-flight requests are never charged).
 * On a method, it replaces the class-level annotation for that HTTP method. {@code HEAD}
 * takes the {@code GET} policy unless {@code doHead} is annotated itself. Use {@link Free}
 * to exempt one method of a priced class.
 *
 * <p>A request to a covered endpoint must identify a payer (an API key, a bearer token or
 * the container principal). The price is held on the payer's account before the endpoint
 * runs and captured only when the outcome is billable (a 2xx status by default); a failed
 * request releases the hold. Requests that cannot pay are answered with
 * {@code 402 Payment Required}.
 *
 * <pre>{@code
 * @RequiresPayment(price = "0.25", description = "One stock quote")
 * public class QuotesServlet extends HttpServlet { ... }
 * }</pre>
 *
 * <p>Values are checked when the web application starts: an unparsable or negative price,
 * a blank entitlement, or an annotation that sets neither a price nor an entitlement fails
 * the deployment with a message that names the class, the method and the member.
 */
@Documented
@Inherited
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RequiresPayment {

    /**
     * The price of one call as an exact, non-negative decimal string, such as {@code "5"} or
     * {@code "0.25"} (at most 18 digits after the point). Parsed with
     * {@link java.math.BigDecimal}, never through a binary floating-point type. The empty
     * string (the default) means no per-call price: then {@link #entitlement()} must be set.
     *
     * @return the price per call, or {@code ""} for none
     */
    String price() default "";

    /**
     * The unit the price is expressed in: a currency code or the name of a credit unit
     * (letters, digits, {@code . _ -}; at most 32 characters). The payer's account must be
     * kept in the same unit.
     *
     * @return the unit of {@link #price()}; {@code "credits"} by default
     */
    String currency() default "credits";

    /**
     * The name of an entitlement (a feature or plan, such as {@code "premium"}) that the
     * payer must hold. The empty string (the default) means none is required.
     *
     * @return the required entitlement, or {@code ""} for none
     */
    String entitlement() default "";

    /**
     * A short human description of what is being paid for, shown in {@code 402} responses
     * (for example {@code "One stock quote"}).
     *
     * @return the description, or {@code ""} to use a generic one
     */
    String description() default "";

    /**
     * Whether the endpoint sets what a call really costs, up to {@link #price()}: the price is then
     * the most a call can cost. It is held before the endpoint runs; the endpoint sets the actual
     * amount through {@code dev.tollgate.Metering.of(request).charge(...)} before its response's
     * first byte leaves; the ledger charges that and returns the rest. A call that sets no amount
     * is charged the whole price. Needs a price and a ledger that can charge part of a hold (the
     * built-in ledgers can); otherwise the deployment fails.
     *
     * @return {@code true} for a metered endpoint; {@code false} (the default) for a fixed price
     */
    boolean metered() default false;

    /**
     * The payment schemes this endpoint accepts, in order (a request is handled by the first whose
     * credential it carries; a {@code 402} offers them all in this order): {@code "account"} for
     * prepaid accounts, or the name of a payment scheme module. Each name is 1 to 64 characters of
     * {@code a-z 0-9 . _ -}; a name no scheme has fails the start (servlets) or makes the endpoint
     * answer {@code 503} (Jakarta REST, whose resources are read on first use). Empty (the default)
     * means the schemes of the {@code tollgate.schemes} parameter ({@code account} unless set).
     *
     * @return the accepted schemes, or an empty array for the configured default
     */
    String[] schemes() default {};
}
