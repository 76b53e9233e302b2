package dev.tollgate.usage;

import dev.tollgate.usage.internal.Tables;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link CursorStore} in a PostgreSQL table, {@code <schema>.usage_export_cursors (consumer, cursor,
 * updated_at)}, one row per consumer name: several nodes that push the same log under one consumer name share
 * the position (run one pusher per consumer at a time, or accept that two may send the same page: the event
 * ids make that harmless to a receiver that drops duplicates). Thread-safe; every statement has a 5 s timeout.
 */
public final class PostgresCursorStore implements CursorStore {

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
    private static final int TIMEOUT_SECONDS = 5;

    private final DataSource dataSource;
    private final String table;
    private final String consumer;

    /**
     * A store for one consumer.
     *
     * @param dataSource the database
     * @param schema the schema of the table (lower-case letters, digits, {@code _})
     * @param consumer the consumer's name, 1 to 200 characters
     * @throws IllegalArgumentException if the schema or the consumer name is invalid
     */
    public PostgresCursorStore(DataSource dataSource, String schema, String consumer) {
        this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            throw new IllegalArgumentException("a schema name is lower-case letters, digits and _: " + schema);
        }
        if (consumer == null || consumer.isEmpty() || consumer.length() > 200) {
            throw new IllegalArgumentException("a consumer name has 1 to 200 characters");
        }
        this.table = schema + ".usage_export_cursors";
        this.consumer = consumer;
    }

    /**
     * Creates the table unless it exists (safe from several nodes at once).
     *
     * @return this store
     * @throws UsageLogUnavailableException if the database refuses
     */
    public PostgresCursorStore createTable() {
        try {
            Tables.createIfAbsent(dataSource, "CREATE TABLE IF NOT EXISTS " + table + " (consumer text PRIMARY KEY,"
                    + " cursor text NOT NULL, updated_at timestamptz NOT NULL DEFAULT now())", TIMEOUT_SECONDS);
            return this;
        } catch (SQLException e) {
            throw new UsageLogUnavailableException("cannot create " + table + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<String> load() {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT cursor FROM " + table + " WHERE consumer = ?")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, consumer);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new UsageLogUnavailableException("cannot read the cursor of " + consumer + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void save(String token) {
        try (Connection c = dataSource.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + " (consumer, cursor) VALUES (?, ?)"
                     + " ON CONFLICT (consumer) DO UPDATE SET cursor = excluded.cursor, updated_at = now()")) {
            ps.setQueryTimeout(TIMEOUT_SECONDS);
            ps.setString(1, consumer);
            ps.setString(2, token);
            ps.executeUpdate();
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            throw new UsageLogUnavailableException("cannot save the cursor of " + consumer + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "PostgresCursorStore[" + table + ", " + consumer + "]";
    }
}
