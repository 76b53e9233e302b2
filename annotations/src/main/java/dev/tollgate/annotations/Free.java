package dev.tollgate.annotations;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks one {@code doGet}/{@code doPost}/… method as free of charge although its class is
 * annotated with {@link RequiresPayment}.
 *
 * <p>It only removes the price and entitlement requirement; {@link RateLimited} limits that
 * apply to the method still apply. Combining {@code @Free} and {@code @RequiresPayment} on
 * the same method fails the deployment.
 *
 * <pre>{@code
 * @RequiresPayment(price = "10")
 * public class ReportsServlet extends HttpServlet {
 *     @Free
 *     protected void doOptions(HttpServletRequest req, HttpServletResponse resp) { ... }
 * }
 * }</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.METHOD)
public @interface Free {
}
