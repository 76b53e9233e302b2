package dev.tollgate.internal;

import java.time.Duration;
import java.util.List;

/**
 * The outcome of a rate-limit check. Immutable.
 *
 * @param admitted whether the request may proceed
 * @param retryAfter when a rejected request may be retried (at least one second), else {@code null}
 * @param violatedPolicies the names of the limits that rejected the request
 * @param policyHeader the {@code RateLimit-Policy} field value
 * @param stateHeader the {@code RateLimit} field value
 */
public record RateLimitDecision(boolean admitted, Duration retryAfter, List<String> violatedPolicies,
                                String policyHeader, String stateHeader) {
}
