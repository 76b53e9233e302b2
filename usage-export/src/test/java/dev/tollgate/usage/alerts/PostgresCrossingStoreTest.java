package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.testing.Postgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link PostgresCrossingStore}: the contract on a real PostgreSQL, its table, its failures. */
class PostgresCrossingStoreTest extends CrossingStoreContract {

    private static HikariDataSource pool;
    private String schema;
    private PostgresCrossingStore store;

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(10);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @BeforeEach
    void createSchema() throws SQLException {
        schema = Postgres.uniqueSchema();
        execute("CREATE SCHEMA " + schema);
        store = new PostgresCrossingStore(pool, schema).createTable();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        Postgres.dropSchema(pool, schema);
    }

    private static void execute(String sql) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute(sql);
        }
    }

    @Override
    CrossingStore store() {
        return store;
    }

    @Test
    void keepsOnlyCrossingsThatFiredAndSurvivesANewInstance() throws SQLException {
        assertTrue(store.fire("low", "acme", T));
        assertTrue(store.fire("low", "globex", T));
        assertTrue(store.rearm("low", "globex", T));
        PostgresCrossingStore again = new PostgresCrossingStore(pool, schema).createTable(); // a restart
        assertFalse(again.fire("low", "acme", T.plusSeconds(60)));
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT count(*) FROM " + schema + ".alert_crossings")) {
            rs.next();
            assertEquals(1, rs.getInt(1));
        }
    }

    @Test
    void aDatabaseFailureIsNamedAndMarksNothing() throws SQLException {
        execute("DROP TABLE " + schema + ".alert_crossings");
        CrossingStoreUnavailableException e = assertThrows(CrossingStoreUnavailableException.class,
                () -> store.fire("low", "acme", T));
        assertTrue(e.getMessage().contains(schema + ".alert_crossings"), e.getMessage());
        assertThrows(CrossingStoreUnavailableException.class, () -> store.rearm("low", "acme", T));
        store.createTable();
        assertTrue(store.fire("low", "acme", T));
        assertThrows(IllegalArgumentException.class, () -> new PostgresCrossingStore(pool, "Bad-Schema"));
    }
}
