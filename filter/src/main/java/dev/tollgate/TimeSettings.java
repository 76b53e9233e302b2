package dev.tollgate;

import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Tollgate's time and background work, set only in code ({@link TollgateConfig.Builder#clock},
 * {@link TollgateConfig.Builder#scheduler}): tests drive both instead of sleeping.
 *
 * <p>The clock times rate limits, the one-second back-off of a failed rate-limit store, settlement
 * retries, the payer caches, and the in-memory ledger Tollgate creates itself (a ledger you hand
 * over keeps its own clock: pass the same one to its builder). The scheduler runs the retries of
 * settlements the ledger could not take (1 s back-off, doubling to 60 s); in a Jakarta EE server a
 * {@code ManagedScheduledExecutorService} fits, and tests pass one they run by hand together with
 * the clock. Tollgate never shuts a given scheduler down; tasks it left there do nothing once
 * Tollgate has stopped.
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
