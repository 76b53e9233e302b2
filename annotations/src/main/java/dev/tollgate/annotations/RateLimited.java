package dev.tollgate.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Repeatable;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.time.temporal.ChronoUnit;

/**
 * Limits how often a servlet, or one of its {@code doGet}/{@code doPost}/… methods, may be
 * called. Requests over the limit are answered with {@code 429 Too Many Requests}, a
 * {@code Retry-After} header and {@code RateLimit-Policy}/{@code RateLimit} headers.
 *
 * <p>The annotation is repeatable. All limits on one target that share a {@link #key()}
 * (and {@link #header()}) form one bucket with several bandwidths: a request is admitted by
 * all of them or by none, and a rejected request consumes nothing.
 *
 * <pre>{@code
 * @RateLimited(requests = 5, period = 60, unit = ChronoUnit.SECONDS)           // per payer
 * @RateLimited(requests = 1000, period = 1, unit = ChronoUnit.DAYS, name = "daily")
 * public class SearchServlet extends HttpServlet { ... }
 * }</pre>
 *
 * <p>Limits on a method replace those on the class for that HTTP method. Tokens are refilled
 * greedily: {@code requests = 5, period = 60} gives back one request every 12 seconds rather
 * than five at the end of each minute. Limits are checked before any payment, so floods of
 * unpaid requests never reach the ledger.
 *
 * <p><b>Plans.</b> A limit with an {@link #entitlement()} applies instead of the limits without one
 * to payers who hold that entitlement:
 * <pre>{@code
 * @RateLimited(requests = 10, period = 1, unit = ChronoUnit.MINUTES)
 * @RateLimited(requests = 100, period = 1, unit = ChronoUnit.MINUTES, entitlement = "premium", name = "premium")
 * }</pre>
 * The first entitlement (in declaration order) the payer holds picks its limits; everyone else
 * gets the limits without an entitlement, of which there must be at least one.
 *
 * <p><b>Where buckets live.</b> In this JVM by default; in PostgreSQL or Redis, shared by every
 * node, when the application configures a shared store. {@link #onStoreFailure()} says what
 * happens when that store fails.
 *
 * <p>Values are checked when the web application starts; a zero or negative value, a
 * {@link #tokens()} larger than {@link #requests()}, or {@link KeyBy#HEADER} without a
 * {@link #header()} fails the deployment with a message that names the class, the method
 * and the member.
 */
@Documented
@Inherited
@Repeatable(RateLimited.List.class)
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface RateLimited {

    /**
     * How many requests (strictly: tokens, see {@link #tokens()}) are allowed per
     * {@link #period()}; also the largest burst. Must be at least 1.
     *
     * @return the number of requests per period
     */
    long requests();

    /**
     * The length of the period in {@link #unit()}s. Must be at least 1.
     *
     * @return the period length
     */
    long period() default 1;

    /**
     * The unit of {@link #period()}, from {@link ChronoUnit#MILLIS} to {@link ChronoUnit#DAYS}.
     *
     * @return the period unit; seconds by default
     */
    ChronoUnit unit() default ChronoUnit.SECONDS;

    /**
     * What requests are counted by.
     *
     * @return the key; {@link KeyBy#PAYER} by default
     */
    KeyBy key() default KeyBy.PAYER;

    /**
     * The request header to count by when {@link #key()} is {@link KeyBy#HEADER}; must be
     * empty otherwise.
     *
     * @return the header name, or {@code ""}
     */
    String header() default "";

    /**
     * How many tokens one request takes. Must be between 1 and {@link #requests()}.
     *
     * @return tokens per request; 1 by default
     */
    long tokens() default 1;

    /**
     * The policy name shown in the {@code RateLimit-Policy} and {@code RateLimit} headers and
     * in {@code 429} bodies (printable ASCII without {@code "} or {@code \}). The empty string
     * (the default) derives a name such as {@code "payer-5-per-60s"}.
     *
     * @return the policy name, or {@code ""} for a derived one
     */
    String name() default "";

    /**
     * The class that computes the key when {@link #key()} is {@link KeyBy#CUSTOM}: it implements
     * {@code dev.tollgate.spi.RateLimitKeyResolver} and has a public no-argument constructor.
     * Must be left unset otherwise.
     *
     * @return the resolver class, or {@code void.class} for none
     */
    Class<?> resolver() default void.class;

    /**
     * The entitlement whose holders get this limit instead of the limits without an entitlement
     * (see "Plans" above).
     *
     * @return the entitlement, or {@code ""} for the default limits
     */
    String entitlement() default "";

    /**
     * Which requests count against the limit; tokens of requests that do not count are given back
     * after the response.
     *
     * @return {@link Count#ALL} by default
     */
    Count count() default Count.ALL;

    /**
     * A shadow limit only reports: it is counted, shown in the {@code RateLimit} headers and logged
     * (and sent to a {@code RateLimitListener}) when exceeded, but never refuses a request. Use it
     * to try a new limit on real traffic.
     *
     * @return {@code false} by default
     */
    boolean shadow() default false;

    /**
     * What to do when the shared store of the buckets fails or times out.
     *
     * @return {@link StoreFailure#DEFAULT} by default: the application's configured choice
     */
    StoreFailure onStoreFailure() default StoreFailure.DEFAULT;

    /**
     * The container of repeated {@link RateLimited} annotations; written by the compiler.
     */
    @Documented
    @Inherited
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.TYPE, ElementType.METHOD})
    @interface List {

        /**
         * The repeated annotations.
         *
         * @return the limits, in declaration order
         */
        RateLimited[] value();
    }
}
