package dev.tollgate.ledger.postgresql;

import dev.tollgate.ledger.AdminNotes;
import dev.tollgate.spi.LedgerUnavailableException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * How the ledger talks to its database: connections in the right commit mode, statements with the
 * query timeout, and every {@link SQLException} turned into what Tollgate understands
 * ({@link LedgerUnavailableException}, or {@link LedgerSchemaException} when the tables are missing).
 *
 * <p>Immutable and thread-safe; the data source belongs to the application and is never closed here.
 */
final class LedgerDatabase {

    /** Work on one connection. */
    interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    final DataSource dataSource;
    final String schema;
    final int queryTimeoutSeconds;
    final LedgerStatements sql;

    LedgerDatabase(DataSource dataSource, String schema, int queryTimeoutSeconds) {
        this.dataSource = dataSource;
        this.schema = schema;
        this.queryTimeoutSeconds = queryTimeoutSeconds;
        this.sql = new LedgerStatements(schema);
    }

    /**
     * Runs single statements each in its own transaction, whatever mode the pool hands connections
     * out in (a pool with auto-commit off would otherwise roll every change back on return).
     */
    <T> T autoCommit(String what, Work<T> work) {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            if (!auto) {
                c.setAutoCommit(true);
            }
            try {
                return work.run(c);
            } finally {
                if (!auto) {
                    c.setAutoCommit(false);
                }
            }
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }

    <T> T inTransaction(String what, Work<T> work) {
        try {
            return inTransaction(dataSource, work);
        } catch (SQLException e) {
            throw unavailable(what, e);
        }
    }

    /**
     * Runs work in one transaction on a connection of the pool, whatever commit mode the pool hands
     * it out in, and gives the connection back in that mode. Shared with {@link PostgresHoldStore}.
     */
    static <T> T inTransaction(DataSource dataSource, Work<T> work) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    PreparedStatement prepare(Connection c, String sql) throws SQLException {
        return prepare(c, sql, queryTimeoutSeconds);
    }

    /** {@return a statement with the query timeout} Shared with {@link PostgresHoldStore}. */
    static PreparedStatement prepare(Connection c, String sql, int queryTimeoutSeconds) throws SQLException {
        PreparedStatement ps = c.prepareStatement(sql);
        ps.setQueryTimeout(queryTimeoutSeconds);
        return ps;
    }

    /** Runs one of the hold transitions of {@link LedgerStatements}; how many holds it moved (0 or 1). */
    int settle(Connection c, String sql, long holdId) throws SQLException {
        try (PreparedStatement ps = prepare(c, sql)) {
            ps.setLong(1, holdId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /**
     * Writes an operator's {@code note} entry (no money) in the caller's transaction, so the
     * action and its record commit or roll back together; nothing when there is no actor.
     */
    void note(Connection c, String account, String actor, String action) throws SQLException {
        if (actor == null) {
            return;
        }
        try (PreparedStatement ps = prepare(c, sql.entry)) {
            ps.setString(1, account);
            ps.setString(2, "note");
            ps.setBigDecimal(3, java.math.BigDecimal.ZERO);
            ps.setBigDecimal(4, java.math.BigDecimal.ZERO);
            ps.setString(5, AdminNotes.reference(actor, action));
            ps.executeUpdate();
        }
    }

    /** Checks an actor before anything changes: {@code null} (none) or a valid one. */
    static void requireActorOrNone(String actor) {
        if (actor != null) {
            AdminNotes.requireActor(actor);
        }
    }

    static String interval(Duration d) {
        return d.toMillis() + " milliseconds";
    }

    RuntimeException unavailable(String verb, SQLException e) {
        String state = e.getSQLState();
        if ("42P01".equals(state) || "3F000".equals(state)) {
            return new LedgerSchemaException("Tollgate ledger tables are missing in schema " + schema
                    + ": call PostgresLedger.createSchema() or set " + PostgresLedger.CREATE_SCHEMA + "=true ("
                    + e.getMessage() + ")", e);
        }
        return new LedgerUnavailableException("ledger database failed on " + verb + " (SQLState " + state + "): "
                + e.getMessage(), e);
    }
}
