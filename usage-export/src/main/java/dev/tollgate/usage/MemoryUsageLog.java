package dev.tollgate.usage;

import dev.tollgate.Money;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A bounded usage log in the JVM, for a deployment on the in-memory ledger (or any ledger, fed by whatever
 * observes its charges through {@link #append}).
 *
 * <p><b>What is lost.</b> The log keeps the latest {@code capacity} records (10,000 by default); an older
 * record is dropped when a new one arrives, and a reader behind it is told how many it missed
 * ({@link UsagePage#lost()}), never silently. Everything is lost when the JVM stops: each instance has a new
 * random {@linkplain #name() name}, so a cursor kept from an earlier process is refused with an
 * {@link IllegalArgumentException} rather than mistaken for a position in this one ({@link UsagePush} then
 * starts again at this log's start and logs that the earlier process's unsent records are gone). Use
 * {@link PostgresUsageLog} when records must survive a restart.
 *
 * <p>Thread-safe; {@link #append} and {@link #read} never block for long (one short lock).
 */
public final class MemoryUsageLog implements UsageLog {

    /** The default number of records kept. */
    public static final int DEFAULT_CAPACITY = 10_000;
    /** The largest capacity accepted. */
    public static final int MAX_CAPACITY = 1_000_000;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final Clock clock;
    private final UsageRecord[] ring; // guarded by this
    private long last;                // guarded by this: the sequence number of the newest record, 0 if none

    private MemoryUsageLog(String name, int capacity, Clock clock) {
        this.name = name;
        this.clock = clock;
        this.ring = new UsageRecord[capacity];
    }

    /** {@return a log of {@value #DEFAULT_CAPACITY} records on the system clock} */
    public static MemoryUsageLog create() {
        return create(DEFAULT_CAPACITY, Clock.systemUTC());
    }

    /**
     * A log with a random name.
     *
     * @param capacity how many records it keeps, 1 to {@value #MAX_CAPACITY}
     * @param clock the clock that times the records
     * @return the log
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public static MemoryUsageLog create(int capacity, Clock clock) {
        byte[] b = new byte[6];
        RANDOM.nextBytes(b);
        return create("memory-" + HexFormat.of().formatHex(b), capacity, clock);
    }

    /**
     * A log with a given name (tests, or a caller that manages names itself).
     *
     * @param name the name its cursors carry (see {@link UsageCursor#of})
     * @param capacity how many records it keeps, 1 to {@value #MAX_CAPACITY}
     * @param clock the clock that times the records
     * @return the log
     * @throws IllegalArgumentException if the name or the capacity is invalid
     */
    public static MemoryUsageLog create(String name, int capacity, Clock clock) {
        UsageCursor.of(name, 0); // validates the name
        if (capacity < 1 || capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("a memory usage log keeps 1 to " + MAX_CAPACITY + " records: "
                    + capacity);
        }
        return new MemoryUsageLog(name, capacity, Objects.requireNonNull(clock, "clock"));
    }

    /**
     * Records a committed charge.
     *
     * @param account the account charged
     * @param amount what it paid (zero or more)
     * @param resource what was bought; may be {@code null}
     * @param holdId the hold; may be {@code null}
     * @return the record as the log keeps it
     */
    public UsageRecord append(String account, Money amount, String resource, String holdId) {
        return append(UsageRecord.Kind.CHARGE, account, amount, resource, holdId);
    }

    /**
     * Records a charge or a reversal.
     *
     * @param kind what happened
     * @param account the account
     * @param amount the amount (zero or more)
     * @param resource what was bought; may be {@code null}
     * @param holdId the hold; may be {@code null}
     * @return the record as the log keeps it
     */
    public synchronized UsageRecord append(UsageRecord.Kind kind, String account, Money amount, String resource,
                                           String holdId) {
        long seq = last + 1;
        UsageRecord r = new UsageRecord(name + "-" + seq, kind, account, amount.amount(), amount.currency(),
                resource, holdId, clock.instant());
        ring[(int) (seq % ring.length)] = r;
        last = seq;
        return r;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public UsageCursor start() {
        return UsageCursor.of(name, 0);
    }

    @Override
    public synchronized UsagePage read(UsageCursor after, int limit) {
        UsageLog.checkRead(this, after, limit);
        long from = after.position();
        if (from > last) {
            throw new IllegalArgumentException("the cursor is ahead of the usage log '" + name + "'");
        }
        long oldest = Math.max(1, last - ring.length + 1);
        long lost = Math.max(0, oldest - 1 - from);
        long first = from + 1 + lost;
        List<UsageRecord> out = new ArrayList<>((int) Math.min(limit, last - first + 1));
        long seq = first;
        for (; seq <= last && out.size() < limit; seq++) {
            out.add(ring[(int) (seq % ring.length)]);
        }
        return new UsagePage(out, UsageCursor.of(name, seq - 1), lost);
    }

    @Override
    public String toString() {
        return "MemoryUsageLog[" + name + ", " + ring.length + " records]";
    }
}
