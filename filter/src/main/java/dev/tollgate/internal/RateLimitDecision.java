package dev.tollgate.internal;

import dev.tollgate.annotations.Count;
import io.github.bucket4j.Bucket;
import java.time.Duration;
import java.util.List;

/**
 * The outcome of a rate-limit check. Immutable.
 *
 * @param admitted whether the request may proceed
 * @param storeRefused true when a limit's shared store failed and its policy is to refuse (503)
 * @param retryAfter when a rejected request may be retried (at least one second), else {@code null}
 * @param violatedPolicies the names of the limits that rejected the request
 * @param shadowViolations the names of shadow limits exceeded (reported, never enforced)
 * @param policyHeader the {@code RateLimit-Policy} field value
 * @param states the state of each limit, for the {@code RateLimit} fields
 * @param taken the buckets tokens were taken from, to give them back
 */
public record RateLimitDecision(boolean admitted, boolean storeRefused, Duration retryAfter,
                                List<String> violatedPolicies, List<String> shadowViolations, String policyHeader,
                                List<LimitState> states, List<Taken> taken) {

    /**
     * Tokens taken from one bucket.
     *
     * @param bucket the bucket
     * @param tokens how many
     * @param count which outcomes keep them
     * @param firstState the index of the bucket's first limit in {@link #states()}
     * @param endState one past the index of its last limit
     */
    public record Taken(Bucket bucket, long tokens, Count count, int firstState, int endState) {
    }

    /**
     * One limit's state after the check.
     *
     * @param name the policy name
     * @param quota requests per window
     * @param windowSeconds the window
     * @param remaining whole requests left
     * @param resetSeconds seconds until the limit is full again
     */
    public record LimitState(String name, long quota, long windowSeconds, long remaining, long resetSeconds) {
    }

    /** {@return the {@code RateLimit} field value: one item per limit} */
    public String stateHeader() {
        if (states.size() == 1) {
            // The common case, one limit: a concatenation sizes the string exactly, with no builder.
            LimitState s = states.get(0);
            return "\"" + s.name() + "\";r=" + s.remaining() + ";t=" + s.resetSeconds();
        }
        // Sized for the names plus the separators and two longs, so the builder never grows.
        int size = 0;
        for (LimitState s : states) {
            size += s.name().length() + 48;
        }
        StringBuilder sb = new StringBuilder(size);
        for (LimitState s : states) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append('"').append(s.name()).append("\";r=").append(s.remaining()).append(";t=").append(s.resetSeconds());
        }
        return sb.toString();
    }

    /** {@return the limit with the fewest requests left (for the legacy headers), or null} */
    public LimitState tightest() {
        LimitState min = null;
        for (LimitState s : states) {
            if (min == null || s.remaining() < min.remaining()) {
                min = s;
            }
        }
        return min;
    }
}
