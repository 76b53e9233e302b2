package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.postgresql.PostgresLedger;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes (two embedded Jettys, each its own Tollgate and x402 scheme) on one PostgreSQL ledger:
 * the scheme keeps its claims in the ledger's {@code payment_claims}, so copies of one payment sent
 * to both nodes at once are served once, and a payment spent on one node is refused on the other.
 */
class X402ClusterTest {

    private final MutableClock clock = new MutableClock(Instant.now());
    private HikariDataSource pool;
    private String schema;
    private final List<AutoCloseable> closing = new ArrayList<>();
    private StubFacilitator facilitator;
    private TestServer a;
    private TestServer b;

    @BeforeEach
    void start() throws Exception {
        TestServlets.RUNS.set(0);
        pool = Postgres.server().pool(24);
        schema = Postgres.uniqueSchema();
        facilitator = new StubFacilitator();
        facilitator.verify = new StubFacilitator.Answer(200, StubFacilitator.VALID, 100); // widen the race window
        a = node(true);
        b = node(false);
    }

    private TestServer node(boolean createSchema) throws Exception {
        PostgresLedger ledger = PostgresLedger.builder(pool).schema(schema).createSchema(createSchema)
                .sweepInterval(Duration.ZERO).build();
        closing.add(ledger);
        TestServer node = TestServer.builder()
                .servlet("forecast", TestServlets.Forecast.class, "/forecast")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, X402Scheme.builder().facilitator(facilitator.url())
                        .payTo(Payments.PAY_TO).clock(clock).build())
                .start();
        closing.add(0, node);
        return node;
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        facilitator.close();
        Postgres.dropSchema(pool, schema);
        pool.close();
    }

    @Test
    void copiesOfOnePaymentOnTwoNodesAreServedOnce() throws Exception {
        String header = Payments.v2("10000", clock.instant());
        ExecutorService threads = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            TestServer node = i % 2 == 0 ? a : b;
            calls.add(threads.submit((Callable<HttpResponse<String>>) () -> {
                go.await();
                return node.get("/forecast", "PAYMENT-SIGNATURE", header);
            }));
        }
        go.countDown();
        int delivered = 0;
        for (Future<HttpResponse<String>> f : calls) {
            int status = f.get().statusCode();
            delivered += status == 200 ? 1 : 0;
            assertTrue(status == 200 || status == 409 || status == 402, "status " + status);
        }
        threads.shutdown();
        assertEquals(1, delivered);
        assertEquals(1, TestServlets.RUNS.get());
        assertEquals(1, facilitator.settles.get());
        assertEquals(402, a.get("/forecast", "PAYMENT-SIGNATURE", header).statusCode());
        assertEquals(402, b.get("/forecast", "PAYMENT-SIGNATURE", header).statusCode());
        assertEquals(1, facilitator.settles.get());
    }
}
