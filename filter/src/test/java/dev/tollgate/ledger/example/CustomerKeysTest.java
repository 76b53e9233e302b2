package dev.tollgate.ledger.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.BalanceLedger;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.TestServer;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A {@link BalanceLedger} with {@link CustomerKeys} (docs/ledger-spi.md): callers' keys are found by
 * their hash and charged to their account; an unknown or revoked key, an account id, and a balance
 * row named by a raw key are all refused with 401. Without a key look-up Tollgate still warns.
 */
class CustomerKeysTest {

    private static final String KEY = "tg_live_customerkeystest0123456789abcdef";
    private static String schema;
    private static HikariDataSource admin;
    private static HikariDataSource pool;

    @BeforeAll
    static void createTables() throws SQLException {
        Postgres.Server server = Postgres.server();
        admin = server.pool(2);
        schema = Postgres.uniqueSchema();
        sql(admin, "CREATE SCHEMA " + schema);
        sql(admin, "CREATE TABLE " + schema + ".customer_accounts (api_key text PRIMARY KEY,"
                + " credits numeric NOT NULL CHECK (credits >= 0))");
        sql(admin, "CREATE TABLE " + schema + ".customer_keys (key_hash text PRIMARY KEY, account_id text NOT NULL,"
                + " created_at timestamptz NOT NULL DEFAULT now(), revoked_at timestamptz)");
        String url = server.url() + (server.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        pool = Postgres.pool(url, server.user(), server.password(), 8);
        // acct-7 pays with KEY; a second key of acct-7 is revoked; a legacy row is named by a raw key.
        sql(pool, "INSERT INTO customer_accounts VALUES ('acct-7', 11), ('raw-legacy-key-000', 11),"
                + " ('raw-legacy-key-001', 11)");
        sql(pool, "INSERT INTO customer_keys (key_hash, account_id) VALUES ('" + ApiKey.hash(KEY) + "', 'acct-7')");
        sql(pool, "INSERT INTO customer_keys (key_hash, account_id, revoked_at) VALUES ('"
                + ApiKey.hash("tg_live_revokedkey0000000000000000000000") + "', 'acct-7', now() - interval '1 hour')");
    }

    @AfterAll
    static void dropTables() throws SQLException {
        pool.close();
        Postgres.dropSchema(admin, schema);
        admin.close();
    }

    @Test
    void keysAreFoundByHashAndNothingElsePays() throws Exception {
        DataSource dataSource = pool;
        // As docs/ledger-spi.md plugs it in (LedgerSpiDocTest checks that this line is the page's):
        Ledger ledger = BalanceLedger.builder(new CustomerAccountsBalances(dataSource)).keyLookup(new CustomerKeys(dataSource)).build();
        try (TestServer server = serve(ledger)) {
            assertEquals(200, server.get("/reports/monthly", "X-API-Key", KEY).statusCode());
            assertEquals(0, new BigDecimal("6").compareTo(credits("acct-7")), "5 credits taken from the key's account");
            assertEquals(401, server.get("/reports/monthly", "X-API-Key", "tg_live_nobody000000000000000000000000")
                    .statusCode(), "an unknown key");
            assertEquals(401, server.get("/reports/monthly", "X-API-Key", "tg_live_revokedkey0000000000000000000000")
                    .statusCode(), "a revoked key");
            assertEquals(401, server.get("/reports/monthly", "X-API-Key", "acct-7").statusCode(),
                    "an account id is no credential");
            assertEquals(401, server.get("/reports/monthly", "X-API-Key", "raw-legacy-key-000").statusCode(),
                    "the raw key is never the account id");
            assertEquals(0, new BigDecimal("11").compareTo(credits("raw-legacy-key-000")));
            assertEquals(0, new BigDecimal("6").compareTo(credits("acct-7")));
        }
        assertTrue(log.stream().noneMatch(r -> r.getLevel() == Level.WARNING), "no warning: " + log);
    }

    @Test
    void withoutAKeyLookUpTheRawKeyIsTheAccountIdAndTollgateWarns() throws Exception {
        try (TestServer server = serve(BalanceLedger.builder(new CustomerAccountsBalances(pool)).build())) {
            assertEquals(401, server.get("/reports/monthly", "X-API-Key", KEY).statusCode(), "no row is named by it");
            assertEquals(200, server.get("/reports/monthly", "X-API-Key", "raw-legacy-key-001").statusCode(),
                    "as documented: the credential is the account id");
        }
        assertTrue(log.stream().anyMatch(r -> r.getLevel() == Level.WARNING && r.getParameters() != null
                && List.of(r.getParameters()).contains(BalanceLedger.class.getName())), "a warning: " + log);
    }

    /** Held here: the logging framework keeps loggers only weakly, and a new one would have no handler. */
    private static final Logger JUL = Logger.getLogger("dev.tollgate.internal.PayerIdentification");
    private final List<LogRecord> log = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord r) {
            log.add(r);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureLog() {
        JUL.addHandler(capture);
    }

    @AfterEach
    void stopCapture() {
        JUL.removeHandler(capture);
    }

    private static TestServer serve(Ledger ledger) throws Exception {
        return TestServer.builder().servlet("reports", ReportServlet.class, "/reports/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger).start();
    }

    private static BigDecimal credits(String id) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT credits FROM customer_accounts WHERE api_key = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }

    private static void sql(DataSource ds, String text) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute(text);
        }
    }
}
