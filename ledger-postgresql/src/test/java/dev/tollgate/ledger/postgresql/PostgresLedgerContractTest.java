package dev.tollgate.ledger.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testkit.LedgerContract;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The built-in PostgreSQL ledger passes the ledger contract, on a real server, in a schema per test. */
class PostgresLedgerContractTest extends LedgerContract {

    private static HikariDataSource pool;
    private String schema;
    private PostgresLedger postgres;

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(40);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @Override
    protected Ledger createLedger() {
        schema = Postgres.uniqueSchema();
        // No background sweeper: the rules expire holds themselves.
        postgres = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO)
                .holdTimeout(Duration.ofMinutes(10)).build();
        return postgres;
    }

    @AfterEach
    void dropSchema() throws SQLException {
        Postgres.dropSchema(pool, schema);
    }

    @Override
    protected void openAccount(String id, Money balance, Set<String> entitlements) {
        postgres.openAccount(id, balance, entitlements);
    }

    @Override
    protected void makeHoldsOverdue() throws SQLException {
        // Time travel without sleeping: the ledger compares expires_at with the database clock.
        try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
            st.executeUpdate("UPDATE " + schema + ".holds SET expires_at = now() - interval '1 second'"
                    + " WHERE state = 'open'");
        }
    }

    @Override
    protected int expireOverdueHolds() {
        return postgres.expireOverdueHolds();
    }
}
