package dev.tollgate.ledger.postgresql;

import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The {@code balance_keys} table of a {@link PostgresHoldStore}: client idempotency keys claimed,
 * completed with the response to replay, and forgotten, each in the caller's transaction.
 *
 * <p>Immutable and thread-safe; every decision runs with the key's row locked.
 */
final class BalanceKeys {

    private final String t;
    private final int queryTimeoutSeconds;
    private final int maxKeysPerAccount;
    private final int maxBodyBytes;

    BalanceKeys(String schema, int queryTimeoutSeconds, int maxKeysPerAccount, int maxBodyBytes) {
        this.t = schema;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.maxKeysPerAccount = maxKeysPerAccount;
        this.maxBodyBytes = maxBodyBytes;
    }

    /** Claims the key in the caller's transaction, or says why not. */
    Reservation claim(Connection c, Hold hold, Idempotency idem, Instant now, Duration retryAfter)
            throws SQLException {
        for (int attempt = 0; attempt < 4; attempt++) {
            try (PreparedStatement ps = prepare(c, "SELECT k.fingerprint, k.status, k.headers, k.body,"
                    + " k.body_retained, k.expires_at, h.state FROM " + t + ".balance_keys k LEFT JOIN " + t
                    + ".balance_holds h ON h.id = k.hold_id WHERE k.account_id = ? AND k.key = ? FOR UPDATE OF k")) {
                ps.setString(1, hold.account());
                ps.setString(2, idem.key());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        boolean same = rs.getString(1).equals(idem.fingerprint());
                        Object status = rs.getObject(2);
                        String holdState = rs.getString(7);
                        if (status == null && holdState != null && !holdState.equals("released")
                                && !holdState.equals("expired")) {
                            return new Reservation.Conflict(same ? Reservation.ConflictKind.IN_PROGRESS
                                    : Reservation.ConflictKind.KEY_REUSED, same ? Duration.ofSeconds(1) : null);
                        }
                        if (status != null && now.isBefore(instant(rs, 6))) {
                            return same ? new Reservation.Replay(recorded(rs))
                                    : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                        }
                        delete(c, hold.account(), idem.key()); // stale: past retention, or its hold is gone
                    }
                }
            }
            try (PreparedStatement ps = prepare(c, "SELECT count(*) FROM " + t + ".balance_keys WHERE account_id = ?")) {
                ps.setString(1, hold.account());
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    if (rs.getLong(1) >= maxKeysPerAccount) {
                        return new Reservation.Denied(DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED, hold.amount(), null,
                                null, List.of(), retryAfter);
                    }
                }
            }
            try (PreparedStatement ps = prepare(c, "INSERT INTO " + t + ".balance_keys (account_id, key, fingerprint,"
                    + " hold_id) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING")) {
                ps.setString(1, hold.account());
                ps.setString(2, idem.key());
                ps.setString(3, idem.fingerprint());
                ps.setString(4, hold.id());
                if (ps.executeUpdate() == 1) {
                    return null;
                }
            }
            // Another node claimed it between our look and our insert: look again (its row is now visible).
        }
        return new Reservation.Conflict(Reservation.ConflictKind.IN_PROGRESS, Duration.ofSeconds(1));
    }

    private void delete(Connection c, String account, String key) throws SQLException {
        try (PreparedStatement ps = prepare(c, "DELETE FROM " + t + ".balance_keys WHERE account_id = ? AND key = ?")) {
            ps.setString(1, account);
            ps.setString(2, key);
            ps.executeUpdate();
        }
    }

    void forget(Connection c, String holdId) throws SQLException {
        try (PreparedStatement ps = prepare(c, "DELETE FROM " + t + ".balance_keys WHERE hold_id = ? AND status IS NULL")) {
            ps.setString(1, holdId);
            ps.executeUpdate();
        }
    }

    private static RecordedResponse recorded(ResultSet rs) throws SQLException {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        Array array = rs.getArray(3);
        if (array != null) {
            String[] flat = (String[]) array.getArray();
            for (int i = 0; i + 1 < flat.length; i += 2) {
                headers.add(Map.entry(flat[i], flat[i + 1]));
            }
        }
        byte[] body = rs.getBytes(4);
        return new RecordedResponse(rs.getInt(2), headers, body == null ? new byte[0] : body, rs.getBoolean(5));
    }

    /** Completes the in-progress key of a hold with the response to replay until {@code expiresAt}. */
    void complete(Connection c, String holdId, RecordedResponse response, Instant expiresAt) throws SQLException {
        boolean keep = response.bodyLength() <= maxBodyBytes;
        try (PreparedStatement ps = prepare(c, "UPDATE " + t + ".balance_keys SET status = ?, headers = ?,"
                + " body = ?, body_retained = ?, expires_at = ? WHERE hold_id = ? AND status IS NULL")) {
            ps.setInt(1, response.status());
            List<String> flat = new ArrayList<>();
            if (keep) {
                response.headers().forEach(h -> {
                    flat.add(h.getKey());
                    flat.add(h.getValue());
                });
            }
            ps.setArray(2, c.createArrayOf("text", flat.toArray()));
            ps.setBytes(3, keep ? response.body() : new byte[0]);
            ps.setBoolean(4, keep && response.bodyRetained());
            ps.setObject(5, at(expiresAt));
            ps.setString(6, holdId);
            ps.executeUpdate();
        }
    }

    private PreparedStatement prepare(Connection c, String sql) throws SQLException {
        return BalanceStoreDatabase.prepare(c, sql, queryTimeoutSeconds);
    }

    private static Instant instant(ResultSet rs, int column) throws SQLException {
        return BalanceStoreDatabase.instant(rs, column);
    }

    private static java.time.OffsetDateTime at(Instant instant) {
        return BalanceStoreDatabase.at(instant);
    }
}
