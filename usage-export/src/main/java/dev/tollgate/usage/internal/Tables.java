package dev.tollgate.usage.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/** Creates the module's own tables. Not API: shared by the PostgreSQL cursor and crossing stores. */
public final class Tables {

    private Tables() {
    }

    /**
     * Runs a {@code CREATE TABLE IF NOT EXISTS} statement; another node creating the same table at the
     * same moment (a unique or duplicate-table violation) counts as success.
     *
     * @param dataSource where
     * @param ddl the statement
     * @param timeoutSeconds the statement's timeout
     * @throws SQLException if the table could not be created
     */
    public static void createIfAbsent(DataSource dataSource, String ddl, int timeoutSeconds) throws SQLException {
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            st.setQueryTimeout(timeoutSeconds);
            st.execute(ddl);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        } catch (SQLException e) {
            if (!"23505".equals(e.getSQLState()) && !"42P07".equals(e.getSQLState())) {
                throw e;
            }
        }
    }
}
