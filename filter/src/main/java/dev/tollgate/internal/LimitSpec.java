package dev.tollgate.internal;

import java.time.Duration;
import java.util.Objects;

/**
 * One bandwidth of a rate limit: {@code requests} tokens per {@code period}, refilled greedily.
 *
 * @param name the policy name used in headers and bodies
 * @param requests the capacity (and tokens per period)
 * @param period the refill period
 */
public record LimitSpec(String name, long requests, Duration period) {

    // Validates.
    public LimitSpec {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(period, "period");
    }

    /** {@return the period in whole seconds, rounded up, at least 1} */
    public long windowSeconds() {
        long s = period.getSeconds() + (period.getNano() > 0 ? 1 : 0);
        return Math.max(1, s);
    }
}
