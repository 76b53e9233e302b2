package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 12: two nodes on one PostgreSQL ledger see a key's revocation, each within
 * {@value KeyLookup#CACHE_SECONDS} seconds (the time Tollgate trusts its cached answer for a key hash),
 * and a rotation's new key at once. Tollgate's clock is injected; the ledger's times are the database's.
 */
class PostgresKeyRevocationTest {

    private final MutableClock clock = new MutableClock(Instant.now());
    private HikariDataSource pool;
    private String schema;
    private PostgresLedger nodeA;
    private PostgresLedger nodeB;
    private TestServer a;
    private TestServer b;

    @BeforeEach
    void start() throws Exception {
        pool = Postgres.server().pool(8);
        schema = Postgres.uniqueSchema();
        nodeA = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        nodeB = PostgresLedger.builder(pool).schema(schema).createSchema(true).sweepInterval(Duration.ZERO).build();
        nodeA.openAccount("acct-shared", Money.credits("100"), Set.of());
        a = node(nodeA);
        b = node(nodeB);
    }

    private TestServer node(PostgresLedger ledger) throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).clock(clock).build();
        return TestServer.builder().servlet("quotes", QuoteServlet.class, "/quotes/*").withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        try {
            a.close();
            b.close();
            nodeA.close();
            nodeB.close();
            Postgres.dropSchema(pool, schema);
        } finally {
            pool.close();
        }
    }

    private int status(TestServer node, String key) throws Exception {
        return node.get("/quotes/ACME", "X-API-Key", key).statusCode();
    }

    @Test
    void aRevocationOnOneNodeReachesBothWithinTheCacheTime() throws Exception {
        IssuedKey key = nodeA.issueKey("acct-shared", "shared", null, true);
        int unknown = status(a, "tg_live_" + "y".repeat(32));
        assertEquals(200, status(a, key.secret()));
        assertEquals(200, status(b, key.secret()));

        nodeB.revokeKey(key.key().id());
        clock.advance(Duration.ofSeconds(KeyLookup.CACHE_SECONDS - 1));
        assertEquals(200, status(a, key.secret()), "within the bound a node may still trust its cached answer");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(unknown, status(a, key.secret()));
        assertEquals(unknown, status(b, key.secret()));
        assertEquals(0, new BigDecimal("97").compareTo(nodeA.account("acct-shared").orElseThrow().balance().amount()));

        IssuedKey rotated = nodeA.issueKey("acct-shared", "next", null, true);
        assertEquals(200, status(b, rotated.secret()), "a new key works on every node at once");
    }
}
