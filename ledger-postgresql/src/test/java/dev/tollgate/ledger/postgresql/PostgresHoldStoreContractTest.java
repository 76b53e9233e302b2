package dev.tollgate.ledger.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.BalanceLedger;
import dev.tollgate.spi.Ledger;
import dev.tollgate.testing.MapBalances;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testkit.LedgerContract;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/**
 * A {@link BalanceLedger} whose holds and idempotency records are in PostgreSQL tables created by
 * {@link PostgresHoldStore} passes the ledger contract, on a real server, in a schema per test.
 */
class PostgresHoldStoreContractTest extends LedgerContract {

    private static HikariDataSource pool;
    private final MutableClock clock = new MutableClock();
    private final MapBalances balances = new MapBalances();
    private String schema;
    private BalanceLedger balanceLedger;

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
        balanceLedger = BalanceLedger.builder(balances).clock(clock).holdTimeout(Duration.ofMinutes(10))
                .store(PostgresHoldStore.builder(pool).schema(schema).build()).build();
        return balanceLedger;
    }

    @AfterEach
    void dropSchema() throws SQLException {
        Postgres.dropSchema(pool, schema);
    }

    @Override
    protected void openAccount(String id, Money balance, Set<String> entitlements) {
        balances.put(id, balance, entitlements);
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
