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
