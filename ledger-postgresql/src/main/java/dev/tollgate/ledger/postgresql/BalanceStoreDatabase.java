package dev.tollgate.ledger.postgresql;

import dev.tollgate.Money;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.Settlement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import javax.sql.DataSource;

/**
 * How a {@link PostgresHoldStore} talks to its database: its tables created from
 * {@code balance-store.sql}, work in one transaction with statements under the query timeout, every
 * {@link SQLException} turned into a {@link LedgerUnavailableException}, and rows of
 * {@code balance_holds} read into holds and settlements.
 *
 * <p>Immutable and thread-safe; the data source belongs to the application and is never closed here.
 */
final class BalanceStoreDatabase {

    private final DataSource dataSource;
    private final String t;
    private final int queryTimeoutSeconds;

    BalanceStoreDatabase(DataSource dataSource, String schema, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.t = schema;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
    }

    /** Creates the schema and the tables if they are missing, under an advisory lock. */
    void createSchema() {
        String script = resource().replace("${schema}", t);
        tx("createSchema", c -> {
            try (PreparedStatement lock = prepare(c, "SELECT pg_advisory_xact_lock(hashtext(?))")) {
                lock.setString(1, "tollgate-balance-store:" + t);
                lock.execute();
            }
            try (Statement st = c.createStatement()) {
                st.setQueryTimeout(Math.max(queryTimeoutSeconds, 60));
                st.execute("CREATE SCHEMA IF NOT EXISTS " + t);
                st.execute(script);
            }
            return null;
        });
    }

    /** Runs one statement with the hold id as its only parameter, in a transaction of its own. */
    void update(String what, String sql, String holdId) {
        tx(what, c -> {
            update(c, sql, holdId);
            return null;
        });
    }

    /** Runs one statement with the hold id as its only parameter, in the caller's transaction. */
    void update(Connection c, String sql, String holdId) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setString(1, holdId);
            ps.executeUpdate();
        }
    }

    /** {@return the state a repeated commit or release reports, or null while the hold is debiting or open} */
    static Settlement settlement(String state) {
        return switch (state) {
            case "committed" -> Settlement.COMMITTED;
            // A credit under way is reported as done: if it fails, the hold is open again and expires later.
            case "releasing", "released" -> Settlement.RELEASED;
            case "expiring", "expired" -> Settlement.EXPIRED;
            default -> null; // debiting, open
        };
    }

    /** {@return the hold in columns 1 to 5: id, account_id, amount, currency, expires_at} */
    static Hold hold(ResultSet rs) throws SQLException {
        return new Hold(rs.getString(1), rs.getString(2), new Money(rs.getBigDecimal(3), rs.getString(4)),
                instant(rs, 5));
    }

    static Instant instant(ResultSet rs, int column) throws SQLException {
        return rs.getObject(column, OffsetDateTime.class).toInstant();
    }

    static OffsetDateTime at(Instant instant) {
        return OffsetDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        return prepare(c, sql, queryTimeoutSeconds);
    }

    static PreparedStatement prepare(Connection c, String sql, int queryTimeoutSeconds) throws SQLException {
        return LedgerDatabase.prepare(c, sql, queryTimeoutSeconds);
    }

    /** Runs work in one transaction, whatever mode the pool hands connections out in. */
    <T> T tx(String what, LedgerDatabase.Work<T> work) {
        try {
            return LedgerDatabase.inTransaction(dataSource, work);
        } catch (SQLException e) {
            String hint = "42P01".equals(e.getSQLState()) || "3F000".equals(e.getSQLState())
                    ? " (tables missing in schema " + t + ": call PostgresHoldStore.createSchema())" : "";
            throw new LedgerUnavailableException("balance store failed on " + what + " (SQLState " + e.getSQLState()
                    + ")" + hint + ": " + e.getMessage(), e);
        }
    }

    private static String resource() {
        try (InputStream in = PostgresHoldStore.class.getResourceAsStream("balance-store.sql")) {
            if (in == null) {
                throw new IllegalStateException("missing resource dev/tollgate/ledger/postgresql/balance-store.sql");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read dev/tollgate/ledger/postgresql/balance-store.sql", e);
        }
    }
}
