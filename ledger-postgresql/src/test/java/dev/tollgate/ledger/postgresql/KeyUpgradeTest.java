package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.KeySecrets;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import dev.tollgate.testing.Postgres;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: the upgrade from schema version 2, where an account's id was its API key, to keys apart
 * from accounts (version 3). The old schema is made with the old scripts and filled with rows as they wrote
 * them; the new ledger then migrates it. Balances, statements, an open hold and an idempotency record
 * carry over to the account's new id, the old key still finds the account, and no row of any table
 * holds the key in clear. Also: the sample's way of seeding demo keys leaves none in clear.
 */
class KeyUpgradeTest {

    private static final String OLD_KEY = "demo-gold";
    private static HikariDataSource pool;
    private String schema;
    private PostgresLedger ledger;

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(4);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @AfterEach
    void drop() throws SQLException {
        if (ledger != null) {
            ledger.close();
        }
        Postgres.dropSchema(pool, schema);
    }

    @Test
    void anAccountNamedByItsKeyGetsAnIdOfItsOwnAndTheKeyIsKeptOnlyAsItsHash() throws Exception {
        schema = Postgres.uniqueSchema();
        long openHold;
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            // Versions 1 and 2, as SchemaMigrations applied them.
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".schema_version (version int PRIMARY KEY, script text NOT NULL,"
                    + " applied_at timestamptz NOT NULL DEFAULT now())");
            st.execute(script("V1__ledger.sql").replace("${schema}", schema));
            st.execute("INSERT INTO " + schema + ".schema_version (version, script) VALUES (1, 'V1__ledger.sql')");
            st.execute(script("V2__group_commit.sql").replace("${schema}", schema));
            st.execute("INSERT INTO " + schema + ".schema_version (version, script) VALUES (2, 'V2__group_commit.sql')");
            // Rows as versions 1 and 2 wrote them: opened with 1000, a charge of 3 committed, 2 held now.
            st.execute("INSERT INTO " + schema + ".accounts (id, currency, balance) VALUES ('" + OLD_KEY
                    + "', 'credits', 995), ('demo-silver', 'credits', 20)");
            st.execute("INSERT INTO " + schema + ".entitlements (account_id, name) VALUES ('" + OLD_KEY + "', 'premium')");
            st.execute("INSERT INTO " + schema + ".holds (account_id, amount, resource, state, expires_at, settled_at)"
                    + " VALUES ('" + OLD_KEY + "', 3, 'GET /paid', 'committed', now() + interval '10 minutes', now())");
            try (ResultSet rs = st.executeQuery("INSERT INTO " + schema + ".holds (account_id, amount, resource,"
                    + " expires_at) VALUES ('" + OLD_KEY + "', 2, 'GET /paid', now() + interval '10 minutes') RETURNING id")) {
                rs.next();
                openHold = rs.getLong(1);
            }
            st.execute("INSERT INTO " + schema + ".entries (account_id, kind, available_delta, held_delta, hold_id,"
                    + " reference) VALUES ('" + OLD_KEY + "', 'open', 1000, 0, NULL, NULL),"
                    + " ('" + OLD_KEY + "', 'hold', -3, 3, 1, 'GET /paid'), ('" + OLD_KEY + "', 'commit', 0, -3, 1, 'GET /paid'),"
                    + " ('" + OLD_KEY + "', 'hold', -2, 2, " + openHold + ", 'GET /paid'),"
                    + " ('demo-silver', 'open', 20, 0, NULL, NULL)");
            st.execute("INSERT INTO " + schema + ".idempotency_keys (account_id, key, fingerprint, hold_id, state,"
                    + " expires_at) VALUES ('" + OLD_KEY + "', 'retry-1', 'fp', " + openHold + ", 'in_progress',"
                    + " now() + interval '1 day')");
        }
        assertTrue(dump().contains(OLD_KEY), "the old schema holds the key in clear (the test's premise)");

        ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();

        String id = KeySecrets.legacyAccountId(OLD_KEY);
        assertEquals(new BigDecimal("995"), ledger.account(id).orElseThrow().balance().amount().stripTrailingZeros());
        assertEquals(Set.of("premium"), ledger.account(id).orElseThrow().entitlements());
        assertTrue(ledger.account(OLD_KEY).isEmpty(), "the key is no account id any more");

        ApiKey key = ledger.findKey(ApiKey.hash(OLD_KEY)).orElseThrow();
        assertEquals(id, key.accountId());
        assertTrue(key.usableAt(Instant.now()));
        assertEquals("de", key.displayPrefix());
        assertEquals(KeySecrets.legacyAccountId("demo-silver"),
                ledger.findKey(ApiKey.hash("demo-silver")).orElseThrow().accountId());

        List<LedgerEntry> statement = ledger.statement(id, Instant.EPOCH, Instant.now().plusSeconds(60), 100);
        assertEquals(List.of(LedgerEntry.Kind.OPEN, LedgerEntry.Kind.HOLD, LedgerEntry.Kind.COMMIT,
                LedgerEntry.Kind.HOLD), statement.stream().map(LedgerEntry::kind).toList());
        assertEquals(new BigDecimal("995"), statement.stream().map(LedgerEntry::availableDelta)
                .reduce(BigDecimal.ZERO, BigDecimal::add));

        // The hold opened before the upgrade settles on the renamed account, exactly once.
        Hold hold = new Hold(Long.toString(openHold), id, Money.credits("2"), Instant.now().plusSeconds(600));
        assertEquals(Settlement.RELEASED, ledger.release(hold));
        assertEquals(new BigDecimal("997"), ledger.account(id).orElseThrow().balance().amount().stripTrailingZeros());
        // And the account pays as before, by its new id.
        Reservation r = ledger.reserve(new Charge(id, Money.credits("1"), "premium", "GET /paid",
                new Idempotency("k-" + System.nanoTime(), "", false)));
        Reservation.Authorized authorized = assertInstanceOf(Reservation.Authorized.class, r);
        assertEquals(Settlement.COMMITTED, ledger.commit(authorized.hold(), null));

        String dump = dump();
        assertFalse(dump.contains(OLD_KEY), "no row holds the key in clear after the upgrade");
        assertFalse(dump.contains("demo-silver"));
        assertTrue(dump.contains(ApiKey.hash(OLD_KEY)), "the dump covers the keys table");
    }

    @Test
    void demoKeysSeededAsTheSampleDoesAppearInNoRow() throws Exception {
        schema = Postgres.uniqueSchema();
        ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        for (String demo : List.of("demo-gold", "demo-silver", "demo-empty")) {
            String id = KeySecrets.legacyAccountId(demo);
            ledger.openAccount(id, Money.credits("20"), Set.of());
            ledger.importKey(id, demo, "demo", null);
        }
        String id = ledger.findKey(ApiKey.hash(OLD_KEY)).orElseThrow().accountId();
        Reservation.Authorized a = assertInstanceOf(Reservation.Authorized.class, ledger.reserve(new Charge(id,
                Money.credits("1"), null, "GET /paid", new Idempotency("client-key", "fp", true))));
        ledger.commit(a.hold(), null);
        ledger.credit(id, Money.credits("5"), "top-up");
        String dump = dump();
        assertFalse(dump.contains("demo-gold"), dump.length() + " characters of rows, none with the demo key");
        assertFalse(dump.contains("demo-"));
        assertTrue(dump.contains("client-key"), "the dump covers the idempotency records");
    }

    /** Every row of every table in the schema, as text: what a pg_dump of the data would show. */
    private String dump() throws SQLException {
        StringBuilder out = new StringBuilder();
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables WHERE table_schema = '"
                    + schema + "'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertTrue(tables.size() >= 6, tables.toString());
            for (String t : tables) {
                try (ResultSet rs = st.executeQuery("SELECT x::text FROM " + schema + "." + t + " x")) {
                    while (rs.next()) {
                        out.append(t).append(' ').append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private static String script(String name) throws IOException {
        try (InputStream in = PostgresLedger.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
