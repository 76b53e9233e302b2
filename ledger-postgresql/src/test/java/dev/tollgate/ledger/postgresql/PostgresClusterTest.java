package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Two application servers, each with its own pool and ledger instance, on one PostgreSQL. */
class PostgresClusterTest {

    private String schema;
    private HikariDataSource poolA;
    private HikariDataSource poolB;
    private PostgresLedger ledgerA;
    private PostgresLedger ledgerB;
    private TestServer nodeA;
    private TestServer nodeB;

    @BeforeEach
    void start() throws Exception {
        schema = Postgres.uniqueSchema();
        poolA = Postgres.server().pool(40);
        poolB = Postgres.server().pool(40);
        ledgerA = PostgresLedger.builder(poolA).schema(schema).createSchema(true).build();
        ledgerB = PostgresLedger.builder(poolB).schema(schema).createSchema(true).build();
        nodeA = node(ledgerA);
        nodeB = node(ledgerB);
    }

    private static TestServer node(PostgresLedger ledger) throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).build();
        return TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        nodeA.close();
        nodeB.close();
        ledgerA.close();
        ledgerB.close();
        Postgres.dropSchema(poolA, schema);
        poolA.close();
        poolB.close();
    }

    @Test
    void sixtyFourClientsOnTwoNodesNeverOverspendOneAccount() throws Exception {
        BigDecimal initial = new BigDecimal("500");
        ledgerA.openAccount("hot", new Money(initial, "credits"), Set.of());
        ledgerA.importKey("hot", "hot-account-key", null, null); // accounts and keys are apart (issue 12)
        int threads = 64;
        int perThread = 10; // 640 requests of 5 credits against 500 credits: demand exceeds the balance
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Future<?>> all = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            TestServer node = t % 2 == 0 ? nodeA : nodeB;
            all.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < perThread; i++) {
                    HttpResponse<String> r = node.get("/reports/" + i, "X-API-Key", "hot-account-key");
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else if (r.statusCode() == 402) {
                        refused.incrementAndGet();
                    } else {
                        throw new AssertionError("unexpected " + r.statusCode() + ": " + r.body());
                    }
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : all) {
            f.get();
        }
        pool.shutdown();
        BigDecimal five = new BigDecimal("5");
        assertEquals(initial.divideToIntegralValue(five).intValueExact(), ok.get(), "successes = floor(initial / 5)");
        assertEquals(threads * perThread - ok.get(), refused.get());
        Money balance = ledgerB.account("hot").orElseThrow().balance();
        assertEquals(new Money(initial.subtract(five.multiply(BigDecimal.valueOf(ok.get()))), "credits"), balance);
        assertEquals(0, ledgerA.openHoldCount());
        assertEquals(ok.get(), count("SELECT count(*) FROM " + schema + ".holds WHERE state = 'committed'"));
        List<LedgerEntry> entries = ledgerA.statement("hot", Instant.EPOCH, Instant.MAX, 10_000);
        BigDecimal sum = entries.stream().map(LedgerEntry::availableDelta).reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, sum.compareTo(balance.amount()), "the entries add up to the balance");
    }

    @Test
    void oneIdempotencyKeyRetriedOnBothNodesIsChargedOnce() throws Exception {
        ledgerA.openAccount("payer", Money.credits("100"), Set.of());
        ledgerA.importKey("payer", "payer-account-key", null, null);
        int before = ReportServlet.POSTS.get();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> all = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            TestServer node = i % 2 == 0 ? nodeA : nodeB;
            all.add(pool.submit(() -> {
                go.await();
                return node.send("POST", "/reports", "{\"n\":1}", "X-API-Key", "payer-account-key", "Idempotency-Key", "order-42",
                        "Content-Type", "application/json");
            }));
        }
        go.countDown();
        String body = null;
        for (Future<HttpResponse<String>> f : all) {
            HttpResponse<String> r = f.get();
            assertTrue(r.statusCode() == 201 || r.statusCode() == 409, r.statusCode() + " " + r.body());
            if (r.statusCode() == 201) {
                assertTrue(body == null || body.equals(r.body()), "every 201 is the same answer");
                body = r.body();
            }
        }
        pool.shutdown();
        // Once the first has finished, a retry on either node is a replay.
        HttpResponse<String> onA = nodeA.send("POST", "/reports", "{\"n\":1}", "X-API-Key", "payer-account-key", "Idempotency-Key",
                "order-42", "Content-Type", "application/json");
        HttpResponse<String> onB = nodeB.send("POST", "/reports", "{\"n\":1}", "X-API-Key", "payer-account-key", "Idempotency-Key",
                "order-42", "Content-Type", "application/json");
        assertEquals("true", onA.headers().firstValue("Idempotent-Replayed").orElseThrow());
        assertEquals(onA.body(), onB.body());
        assertEquals(before + 1, ReportServlet.POSTS.get(), "the endpoint ran once across both nodes");
        assertEquals(Money.credits("90"), ledgerB.account("payer").orElseThrow().balance());
    }

    private long count(String sql) throws Exception {
        try (Connection c = poolA.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }

}
