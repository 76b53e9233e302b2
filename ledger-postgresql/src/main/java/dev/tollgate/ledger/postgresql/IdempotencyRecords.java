package dev.tollgate.ledger.postgresql;

import dev.tollgate.spi.Charge;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Map.Entry;

/**
 * Reservations that carry a client's {@code Idempotency-Key}: the key is claimed and bound to its
 * hold in the hold's transaction, so a retry finds the first request's hold (in progress), its
 * recorded response (replay) or a conflict, and a stale record is cleared and claimed again.
 *
 * <p>Thread-safe: every decision runs with the key's row locked.
 */
final class IdempotencyRecords {

    private final LedgerDatabase db;
    private final LedgerStatements sql;
    private final Holds holds;
    private final Duration holdTimeout;

    IdempotencyRecords(LedgerDatabase db, Holds holds, Duration holdTimeout) {
        this.db = db;
        this.sql = db.sql;
        this.holds = holds;
        this.holdTimeout = holdTimeout;
    }

    /** Reserves under the charge's idempotency key, in one transaction with the key. */
    Reservation reserve(Charge charge) {
        try (Connection c = db.dataSource.getConnection()) {
            return reserveWithKey(c, charge);
        } catch (SQLException e) {
            throw db.unavailable("reserve", e);
        }
    }

    private Reservation reserveWithKey(Connection c, Charge charge) throws SQLException {
        String account = charge.account();
        String key = charge.idempotency().key();
        String fingerprint = charge.idempotency().fingerprint();
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            for (int attempt = 0; attempt < 4; attempt++) {
                int claimed;
                try (PreparedStatement ps = db.prepare(c, sql.claimKey)) {
                    ps.setString(1, account);
                    ps.setString(2, key);
                    ps.setString(3, fingerprint);
                    ps.setString(4, LedgerDatabase.interval(holdTimeout.multipliedBy(2)));
                    claimed = ps.executeUpdate();
                }
                if (claimed == 1) {
                    Reservation.Authorized a = holds.hold(c, charge);
                    if (a == null) {
                        c.rollback(); // the refusal aborted the transaction; the key is not kept
                        return holds.explain(c, charge);
                    }
                    try (PreparedStatement ps = db.prepare(c, sql.bindKey)) {
                        ps.setLong(1, Long.parseLong(a.hold().id()));
                        ps.setString(2, account);
                        ps.setString(3, key);
                        ps.executeUpdate();
                    }
                    c.commit();
                    return a;
                }
                Reservation existing;
                try {
                    existing = existingKey(c, account, key, fingerprint);
                } catch (SQLException e) {
                    if (!"40P01".equals(e.getSQLState())) {
                        throw e;
                    }
                    c.rollback(); // a deadlock victim: try again
                    continue;
                }
                c.commit();
                if (existing != null) {
                    return existing;
                }
                // The record was stale and is gone now: claim the key again.
            }
            throw new LedgerUnavailableException("idempotency key " + key + " is contended; retry");
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    /**
     * Decides what an existing key means; null when it was stale and has been removed. Runs with the
     * key row locked; it never waits for a hold's lock while holding it (lock order elsewhere is
     * hold, then key), so it cannot deadlock with commits, releases or the sweeper.
     */
    private Reservation existingKey(Connection c, String account, String key, String fingerprint) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.readKey)) {
            ps.setString(1, account);
            ps.setString(2, key);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                boolean same = fingerprint.equals(rs.getString(1));
                String state = rs.getString(2);
                long holdId = rs.getLong(3);
                boolean stale = rs.getBoolean(8);
                String holdState = rs.getString(9);
                boolean holdOverdue = rs.getBoolean(10);
                if (state.equals("completed")) {
                    if (stale) {
                        deleteKey(c, account, key);
                        return null;
                    }
                    if (!same) {
                        return new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                    }
                    // Once the client has the result, the charge must stand: no later reversal.
                    markReplayed(c, account, key);
                    return new Reservation.Replay(recorded(rs));
                }
                if ("open".equals(holdState) && !holdOverdue) {
                    return same ? new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1))
                            : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                }
                if ("committed".equals(holdState)) {
                    // Committed without a recorded response: processed, but nothing to replay.
                    if (!same) {
                        return new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                    }
                    markReplayed(c, account, key);
                    return new Reservation.Replay(new RecordedResponse(200, List.of(), new byte[0], false));
                }
                if ("open".equals(holdState)) {
                    // Overdue: expire it now (the lazy half of expiry), unless someone holds it.
                    String now = lockHoldNowait(c, holdId);
                    if (now == null) {
                        return new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1));
                    }
                    if (now.equals("open")) {
                        db.settle(c, sql.expireOne, holdId); // also drops the key
                        return null;
                    }
                    if (now.equals("committed")) {
                        return same ? new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1))
                                : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                    }
                }
                deleteKey(c, account, key);
                return null;
            }
        }
    }

    /** Locks a hold if nobody else has it; its state, or null when it is locked elsewhere. */
    private String lockHoldNowait(Connection c, long holdId) throws SQLException {
        java.sql.Savepoint sp = c.setSavepoint();
        try (PreparedStatement ps = db.prepare(c, sql.lockHoldNowait)) {
            ps.setLong(1, holdId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getString(1) : "gone";
            }
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) {
                c.rollback(sp);
                return null;
            }
            throw e;
        } finally {
            try {
                c.releaseSavepoint(sp);
            } catch (SQLException ignored) {
                // already released by the rollback
            }
        }
    }

    private void markReplayed(Connection c, String account, String key) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.markReplayed)) {
            ps.setString(1, account);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    private static RecordedResponse recorded(ResultSet rs) throws SQLException {
        int status = rs.getInt(4);
        Array headers = rs.getArray(5);
        List<Entry<String, String>> list = new ArrayList<>();
        if (headers != null) {
            String[] flat = (String[]) headers.getArray();
            for (int i = 0; i + 1 < flat.length; i += 2) {
                list.add(Map.entry(flat[i], flat[i + 1]));
            }
        }
        byte[] body = rs.getBytes(6);
        boolean retained = rs.getBoolean(7);
        return new RecordedResponse(status == 0 ? 200 : status, list, body == null ? new byte[0] : body, retained);
    }

    private void deleteKey(Connection c, String account, String key) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, sql.deleteKey)) {
            ps.setString(1, account);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }
}
