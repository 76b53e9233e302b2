package dev.tollgate;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Tollgate's time and background work, set only in code ({@link TollgateConfig.Builder#clock},
 * {@link TollgateConfig.Builder#scheduler}): tests drive both instead of sleeping.
 *
 * <p>Immutable and thread-safe (the clock and the scheduler are the caller's).
 *
 * @param clock the clock of rate limits, the back-off of a failed rate-limit store, settlement
 *     retries, the payer caches and the in-memory ledger Tollgate creates itself (hold expiry,
 *     replay retention); {@code null} for the system clock
 * @param scheduler the scheduler of settlement retries; {@code null} for a daemon thread Tollgate
 *     starts when first needed and stops with the application
 */
public record TimeSettings(Clock clock, ScheduledExecutorService scheduler) {

    static final TimeSettings DEFAULTS = new TimeSettings(null, null);

    TimeSettings withClock(Clock clock) {
        return new TimeSettings(clock, scheduler);
    }

    TimeSettings withScheduler(ScheduledExecutorService scheduler) {
        return new TimeSettings(clock, scheduler);
    }
}
