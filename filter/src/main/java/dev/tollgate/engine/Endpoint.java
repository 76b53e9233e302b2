package dev.tollgate.engine;

/**
 * What Tollgate enforces on one endpoint (a servlet and HTTP method, or a resource method): a price
 * or entitlement, rate limits, or both. Obtained from {@link Engine#policyFor}; handed back to
 * {@link Engine#admit}. Immutable and thread-safe; built once per endpoint, so its rate-limit
 * buckets are shared by every request to it.
 */
public interface Endpoint {

    /** {@return where the policy was declared, for logs, such as {@code com.example.QuoteResource.quote}} */
    String origin();

    /** {@return whether a request must be paid for (a price or an entitlement)} */
    boolean isPaid();

    /** {@return whether any rate limit applies} */
    boolean isLimited();
}
