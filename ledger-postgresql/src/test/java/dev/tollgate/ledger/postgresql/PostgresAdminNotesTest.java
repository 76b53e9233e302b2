package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeySecrets;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.testing.Postgres;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Admin actions without money as {@code note} entries on PostgreSQL: written in the action's own
 * transaction (a note that cannot be written undoes the action), and the upgrade of a schema at
 * version 4, or at 4 plus a version 5 from another change, to the note kind (version 6).
 */
class PostgresAdminNotesTest {

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
    void anActionWhoseNoteCannotBeWrittenIsUndone() throws Exception {
        schema = Postgres.uniqueSchema();
        ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        ledger.openAccount("acme", Money.credits("5"), Set.of());
        // The database refuses every note from now on, as a full disk or a lost connection would.
        sql("CREATE FUNCTION " + schema + ".no_notes() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
                + " RAISE EXCEPTION 'no notes'; END $$");
        sql("CREATE TRIGGER no_notes BEFORE INSERT ON " + schema + ".entries FOR EACH ROW"
                + " WHEN (NEW.kind = 'note') EXECUTE FUNCTION " + schema + ".no_notes()");

        assertThrows(LedgerUnavailableException.class, () -> ledger.grant("acme", "gold", "alice"));
        assertThrows(LedgerUnavailableException.class, () -> ledger.issueKey("acme", null, null, true, "alice"));
        assertThrows(LedgerUnavailableException.class,
                () -> ledger.openAccount("beta", Money.credits("1"), Set.of(), "alice"));
        assertEquals(Set.of(), ledger.account("acme").orElseThrow().entitlements(), "the grant was rolled back");
        assertEquals(List.of(), ledger.keys("acme"), "the key was rolled back");
        assertTrue(ledger.account("beta").isEmpty(), "the account was rolled back");
        // Without an actor nothing is noted, so nothing stands in the way.
        ledger.grant("acme", "gold");
        assertEquals(Set.of("gold"), ledger.account("acme").orElseThrow().entitlements());
    }

    /**
     * Review finding: a key imported before imported keys got random ids (or carried over by the
     * upgrade from the old schema) has {@code key_} and 20 hex digits of its unsalted hash as id; a
     * note, never deleted, names it by its display prefix only.
     */
    @Test
    void aKeyWithAHashDerivedIdIsNamedInNotesByItsDisplayPrefixOnly() throws Exception {
        schema = Postgres.uniqueSchema();
        ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        ledger.openAccount("acme", Money.credits("5"), Set.of());
        String shortKey = "demo-gold";
        String longKey = "legacy-key-0123456789";
        for (String key : List.of(shortKey, longKey)) {
            String hash = ApiKey.hash(key);
            sql("INSERT INTO " + schema + ".keys (hash, id, account_id, display_prefix, name) VALUES ('" + hash
                    + "', '" + ApiKey.idOf(hash) + "', 'acme', '" + KeySecrets.displayPrefix(key) + "', '')");
        }
        ledger.revokeKey(ApiKey.idOf(ApiKey.hash(shortKey)), "alice");
        IssuedKey fresh = ledger.rotateKey(ApiKey.idOf(ApiKey.hash(longKey)), Duration.ZERO, true, "bob");

        List<String> notes = ledger.statement("acme", Instant.EPOCH, Instant.now().plusSeconds(60), 10).stream()
                .filter(e -> e.kind() == LedgerEntry.Kind.NOTE).map(LedgerEntry::reference).toList();
        assertEquals(List.of("[admin:alice] revoked key (…)", "[admin:bob] rotated key (lega…) to " + fresh.key().id()
                + " (" + fresh.key().displayPrefix() + "…), grace 0 s"), notes);
    }

    @Test
    void aSchemaAtVersion4IsUpgradedToNotesKeepingItsEntries() throws Exception {
        schema = Postgres.uniqueSchema();
        oldSchema(false);
        ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        assertNotes();
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), versions()); // version 5: monthly allowances; 7: their give-backs
    }

    @Test
    void aSchemaAtVersion5StillGetsVersion6() throws Exception {
        schema = Postgres.uniqueSchema();
        oldSchema(true);
        ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        assertNotes();
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), versions());
    }

    /** Versions 1 to 4 (and 5) as SchemaMigrations applied them, an account with an entry. */
    private void oldSchema(boolean withVersion5) throws Exception {
        sql("CREATE SCHEMA " + schema);
        sql("CREATE TABLE " + schema + ".schema_version (version int PRIMARY KEY, script text NOT NULL,"
                + " applied_at timestamptz NOT NULL DEFAULT now())");
        List<String> scripts = List.of("V1__ledger.sql", "V2__group_commit.sql", "V3__keys.sql",
                "V4__payment_claims.sql");
        for (int v = 1; v <= scripts.size(); v++) {
            sql(script(scripts.get(v - 1)).replace("${schema}", schema));
            sql("INSERT INTO " + schema + ".schema_version (version, script) VALUES (" + v + ", '"
                    + scripts.get(v - 1) + "')");
        }
        if (withVersion5) {
            sql(script("V5__allowances.sql").replace("${schema}", schema));
            sql("INSERT INTO " + schema + ".schema_version (version, script) VALUES (5, 'V5__allowances.sql')");
        }
        sql("INSERT INTO " + schema + ".accounts (id, currency, balance) VALUES ('acme', 'credits', 7)");
        sql("INSERT INTO " + schema + ".entries (account_id, kind, available_delta, held_delta, reference)"
                + " VALUES ('acme', 'open', 7, 0, NULL)");
        if (!withVersion5) {
            // The premise: version 4 refuses a note (version 5 already sets version 6's list of kinds).
            assertThrows(SQLException.class, () -> sql("INSERT INTO " + schema + ".entries (account_id, kind,"
                    + " available_delta, held_delta) VALUES ('acme', 'note', 0, 0)"));
        }
    }

    private void assertNotes() {
        ledger.grant("acme", "gold", "alice");
        List<LedgerEntry> entries = ledger.statement("acme", Instant.EPOCH, Instant.now().plusSeconds(60), 10);
        assertEquals(List.of(LedgerEntry.Kind.OPEN, LedgerEntry.Kind.NOTE), entries.stream().map(LedgerEntry::kind)
                .toList());
        assertEquals("[admin:alice] granted entitlement \"gold\"", entries.get(1).reference());
        assertEquals("credits", entries.get(1).currency());
        // Still refused: kinds that do not exist.
        assertThrows(SQLException.class, () -> sql("INSERT INTO " + schema + ".entries (account_id, kind,"
                + " available_delta, held_delta) VALUES ('acme', 'gift', 0, 0)"));
    }

    private List<Integer> versions() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("SELECT version FROM " + schema + ".schema_version ORDER BY version")) {
            List<Integer> out = new java.util.ArrayList<>();
            while (rs.next()) {
                out.add(rs.getInt(1));
            }
            return out;
        }
    }

    private void sql(String text) throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute(text);
        }
    }

    private static String script(String name) throws IOException {
        try (InputStream in = PostgresLedger.class.getResourceAsStream(name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
