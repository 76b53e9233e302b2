package dev.tollgate.internal;

import java.util.List;
import java.util.Objects;

/**
 * What Tollgate enforces for one (servlet, HTTP method): payment terms, rate limits, or both.
 * Immutable; built once at start-up.
 *
 * @param servletName the servlet's registration name
 * @param method the HTTP method, or {@code *} for methods without their own entry
 * @param origin where the annotations were found, for logs, such as
 *     {@code com.example.ReportsServlet.doGet}
 * @param payment the payment terms, or {@code null} when the method is free
 * @param buckets the rate-limit buckets, possibly empty
 */
public record Policy(String servletName, String method, String origin, PaymentTerms payment, List<BucketSpec> buckets) {

    // Validates and copies.
    public Policy {
        Objects.requireNonNull(servletName, "servletName");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(origin, "origin");
        buckets = List.copyOf(buckets);
    }

    /** {@return whether the request must be paid for (a price or an entitlement)} */
    public boolean isPaid() {
        return payment != null;
    }

    /** {@return whether any rate limit applies} */
    public boolean isLimited() {
        return !buckets.isEmpty();
    }

    /** {@return a copy for another HTTP method (HEAD taking GET's policy)} */
    Policy forMethod(String otherMethod) {
        return new Policy(servletName, otherMethod, origin, payment, buckets);
    }
}
