package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.postgresql.PostgresLedger;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.events.AsyncTollgateListener;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.testing.Postgres;
import dev.tollgate.usage.Receiver;
import java.io.IOException;
import java.net.URI;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's allowance-used-up webhook on a cluster: two nodes, each its own {@link PostgresLedger}, delivery,
 * {@link BalanceAlerts} and listener, over one PostgreSQL database and one {@link PostgresCrossingStore}; many
 * concurrent charges use up an account's allowance on both nodes at once, and a local receiver gets exactly one
 * webhook.
 */
class AllowanceAlertsAcrossNodesTest {

    private static final String SECRET = "whsec-test-0123456789abcdef";
    private static final int CALLS = 5;
    private static final int CHARGES = 40;

    /** One application server. */
    private final class Node implements AutoCloseable {
        final HikariDataSource pool = Postgres.server().pool(6);
        final PostgresLedger ledger;
        final WebhookDelivery delivery;
        final AsyncTollgateListener listener;

        Node(boolean create) {
            ledger = PostgresLedger.builder(pool).schema(schema).createSchema(create).sweepInterval(Duration.ZERO)
                    .build();
            delivery = WebhookDelivery.builder(receiverUri, new WebhookSigner(SECRET)).build();
            BalanceAlerts alerts = BalanceAlerts.builder(delivery).allowanceUsedUp()
                    .crossingStore(new PostgresCrossingStore(pool, schema).createTable()).build();
            listener = alerts.listener(ledger, 1_000);
        }

        /** A paid call as Tollgate makes it: reserve, commit, then the charge event to the listener. */
        void call(String account) {
            Reservation.Authorized r = assertInstanceOf(Reservation.Authorized.class, ledger.reserve(new Charge(
                    account, Money.credits("1"), null, "GET reports",
                    new Idempotency("k" + keys.incrementAndGet(), "", false))));
            ledger.commit(r.hold(), null);
            listener.onEvent(new TollgateEvent.Charged(Instant.now(), "reports", "GET", "account", account,
                    Money.credits("1"), r.hold().id()));
        }

        @Override
        public void close() {
            listener.close();
            delivery.close();
            ledger.close();
            pool.close();
        }
    }

    private final List<Node> nodes = new ArrayList<>();
    private final AtomicLong keys = new AtomicLong();
    private Receiver receiver;
    private URI receiverUri;
    private String schema;

    @BeforeEach
    void start() throws IOException {
        receiver = new Receiver();
        receiverUri = receiver.uri();
        schema = Postgres.uniqueSchema();
    }

    @AfterEach
    void stop() throws SQLException {
        nodes.forEach(Node::close);
        receiver.close();
        try (HikariDataSource admin = Postgres.server().pool(1)) {
            Postgres.dropSchema(admin, schema);
        }
    }

    private void waitFor(String what, java.util.function.BooleanSupplier done) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!done.getAsBoolean() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        assertTrue(done.getAsBoolean(), what);
    }

    @Test
    void concurrentChargesOnTwoNodesUsingUpTheAllowanceSendExactlyOneWebhook() throws Exception {
        Node a = new Node(true);
        nodes.add(a);
        Node b = new Node(false);
        nodes.add(b);
        a.ledger.openAccount("acct_plan", Money.credits("1000"), Set.of());
        a.ledger.setAllowance("acct_plan", Allowance.calls("starter", CALLS, 1), null);

        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            for (int i = 0; i < CHARGES; i++) {
                Node n = i % 2 == 0 ? a : b;
                done.add(threads.submit(() -> {
                    go.await();
                    n.call("acct_plan");
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
        waitFor("both listeners observed every charge",
                () -> a.listener.delivered() + b.listener.delivered() == CHARGES);
        waitFor("the webhook reached the receiver", () -> !receiver.requests.isEmpty()
                && a.delivery.pending() == 0 && b.delivery.pending() == 0);
        Thread.sleep(200); // a second webhook, were there one, has had its time too
        assertEquals(1, receiver.requests.size(), "exactly one webhook: " + receiver.requests);
        String body = receiver.requests.get(0).body();
        assertTrue(body.contains("\"type\":\"dev.tollgate.alert.allowance-used-up\""), body);
        assertTrue(body.contains("\"account\":\"acct_plan\",\"plan\":\"starter\",\"unit\":\"calls\","
                + "\"limit\":\"5\",\"used\":\"5\",\"remaining\":\"0\""), body);
        assertEquals(0, a.ledger.allowance("acct_plan").orElseThrow().remaining().signum());
    }
}
