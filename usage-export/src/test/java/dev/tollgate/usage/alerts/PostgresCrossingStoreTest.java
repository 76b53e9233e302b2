package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.testing.Postgres;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link PostgresCrossingStore}: the contract on a real PostgreSQL, its table, its failures. */
class PostgresCrossingStoreTest extends CrossingStoreContract {

    private static final String TABLE = "alert_crossing_states";

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
    void survivesANewInstance() {
        assertTrue(store.fire("low", "acme", T));
        assertTrue(store.fire("low", "globex", T));
        assertTrue(store.rearm("low", "globex", T));
        PostgresCrossingStore again = new PostgresCrossingStore(pool, schema).createTable(); // a restart
        assertFalse(again.fire("low", "acme", T.plusSeconds(60)));
        assertFalse(again.fire("low", "globex", T)); // the re-arm at T is remembered too
        assertTrue(again.fire("low", "globex", T.plusSeconds(1)));
    }

    @Test
    void keepsTheSha256OfTheKeyNeverTheKey() throws Exception {
        String key = "tg_live_SuperSecretCustomerKey0123456789";
        assertTrue(store.fire("low", key, T));
        assertFalse(store.rearm("low", "acme", T));
        String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest(key.getBytes(StandardCharsets.UTF_8)));
        List<String> rows = new ArrayList<>();
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT t::text FROM " + schema + "." + TABLE + " t ORDER BY 1")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        }
        assertEquals(2, rows.size(), rows.toString());
        assertTrue(rows.stream().noneMatch(r -> r.contains(key) || r.contains("acme")), rows.toString());
        assertTrue(rows.stream().anyMatch(r -> r.contains(hash) && r.contains("fired")), rows.toString());
    }

    @Test
    void startsOverATableOfTheEarlierLayout() throws SQLException {
        String other = Postgres.uniqueSchema();
        execute("CREATE SCHEMA " + other);
        try {
            execute("CREATE TABLE " + other + ".alert_crossings (kind text NOT NULL, key text NOT NULL,"
                    + " fired_at timestamptz NOT NULL, PRIMARY KEY (kind, key))");
            execute("INSERT INTO " + other + ".alert_crossings VALUES ('low', 'acme', now())");
            PostgresCrossingStore s = new PostgresCrossingStore(pool, other).createTable();
            assertTrue(s.fire("low", "acme", T));
            assertFalse(s.fire("low", "acme", T.plusSeconds(1)));
        } finally {
            Postgres.dropSchema(pool, other);
        }
    }

    @Test
    void aDatabaseFailureIsNamedWithoutTheKeyAndMarksNothing() throws SQLException {
        execute("DROP TABLE " + schema + "." + TABLE);
        CrossingStoreUnavailableException e = assertThrows(CrossingStoreUnavailableException.class,
                () -> store.fire("low", "tg_live_secret0123", T));
        assertTrue(e.getMessage().contains(schema + "." + TABLE), e.getMessage());
        assertFalse(e.getMessage().contains("tg_live_secret0123"), e.getMessage());
        e = assertThrows(CrossingStoreUnavailableException.class, () -> store.rearm("low", "tg_live_secret0123", T));
        assertFalse(e.getMessage().contains("tg_live_secret0123"), e.getMessage());
        store.createTable();
        assertTrue(store.fire("low", "acme", T));
        assertThrows(IllegalArgumentException.class, () -> new PostgresCrossingStore(pool, "Bad-Schema"));
    }
}
