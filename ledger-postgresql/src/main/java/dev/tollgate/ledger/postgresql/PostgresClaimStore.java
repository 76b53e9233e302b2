package dev.tollgate.ledger.postgresql;

import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.payment.ClaimStore;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The PostgreSQL ledger's {@link ClaimStore}: claims in the table {@code payment_claims} of the
 * ledger's schema (migration {@code V4__payment_claims.sql}), so several nodes never serve one
 * payment twice. A claim is one statement ({@code INSERT … ON CONFLICT DO UPDATE … WHERE lapsed}),
 * atomic across nodes; lapsed rows are taken over by a new claim and deleted in small batches now
 * and then. Every {@link SQLException} becomes a {@link dev.tollgate.spi.LedgerUnavailableException}.
 * Thread-safe.
 */
final class PostgresClaimStore implements ClaimStore {

    private final LedgerDatabase db;
    private final String table;

    PostgresClaimStore(LedgerDatabase db) {
        this.db = db;
        this.table = db.schema + ".payment_claims";
    }

    @Override
    public Claim claim(String key, String digest, Instant now, Instant lapses) {
        if (key.isEmpty() || key.length() > 300 || digest.length() > 128) {
            throw new IllegalArgumentException("claim key of 1 to 300 and digest of at most 128 characters");
        }
        return db.autoCommit("claim", c -> {
            if (ThreadLocalRandom.current().nextInt(64) == 0) {
                sweep(c, now);
            }
            for (int attempt = 0; attempt < 3; attempt++) {
                try (PreparedStatement ps = db.prepare(c, "INSERT INTO " + table + " AS p (key, digest, state,"
                        + " lapses_at) VALUES (?, ?, 'in_progress', ?) ON CONFLICT (key) DO UPDATE SET digest ="
                        + " EXCLUDED.digest, state = 'in_progress', status = NULL, header_names = NULL,"
                        + " header_values = NULL, body = NULL, body_retained = NULL, lapses_at = EXCLUDED.lapses_at"
                        + " WHERE p.lapses_at <= ? RETURNING 1")) {
                    ps.setString(1, key);
                    ps.setString(2, digest);
                    ps.setTimestamp(3, Timestamp.from(lapses));
                    ps.setTimestamp(4, Timestamp.from(now));
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return Claim.CLAIMED;
                        }
                    }
                }
                try (PreparedStatement ps = db.prepare(c, "SELECT state, digest, status, header_names,"
                        + " header_values, body, body_retained FROM " + table + " WHERE key = ?")) {
                    ps.setString(1, key);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return new Claim(false, State.valueOf(rs.getString(1).toUpperCase(java.util.Locale.ROOT)),
                                    rs.getString(2), response(rs));
                        }
                    }
                }
                // Released between the two statements: try again.
            }
            return new Claim(false, State.IN_PROGRESS, digest, null);
        });
    }

    private static RecordedResponse response(ResultSet rs) throws SQLException {
        int status = rs.getInt(3);
        if (rs.wasNull()) {
            return null;
        }
        String[] names = (String[]) rs.getArray(4).getArray();
        String[] values = (String[]) rs.getArray(5).getArray();
        List<Map.Entry<String, String>> headers = new ArrayList<>(names.length);
        for (int i = 0; i < names.length && i < values.length; i++) {
            headers.add(Map.entry(names[i], values[i]));
        }
        byte[] body = rs.getBytes(6);
        return new RecordedResponse(status, headers, body == null ? new byte[0] : body, rs.getBoolean(7));
    }

    private void sweep(Connection c, Instant now) throws SQLException {
        try (PreparedStatement ps = db.prepare(c, "DELETE FROM " + table + " WHERE key IN (SELECT key FROM " + table
                + " WHERE lapses_at <= ? LIMIT 100 FOR UPDATE SKIP LOCKED)")) {
            ps.setTimestamp(1, Timestamp.from(now));
            ps.executeUpdate();
        }
    }

    @Override
    public void spend(String key, RecordedResponse response, Instant lapses) {
        db.autoCommit("spend", c -> {
            try (PreparedStatement ps = db.prepare(c, "UPDATE " + table + " SET state = 'spent', status = ?,"
                    + " header_names = ?, header_values = ?, body = ?, body_retained = ?, lapses_at = ? WHERE key = ?")) {
                if (response == null) {
                    ps.setNull(1, java.sql.Types.INTEGER);
                    ps.setNull(2, java.sql.Types.ARRAY);
                    ps.setNull(3, java.sql.Types.ARRAY);
                    ps.setNull(4, java.sql.Types.BINARY);
                    ps.setNull(5, java.sql.Types.BOOLEAN);
                } else {
                    List<String> names = new ArrayList<>();
                    List<String> values = new ArrayList<>();
                    response.headers().forEach(h -> {
                        names.add(h.getKey());
                        values.add(h.getValue());
                    });
                    Array n = c.createArrayOf("text", names.toArray());
                    Array v = c.createArrayOf("text", values.toArray());
                    ps.setInt(1, response.status());
                    ps.setArray(2, n);
                    ps.setArray(3, v);
                    ps.setBytes(4, response.body());
                    ps.setBoolean(5, response.bodyRetained());
                }
                ps.setTimestamp(6, Timestamp.from(lapses));
                ps.setString(7, key);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public void unknown(String key) {
        update("UPDATE " + table + " SET state = 'unknown' WHERE key = ? AND state = 'in_progress'", key);
    }

    @Override
    public void release(String key) {
        update("DELETE FROM " + table + " WHERE key = ? AND state = 'in_progress'", key);
    }

    private void update(String sql, String key) {
        db.autoCommit("claim update", c -> {
            try (PreparedStatement ps = db.prepare(c, sql)) {
                ps.setString(1, key);
                return ps.executeUpdate();
            }
        });
    }

    @Override
    public String toString() {
        return "PostgreSQL " + table;
    }
}
