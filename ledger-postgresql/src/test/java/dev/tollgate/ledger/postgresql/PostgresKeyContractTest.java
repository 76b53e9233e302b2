package dev.tollgate.ledger.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testkit.KeyContract;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;

/** The PostgreSQL ledger keeps keys as the key contract says, on a real server, in a schema per test. */
class PostgresKeyContractTest extends KeyContract {

    private static HikariDataSource pool;
    private String schema;
    private PostgresLedger postgres;

    @BeforeAll
    static void connect() {
        pool = Postgres.server().pool(4);
    }

    @AfterAll
    static void disconnect() {
        pool.close();
    }

    @Override
    protected Object createLedger() {
        schema = Postgres.uniqueSchema();
        return postgres = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO)
                .build();
    }

    @AfterEach
    void dropSchema() throws SQLException {
        postgres.close();
        Postgres.dropSchema(pool, schema);
    }

    @Override
    protected void openAccount(String id) {
        postgres.openAccount(id, Money.credits("10"), Set.of());
    }

    @Override
    protected Instant aboutNow() {
        return Instant.now();
    }
}
