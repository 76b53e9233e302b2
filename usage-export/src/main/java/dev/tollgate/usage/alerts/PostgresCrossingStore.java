package dev.tollgate.usage.alerts;

import dev.tollgate.usage.internal.Tables;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link CrossingStore} in a PostgreSQL table, {@code <schema>.alert_crossing_states (kind, key_sha256,
 * state, observed_at)}, one row per (kind, key) observed: {@code state} is {@code armed} or {@code fired},
 * {@code observed_at} the time of the observation that set it (an armed key's moves forward with each later
 * observation above its threshold). Every node of a cluster that uses the same table sends each alert once per
 * crossing, and a restarted node does not send it again. The key is stored as the hex SHA-256 of its UTF-8
 * bytes, never in clear (an account id may be a raw API key), and never appears in an exception message.
 *
 * <p>{@link #fire} is one statement, {@code INSERT … ON CONFLICT (kind, key_sha256) DO UPDATE SET state =
 * 'fired' … WHERE state = 'armed' AND observed_at < EXCLUDED.observed_at RETURNING}: of concurrent callers
 * PostgreSQL lets exactly one insert or update the row, the others get {@code false}. {@link #rearm} is a short
 * compare-and-set loop of single-row statements: for an armed key one {@code UPDATE} that moves its time
 * forward, or writes nothing when the key was armed at a later time already. Thread-safe; every statement has
 * a 5 s timeout.
 *
 * <p>The table {@code alert_crossings} of earlier, unreleased builds (plain keys) is not used; drop it.
 */
public final class PostgresCrossingStore implements CrossingStore {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int TIMEOUT_SECONDS = 5;
    private static final int MAX_ROUNDS = 16;

    private final DataSource dataSource;
    private final String table;
    private final String fire;
    private final String moveForward;
    private final String read;
    private final String insertArmed;
    private final String rearm;

    /**
     * @param dataSource the database
     * @param schema the schema of the table (lower-case letters, digits, {@code _}); it must exist
     * @throws IllegalArgumentException if the schema name is invalid
     */
    public PostgresCrossingStore(DataSource dataSource, String schema) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("a schema name is lower-case letters, digits and _: " + schema);
        }
        this.table = schema + ".alert_crossing_states";
        String key = " WHERE kind = ? AND key_sha256 = ?";
        this.fire = "INSERT INTO " + table + " AS c (kind, key_sha256, state, observed_at) VALUES (?, ?, 'fired', ?)"
                + " ON CONFLICT (kind, key_sha256) DO UPDATE SET state = 'fired', observed_at = EXCLUDED.observed_at"
                + " WHERE c.state = 'armed' AND c.observed_at < EXCLUDED.observed_at RETURNING 1";
        this.moveForward = "UPDATE " + table + " SET observed_at = ?" + key
                + " AND state = 'armed' AND observed_at < ?";
        this.read = "SELECT state = 'fired', observed_at FROM " + table + key;
        this.insertArmed = "INSERT INTO " + table + " (kind, key_sha256, state, observed_at) VALUES (?, ?, 'armed', ?)"
                + " ON CONFLICT (kind, key_sha256) DO NOTHING";
        this.rearm = "UPDATE " + table + " SET state = 'armed', observed_at = ?" + key
                + " AND state = 'fired' AND observed_at <= ?";
    }

    /**
     * Creates the table unless it exists (safe from several nodes at once).
     *
     * @return this store
     * @throws CrossingStoreUnavailableException if the database refuses
     */
    public PostgresCrossingStore createTable() {
        try {
            Tables.createIfAbsent(dataSource, "CREATE TABLE IF NOT EXISTS " + table
                    + " (kind text NOT NULL, key_sha256 text NOT NULL,"
                    + " state text NOT NULL CHECK (state IN ('armed', 'fired')), observed_at timestamptz NOT NULL,"
                    + " PRIMARY KEY (kind, key_sha256))", TIMEOUT_SECONDS);
            return this;
        } catch (SQLException e) {
            throw new CrossingStoreUnavailableException("cannot create " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean fire(String kind, String key, Instant observedAt) {
        String hash = sha256(key);
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(fire)) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, Objects.requireNonNull(kind, "kind"));
            ps.setString(2, hash);
            ps.setObject(3, time(observedAt));
            boolean fired;
            try (ResultSet rs = ps.executeQuery()) {
                fired = rs.next();
            }
            commit(c);
            return fired;
        } catch (SQLException e) {
            throw new CrossingStoreUnavailableException("cannot mark a crossing of " + kind + " in " + table + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public boolean rearm(String kind, String key, Instant observedAt) {
        Objects.requireNonNull(kind, "kind");
        String hash = sha256(key);
        OffsetDateTime at = time(observedAt);
        try (Connection c = dataSource.getConnection()) {
            for (int round = 0; round < MAX_ROUNDS; round++) {
                // Each step is a compare-and-set on one row; a step that finds the row changed by another node
                // reads it again.
                if (update(c, moveForward, at, kind, hash, at)) {
                    return false; // armed already: its time moved forward
                }
                Boolean fired = null;
                OffsetDateTime last = null;
                try (PreparedStatement ps = c.prepareStatement(read)) {
                    ps.setQueryTimeout(TIMEOUT_SECONDS);
                    ps.setString(1, kind);
                    ps.setString(2, hash);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            fired = rs.getBoolean(1);
                            last = rs.getObject(2, OffsetDateTime.class);
                        }
                    }
                }
                commit(c);
                if (fired == null) {
                    if (update(c, insertArmed, kind, hash, at)) {
                        return false; // never observed before: armed from now on
                    }
                } else if (!fired) {
                    if (!last.isBefore(at)) {
                        return false; // armed at this time or later already: nothing to write
                    }
                } else if (last.isAfter(at)) {
                    return false; // fired on a later observation: this one is stale
                } else if (update(c, rearm, at, kind, hash, at)) {
                    return true;
                }
            }
            throw new CrossingStoreUnavailableException("cannot re-arm a crossing of " + kind + " in " + table
                    + ": changed by others " + MAX_ROUNDS + " times in a row", null);
        } catch (SQLException e) {
            throw new CrossingStoreUnavailableException("cannot re-arm a crossing of " + kind + " in " + table + ": "
                    + e.getMessage(), e);
        }
    }

    /** Runs a one-row statement with the given parameters; {@return whether it changed a row} */
    private static boolean update(Connection c, String sql, Object... parameters) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            for (int i = 0; i < parameters.length; i++) {
                ps.setObject(i + 1, parameters[i]);
            }
            boolean changed = ps.executeUpdate() > 0;
            commit(c);
            return changed;
        }
    }

    private static void commit(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.commit();
        }
    }

    /** {@return the time as PostgreSQL keeps it, to the microsecond, so that Java and SQL compare alike} */
    private static OffsetDateTime time(Instant observedAt) {
        return OffsetDateTime.ofInstant(Objects.requireNonNull(observedAt, "observedAt")
                .truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC);
    }

    /** {@return the hex SHA-256 of the UTF-8 bytes of a key}: what the table keeps instead of the key */
    static String sha256(String key) {
        Objects.requireNonNull(key, "key");
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return "PostgresCrossingStore[" + table + "]";
    }
}
