package dev.tollgate.usage.alerts;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link CrossingStore} in a PostgreSQL table, {@code <schema>.alert_crossings (kind, key, fired_at)}, one
 * row per crossing that has fired and is not re-armed: every node of a cluster that uses the same table sends
 * each alert once per crossing, and a restarted node does not send it again.
 *
 * <p>{@link #fire} is one statement, {@code INSERT … ON CONFLICT (kind, key) DO NOTHING RETURNING}: of
 * concurrent callers PostgreSQL lets exactly one insert the row, the others see it and get {@code false}.
 * {@link #rearm} deletes the row unless it fired on a later observation; a key that has not fired costs an
 * index lookup and no write. Thread-safe; every statement has a 5 s timeout.
 */
public final class PostgresCrossingStore implements CrossingStore {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final String table;
    private final String fire;
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
        this.table = schema + ".alert_crossings";
        this.fire = "INSERT INTO " + table + " (kind, key, fired_at) VALUES (?, ?, ?)"
                + " ON CONFLICT (kind, key) DO NOTHING RETURNING fired_at";
        this.rearm = "DELETE FROM " + table + " WHERE kind = ? AND key = ? AND fired_at <= ?";
    }

    /**
     * Creates the table unless it exists (safe from several nodes at once).
     *
     * @return this store
     * @throws CrossingStoreUnavailableException if the database refuses
     */
    public PostgresCrossingStore createTable() {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(TIMEOUT_SECONDS);
            st.execute("CREATE TABLE IF NOT EXISTS " + table + " (kind text NOT NULL, key text NOT NULL,"
                    + " fired_at timestamptz NOT NULL, PRIMARY KEY (kind, key))");
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return this;
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState()) || "42P07".equals(e.getSQLState())) {
                return this; // another node created it at the same moment
            }
            throw new CrossingStoreUnavailableException("cannot create " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean fire(String kind, String key, Instant observedAt) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(fire)) {
            bind(ps, kind, key, observedAt);
            boolean fired;
            try (ResultSet rs = ps.executeQuery()) {
                fired = rs.next();
            }
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return fired;
        } catch (SQLException e) {
            throw new CrossingStoreUnavailableException("cannot mark the crossing of " + kind + " " + key + " in "
                    + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean rearm(String kind, String key, Instant observedAt) {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(rearm)) {
            bind(ps, kind, key, observedAt);
            boolean rearmed = ps.executeUpdate() > 0;
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return rearmed;
        } catch (SQLException e) {
            throw new CrossingStoreUnavailableException("cannot re-arm " + kind + " " + key + " in " + table + ": "
                    + e.getMessage(), e);
        }
    }

    private static void bind(PreparedStatement ps, String kind, String key, Instant observedAt) throws SQLException {
        ps.setQueryTimeout(TIMEOUT_SECONDS);
        ps.setString(1, Objects.requireNonNull(kind, "kind"));
        ps.setString(2, Objects.requireNonNull(key, "key"));
        ps.setObject(3, OffsetDateTime.ofInstant(Objects.requireNonNull(observedAt, "observedAt"), ZoneOffset.UTC));
    }

    @Override
    public String toString() {
        return "PostgresCrossingStore[" + table + "]";
    }
}
