package dev.tollgate.usage;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * The usage log of the PostgreSQL ledger ({@code tollgate-ledger-postgresql}): its append-only
 * {@code entries} table, read by entry id. A {@code commit} entry is a {@link UsageRecord.Kind#CHARGE}, a
 * {@code reversal} entry a {@link UsageRecord.Kind#REVERSAL}; the record id is {@code "entry-" + id}, so it is
 * the same on every read, on every node and after every restart. Nothing is lost by a restart: the
 * entries are the ledger's own statement.
 *
 * <p><b>No record is skipped.</b> Entry ids are taken when a row is inserted, but transactions commit in
 * any order: a reader that saw entry 11 before the transaction holding entry 10 committed, and moved its
 * cursor past 11, would never see 10. So this log reads only up to a <em>watermark</em>: the highest id once
 * every transaction that was writing entries has ended. It finds the watermark with {@code LOCK TABLE entries
 * IN SHARE MODE} (waiting at most {@code lockTimeout}, 50 ms by default) and {@code max(id)}, in a transaction
 * of its own that ends at once. New ledger writes queue behind that lock request for at most {@code
 * lockTimeout}, only when a reader has caught up with the previous watermark, and at most once per {@code
 * refreshInterval} (0 by default) however many readers ask. When the lock is not granted in time (writers
 * kept it busy), the read uses the previous watermark and the next one tries again: the export lags, the
 * ledger does not wait. The database role needs the right to take that lock (in
 * PostgreSQL 15 and older, {@code UPDATE}, {@code DELETE} or {@code TRUNCATE} on {@code entries}; from 16
 * on, also {@code MAINTAIN} or ownership suffice).
 *
 * <p>The log's {@linkplain #name() name} is {@code "pg." + schema}: a cursor of another schema is refused.
 * Thread-safe; every call is bounded by the query timeout (5 s by default).
 */
public final class PostgresUsageLog implements UsageLog {

    /** SQLState of a lock not granted within {@code lock_timeout}. */
    private static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final DataSource dataSource;
    private final String schema;
    private final String name;
    private final int queryTimeoutSeconds;
    private final long lockTimeoutMillis;
    private final long refreshIntervalNanos;
    private final Object refreshing = new Object();
    private volatile long lastRefresh = System.nanoTime() - Long.MAX_VALUE / 2;
    private final String page;
    private final AtomicLong watermark = new AtomicLong(-1);

    private PostgresUsageLog(Builder b) {
        this.dataSource = b.dataSource;
        this.schema = b.schema;
        this.name = "pg." + b.schema;
        this.queryTimeoutSeconds = (int) b.queryTimeout.toSeconds();
        this.lockTimeoutMillis = b.lockTimeout.toMillis();
        this.refreshIntervalNanos = b.refreshInterval.toNanos();
        this.page = "SELECT e.id, e.kind, e.account_id, e.available_delta, e.held_delta, e.hold_id, e.reference,"
                + " e.created_at, a.currency FROM " + schema + ".entries e JOIN " + schema
                + ".accounts a ON a.id = e.account_id WHERE e.id > ? AND e.id <= ?"
                + " AND e.kind IN ('commit', 'reversal') ORDER BY e.id LIMIT ?";
    }

    /**
     * {@return a builder}
     *
     * @param dataSource the ledger's database (any pool; bound its connection and socket timeouts)
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    @Override
    public String name() {
        return name;
    }

    /** {@return the ledger schema this log reads} */
    public String schema() {
        return schema;
    }

    @Override
    public UsageCursor start() {
        return UsageCursor.of(name, 0);
    }

    @Override
    public UsagePage read(UsageCursor after, int limit) {
        UsageLog.checkRead(this, after, limit);
        long from = after.position();
        try (Connection c = dataSource.getConnection()) {
            long upTo = watermark.get();
            if (from >= upTo) {
                upTo = refreshWatermark(c, upTo);
                if (from > upTo) {
                    throw new IllegalArgumentException("the cursor is ahead of the usage log '" + name + "'");
                }
            }
            List<UsageRecord> out = new ArrayList<>();
            long lastId = from;
            try (PreparedStatement ps = c.prepareStatement(page)) {
                ps.setQueryTimeout(queryTimeoutSeconds);
                ps.setLong(1, from);
                ps.setLong(2, upTo);
                ps.setInt(3, limit);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        lastId = rs.getLong(1);
                        out.add(record(rs));
                    }
                }
            }
            // A short page has read everything up to the watermark; a full one stops at its last record.
            long next = out.size() < limit ? upTo : lastId;
            return new UsagePage(out, UsageCursor.of(name, next), 0);
        } catch (SQLException e) {
            throw new UsageLogUnavailableException("the usage log " + name + " cannot be read: " + e.getMessage(), e);
        }
    }

    private UsageRecord record(ResultSet rs) throws SQLException {
        long id = rs.getLong(1);
        boolean commit = "commit".equals(rs.getString(2));
        BigDecimal amount = commit ? rs.getBigDecimal(5).negate() : rs.getBigDecimal(4);
        long hold = rs.getLong(6);
        String holdId = rs.wasNull() ? null : Long.toString(hold);
        return new UsageRecord("entry-" + id, commit ? UsageRecord.Kind.CHARGE : UsageRecord.Kind.REVERSAL,
                rs.getString(3), plain(amount),
                rs.getString(9), rs.getString(7), holdId, rs.getTimestamp(8).toInstant());
    }

    /** The amount without the column's trailing zeros ({@code 5}, not {@code 5.000000000000000000}). */
    static BigDecimal plain(BigDecimal amount) {
        BigDecimal s = amount.stripTrailingZeros();
        return s.scale() < 0 ? s.setScale(0) : s;
    }

    /**
     * Waits (at most {@code lockTimeout}) for the transactions writing entries to end, then reads the highest
     * id: nothing below it is still to come. At most one refresh per {@code refreshInterval}; a lock not
     * granted in time keeps {@code current}.
     */
    private long refreshWatermark(Connection c, long current) throws SQLException {
        synchronized (refreshing) {
            long now = System.nanoTime();
            if (watermark.get() > current || now - lastRefresh < refreshIntervalNanos) {
                return Math.max(0, watermark.get());
            }
            lastRefresh = now;
            boolean autoCommit = c.getAutoCommit();
            c.setAutoCommit(false);
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(queryTimeoutSeconds);
                st.execute("SET LOCAL lock_timeout = " + lockTimeoutMillis);
                st.execute("LOCK TABLE " + schema + ".entries IN SHARE MODE");
                long max;
                try (ResultSet rs = st.executeQuery("SELECT coalesce(max(id), 0) FROM " + schema + ".entries")) {
                    rs.next();
                    max = rs.getLong(1);
                }
                c.commit();
                watermark.accumulateAndGet(max, Math::max);
                return max;
            } catch (SQLException e) {
                try {
                    c.rollback();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                if (LOCK_NOT_AVAILABLE.equals(e.getSQLState()) && current >= 0) {
                    return current; // writers kept the table busy: read up to the old watermark, try again later
                }
                throw e;
            } finally {
                c.setAutoCommit(autoCommit);
            }
        }
    }

    @Override
    public String toString() {
        return "PostgresUsageLog[" + name + "]";
    }

    /** Builds a {@link PostgresUsageLog}; not thread-safe. */
    public static final class Builder {

        private final DataSource dataSource;
        private String schema = "tollgate";
        private Duration queryTimeout = Duration.ofSeconds(5);
        private Duration lockTimeout = Duration.ofMillis(50);
        private Duration refreshInterval = Duration.ZERO;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * Sets the ledger's schema ({@code tollgate} by default).
         *
         * @param name lower-case letters, digits and {@code _}, at most 63 characters, not starting with a digit
         * @return this builder
         * @throws IllegalArgumentException if the name does not fit
         */
        public Builder schema(String name) {
            if (name == null || !SCHEMA.matcher(name).matches()) {
                throw new IllegalArgumentException("a schema name is lower-case letters, digits and _: " + name);
            }
            this.schema = name;
            return this;
        }

        /**
         * Sets the timeout of every statement (5 s by default).
         *
         * @param timeout 1 s to 10 min
         * @return this builder
         */
        public Builder queryTimeout(Duration timeout) {
            if (timeout == null || timeout.toSeconds() < 1 || timeout.compareTo(Duration.ofMinutes(10)) > 0) {
                throw new IllegalArgumentException("queryTimeout must be 1 s to 10 min: " + timeout);
            }
            this.queryTimeout = timeout;
            return this;
        }

        /**
         * Sets how long finding the watermark waits for the ledger's open transactions (50 ms by default); new
         * ledger writes wait behind it for at most as long. When it runs out the read keeps the previous
         * watermark.
         *
         * @param timeout 10 ms to 10 s
         * @return this builder
         */
        public Builder lockTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() < 10 || timeout.compareTo(Duration.ofSeconds(10)) > 0) {
                throw new IllegalArgumentException("lockTimeout must be 10 ms to 10 s: " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * Sets the shortest time between two watermark refreshes, shared by every reader of
         * this log: how often ledger writes may queue behind the watermark's lock (0 by default: every read that has caught up may refresh; the lock timeout bounds each wait).
         *
         * @param interval 0 to 1 min
         * @return this builder
         */
        public Builder refreshInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("refreshInterval must be 0 to 1 min: " + interval);
            }
            this.refreshInterval = interval;
            return this;
        }

        /** {@return the log} */
        public PostgresUsageLog build() {
            return new PostgresUsageLog(this);
        }
    }
}
