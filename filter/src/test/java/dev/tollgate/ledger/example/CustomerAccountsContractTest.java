package dev.tollgate.ledger.example;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.TestServer;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.sql.ResultSet;
import java.util.Map;
import dev.tollgate.ledger.BalanceLedger;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testkit.LedgerContract;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worked example of {@code docs/ledger-spi.md}: a {@link BalanceLedger} over
 * {@link CustomerAccountsBalances}, on a real PostgreSQL, passes the ledger contract. The table is
 * created in a schema of this test's own, as the application's existing table would be.
 */
class CustomerAccountsContractTest extends LedgerContract {

    private static String schema;
    private static HikariDataSource admin;
    private static HikariDataSource pool;
    private final MutableClock clock = new MutableClock();
    private BalanceLedger balanceLedger;

    @BeforeAll
    static void createTable() throws SQLException {
        Postgres.Server server = Postgres.server();
        admin = server.pool(2);
        schema = Postgres.uniqueSchema();
        try (Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
            st.execute("CREATE TABLE " + schema + ".customer_accounts (api_key text PRIMARY KEY,"
                    + " credits numeric NOT NULL CHECK (credits >= 0))");
        }
        // The example names the table without a schema, as an application would: its search path finds it.
        String url = server.url() + (server.url().contains("?") ? "&" : "?") + "currentSchema=" + schema;
        pool = Postgres.pool(url, server.user(), server.password(), 40);
    }

    @AfterAll
    static void dropTable() throws SQLException {
        pool.close();
        Postgres.dropSchema(admin, schema);
        admin.close();
    }

    @Override
    protected Ledger createLedger() throws SQLException {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.execute("TRUNCATE customer_accounts");
        }
        balanceLedger = BalanceLedger.builder(new CustomerAccountsBalances(pool)).clock(clock)
                .holdTimeout(Duration.ofMinutes(10)).build();
        return balanceLedger;
    }

    @Override
    protected void openAccount(String id, Money balance, Set<String> entitlements) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO customer_accounts (api_key, credits) VALUES (?, ?)")) {
            ps.setString(1, id);
            ps.setBigDecimal(2, balance.amount());
            ps.executeUpdate();
        }
    }

    @Override
    protected boolean grantsEntitlements() {
        return false; // customer_accounts has no entitlements column
    }

    @Override
    protected void makeHoldsOverdue() {
        clock.advance(Duration.ofMinutes(11));
    }

    @Override
    protected int expireOverdueHolds() {
        return balanceLedger.expireOverdueHolds();
    }

    @Test
    void behindTheFilterPaidCallsAreChargedToTheTable() throws Exception {
        openAccount("k-table", credits("11"), Set.of());
        DataSource dataSource = pool;
        // As docs/ledger-spi.md plugs it in (LedgerSpiDocTest checks that this line is the page's):
        Ledger ledger = BalanceLedger.builder(new CustomerAccountsBalances(dataSource)).build();
        try (TestServer server = TestServer.builder().servlet("reports", ReportServlet.class, "/reports/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger).start()) {
            assertEquals(200, server.get("/reports/monthly", "X-API-Key", "k-table").statusCode());
            assertEquals(0, new BigDecimal("6").compareTo(tableCredits("k-table")), "5 credits taken from the row");

            assertEquals(503, server.get("/reports/monthly?status=503", "X-API-Key", "k-table").statusCode());
            assertEquals(0, new BigDecimal("6").compareTo(tableCredits("k-table")), "a 503 is credited back");

            assertEquals(200, server.get("/reports/monthly", "X-API-Key", "k-table").statusCode());
            assertEquals(0, new BigDecimal("1").compareTo(tableCredits("k-table")), "5 more taken");

            HttpResponse<String> refused = server.get("/reports/monthly", "X-API-Key", "k-table");
            assertEquals(402, refused.statusCode(), refused::body);
            @SuppressWarnings("unchecked")
            Map<String, Object> option = (Map<String, Object>) list(json(refused).get("payment-options")).get(0);
            assertEquals("account", option.get("scheme"));

            assertEquals(401, server.get("/reports/monthly", "X-API-Key", "k-nobody").statusCode());
        }
    }

    private static BigDecimal tableCredits(String apiKey) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT credits FROM customer_accounts WHERE api_key = ?")) {
            ps.setString(1, apiKey);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBigDecimal(1);
            }
        }
    }
}
