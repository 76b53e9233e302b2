package dev.tollgate.ledger.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.BalanceLedger;
import dev.tollgate.ledger.example.CustomerAccountsBalances;
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

/**
 * The worked example of {@code docs/ledger-spi.md} all in PostgreSQL: the application's
 * {@code customer_accounts} table through {@code CustomerAccountsBalances}, and Tollgate's holds and
 * keys in the tables {@link PostgresHoldStore} creates next to it, pass the ledger contract.
 */
class CustomerAccountsOnPostgresContractTest extends LedgerContract {

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
            st.execute("DROP TABLE IF EXISTS balance_keys, balance_holds");
        }
        DataSource dataSource = pool;
        // As docs/ledger-spi.md keeps holds and keys in PostgreSQL (there without the test clock and schema):
        Ledger ledger = BalanceLedger.builder(new CustomerAccountsBalances(dataSource)).clock(clock)
                .store(PostgresHoldStore.builder(dataSource).schema(schema).build())
                .build();
        balanceLedger = (BalanceLedger) ledger;
        return ledger;
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
        return false;
    }

    @Override
    protected void makeHoldsOverdue() {
        clock.advance(Duration.ofMinutes(11));
    }

    @Override
    protected int expireOverdueHolds() {
        return balanceLedger.expireOverdueHolds();
    }
}
