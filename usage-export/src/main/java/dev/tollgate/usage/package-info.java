/**
 * Usage export: committed charges as a stream another system consumes exactly once.
 *
 * <ul>
 *   <li>{@link dev.tollgate.usage.UsageLog} is the pull API: {@link dev.tollgate.usage.UsageLog#read} a page of
 *       {@link dev.tollgate.usage.UsageRecord}s after an opaque, resumable {@link dev.tollgate.usage.UsageCursor}.
 *       {@link dev.tollgate.usage.PostgresUsageLog} reads the PostgreSQL ledger's append-only {@code entries}
 *       table (nothing is lost by a restart); {@link dev.tollgate.usage.MemoryUsageLog} is a bounded log in the
 *       JVM (what it holds is lost with the JVM).</li>
 *   <li>{@link dev.tollgate.usage.UsagePush} pushes the log to an HTTP endpoint as CloudEvents 1.0 (structured
 *       or batched JSON), at least once, with retries and exponential back-off with jitter, saving its cursor
 *       in a {@link dev.tollgate.usage.CursorStore} after each acknowledged page. An event's id is derived from
 *       the ledger entry, so a resend carries the same id and the receiver drops the duplicate.</li>
 *   <li>{@link dev.tollgate.usage.alerts} sends signed webhooks when an account's balance falls below a
 *       threshold, once per crossing.</li>
 * </ul>
 */
package dev.tollgate.usage;
