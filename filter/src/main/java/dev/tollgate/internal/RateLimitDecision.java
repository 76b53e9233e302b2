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
 * @param taken the buckets tokens were taken from, to give them back ({@link LocalRateLimiter#refund})
 */
public record RateLimitDecision(boolean admitted, Duration retryAfter, List<String> violatedPolicies,
                                String policyHeader, String stateHeader, List<Taken> taken) {

    /**
     * Tokens taken from one bucket.
     *
     * @param bucket the bucket
     * @param tokens how many
     */
    public record Taken(io.github.bucket4j.Bucket bucket, long tokens) {
    }
}
