package dev.tollgate.usage;

import java.time.Duration;
import java.util.Objects;
import java.util.function.DoubleSupplier;

/**
 * Exponential back-off with jitter: the n-th consecutive failure waits a random time between half and all of
 * {@code min(max, first × 2^(n-1))}, so many senders that failed together do not retry together, and none
 * retries sooner than half the step. Immutable and thread-safe when its random source is.
 *
 * @param first the step after the first failure
 * @param max the largest step
 * @param random a source of numbers in [0, 1): the jitter (tests pass a fixed one)
 */
public record Backoff(Duration first, Duration max, DoubleSupplier random) {

    /** One second, doubling to five minutes, with {@link Math#random()}'s jitter. */
    public static final Backoff DEFAULT = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(5), Math::random);

    /** Validates: {@code 0 < first <= max <= 1 day}. */
    public Backoff {
        Objects.requireNonNull(first, "first");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(random, "random");
        if (first.isNegative() || first.isZero() || first.compareTo(max) > 0 || max.compareTo(Duration.ofDays(1)) > 0) {
            throw new IllegalArgumentException("a back-off needs 0 < first <= max <= 1 day: " + first + ", " + max);
        }
    }

    /**
     * {@return the wait after a number of consecutive failures}
     *
     * @param failures 1 for the first failure
     */
    public Duration delay(int failures) {
        long firstMillis = first.toMillis();
        long maxMillis = max.toMillis();
        int doublings = Math.min(Math.max(failures, 1) - 1, 40);
        long step = firstMillis;
        for (int i = 0; i < doublings && step < maxMillis; i++) {
            step *= 2;
        }
        step = Math.min(step, maxMillis);
        double r = random.getAsDouble();
        if (!(r >= 0 && r < 1)) {
            r = 0;
        }
        return Duration.ofMillis(step / 2 + (long) (r * (step - step / 2)));
    }
}
