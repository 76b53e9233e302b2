package dev.tollgate;

/**
 * A snapshot of the rate limiter's counters since start-up, from {@link Tollgate#rateLimitStats()}.
 * Immutable; take a new snapshot to see later counts.
 *
 * @param admitted requests admitted by their limits
 * @param rejected requests refused with 429
 * @param shadowExceeded requests that exceeded only shadow limits (reported, not refused)
 * @param storeFailures calls to the shared rate-limit store that failed or timed out
 * @param failedOpen bucket checks admitted without counting because the store failed (policy {@code OPEN})
 * @param failedClosed bucket checks refused because the store failed (policy {@code CLOSED})
 * @param localFallbacks bucket checks counted in this node because the store failed (policy {@code LOCAL})
 */
public record RateLimitStats(long admitted, long rejected, long shadowExceeded, long storeFailures, long failedOpen,
                             long failedClosed, long localFallbacks) {
}
