package dev.tollgate.ledger.postgresql;

import dev.tollgate.spi.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The background half of expiry: every sweep interval, holds neither committed nor released by their
 * deadline expire and their money returns, in batches that skip rows another node is sweeping
 * ({@code FOR UPDATE SKIP LOCKED}). A batch that fails on the data falls back to one hold at a
 * time, so one bad hold never keeps the others' money from coming back. Replay records past their
 * retention are purged in the same pass.
 *
 * <p>Thread-safe. One daemon thread ({@code tollgate-ledger-sweeper}) per ledger unless the
 * interval is zero; {@link #close()} stops it.
 */
final class HoldSweeper implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(PostgresLedger.class.getName());

    private final LedgerDatabase db;
    private final LedgerStatements sql;
    private final ScheduledExecutorService executor;
    private volatile boolean sweepFailing;

    HoldSweeper(LedgerDatabase db, Duration interval) {
        this.db = db;
        this.sql = db.sql;
        if (interval.isZero()) {
            this.executor = null;
        } else {
            this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tollgate-ledger-sweeper");
                t.setDaemon(true);
                return t;
            });
            long every = interval.toMillis();
            executor.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Expires every overdue hold now.
     *
     * @return how many holds expired
     * @throws LedgerUnavailableException if the database cannot be reached
     */
    int expireOverdueHolds() {
        int total = db.autoCommit("expireOverdueHolds", c -> {
            int sum = 0;
            int n;
            do {
                try (PreparedStatement ps = db.prepare(c, sql.expireBatch); ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    n = rs.getInt(1);
                } catch (SQLException e) {
                    if ("40P01".equals(e.getSQLState())) {
                        // Another node's sweeper locked the same accounts in another order; the
                        // batch rolled back and the next sweep takes it again.
                        LOG.log(System.Logger.Level.DEBUG, "Sweeper batch lost a deadlock; retried next sweep");
                        return sum;
                    }
                    if (!isDataError(e)) {
                        throw e;
                    }
                    // Some hold in the batch cannot be expired (the batch rolled back as a whole):
                    // go hold by hold, so that one bad hold does not stop the others.
                    LOG.log(System.Logger.Level.DEBUG, "Sweeper batch failed on the data (SQLState {0});"
                            + " expiring hold by hold", e.getSQLState());
                    sum += expireOneByOne(c);
                    break;
                }
                sum += n;
            } while (n == 500);
            try (PreparedStatement ps = db.prepare(c, sql.purgeKeys)) {
                while (ps.executeUpdate() == 1000) {
                    // keep purging expired replay records in bounded batches
                }
            }
            return sum;
        });
        if (total > 0) {
            LOG.log(System.Logger.Level.WARNING, "Expired {0} unsettled hold(s); their money went back", total);
        }
        return total;
    }

    /** Data exceptions (class 22, such as numeric overflow) and integrity violations (class 23). */
    private static boolean isDataError(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("22") || state.startsWith("23"));
    }

    /**
     * Expires overdue holds one statement each (auto-commit), in id order; a hold that fails is
     * logged at WARNING with its id and skipped. Bounded by the number of overdue holds.
     */
    private int expireOneByOne(Connection c) throws SQLException {
        int expired = 0;
        long after = 0;
        List<Long> page = new ArrayList<>();
        do {
            page.clear();
            try (PreparedStatement ps = db.prepare(c, sql.overdueHolds)) {
                ps.setLong(1, after);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        page.add(rs.getLong(1));
                    }
                }
            }
            for (long id : page) {
                after = id;
                try {
                    expired += db.settle(c, sql.expireOne, id);
                } catch (SQLException e) {
                    if (!isDataError(e) && !"40P01".equals(e.getSQLState())) {
                        throw e;
                    }
                    LOG.log(System.Logger.Level.WARNING, "Hold {0} cannot be expired (SQLState {1}: {2}); it stays"
                            + " open and the other holds are swept regardless", Long.toString(id), e.getSQLState(),
                            e.getMessage());
                }
            }
        } while (page.size() == 500);
        return expired;
    }

    private void sweep() {
        try {
            expireOverdueHolds();
            if (sweepFailing) {
                LOG.log(System.Logger.Level.INFO, "Tollgate ledger sweeper reaches the database again");
                sweepFailing = false;
            }
        } catch (RuntimeException e) {
            if (!sweepFailing) {
                LOG.log(System.Logger.Level.WARNING, "Tollgate ledger sweeper cannot reach the database (will retry): "
                        + e.getMessage());
                sweepFailing = true;
            }
        }
    }

    /** {@return the number of open holds} */
    long openHoldCount() {
        return db.autoCommit("openHoldCount", c -> {
            try (PreparedStatement ps = db.prepare(c, sql.openHoldCount); ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        });
    }

    /** Stops the sweeper thread. */
    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
        }
    }
}
