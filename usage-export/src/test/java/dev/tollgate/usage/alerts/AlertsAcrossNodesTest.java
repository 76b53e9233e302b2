package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.Postgres;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13, "each sent once per crossing", on a cluster: two nodes (each its own pool, delivery and
 * {@link BalanceAlerts}) over one PostgreSQL database, observed concurrently, send one webhook per crossing to
 * a local receiver; a top-up then a fall sends one more; a restarted node sends nothing for an account still low.
 */
class AlertsAcrossNodesTest {

    private static final String SECRET = "whsec-test-0123456789abcdef";
    private static final Pattern ACCOUNT = Pattern.compile("\"account\":\"([^\"]+)\"");
    private static final int ACCOUNTS = 20;

    /** One application server: its own connections, scheduler, delivery and alerts. */
    private final class Node implements AutoCloseable {
        final HikariDataSource pool = Postgres.server().pool(5);
        final ManualScheduler scheduler = new ManualScheduler(clock);
        final WebhookDelivery delivery;
        final BalanceAlerts alerts;

        Node(boolean shared) {
            delivery = WebhookDelivery.builder(receiverUri, new WebhookSigner(SECRET)).scheduler(scheduler)
                    .clock(clock).build();
            BalanceAlerts.Builder b = BalanceAlerts.builder(delivery).clock(clock)
                    .defaultThreshold(Money.credits("10"));
            if (shared) {
                b.crossingStore(new PostgresCrossingStore(pool, schema).createTable());
            }
            alerts = b.build();
        }

        @Override
        public void close() {
            delivery.close();
            pool.close();
        }
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T17:00:00Z"));
    private final List<String> received = new CopyOnWriteArrayList<>();
    private final List<Node> nodes = new ArrayList<>();
    private HttpServer server;
    private URI receiverUri;
    private String schema;

    @BeforeEach
    void start() throws IOException, SQLException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks", exchange -> {
            received.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        receiverUri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks");
        schema = Postgres.uniqueSchema();
        try (HikariDataSource admin = Postgres.server().pool(1);
             Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("CREATE SCHEMA " + schema);
        }
    }

    @AfterEach
    void stop() throws SQLException {
        nodes.forEach(Node::close);
        server.stop(0);
        try (HikariDataSource admin = Postgres.server().pool(1)) {
            Postgres.dropSchema(admin, schema);
        }
    }

    private Node node(boolean shared) {
        Node n = new Node(shared);
        nodes.add(n);
        return n;
    }

    /** Runs every node's delivery: what was handed over reaches the receiver now. */
    private void deliver() {
        nodes.forEach(n -> n.scheduler.advance(Duration.ZERO));
    }

    private Map<String, Long> webhooksPerAccount() {
        return received.stream().map(body -> {
            Matcher m = ACCOUNT.matcher(body);
            return m.find() ? m.group(1) : "?";
        }).collect(Collectors.groupingBy(Function.identity(), Collectors.counting()));
    }

    /**
     * Each of the nodes' threads observes every account at this balance, all starting at once.
     *
     * @return how many observations were told to send
     */
    private int observeConcurrently(List<Node> on, int threadsPerNode, String balance) throws Exception {
        AtomicInteger sent = new AtomicInteger();
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(on.size() * threadsPerNode);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (Node n : on) {
                for (int t = 0; t < threadsPerNode; t++) {
                    done.add(threads.submit(() -> {
                        go.await();
                        for (int a = 0; a < ACCOUNTS; a++) {
                            if (n.alerts.observe("acct-" + a, Money.credits(balance))) {
                                sent.incrementAndGet();
                            }
                        }
                        return null;
                    }));
                }
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
            threads.awaitTermination(5, TimeUnit.SECONDS);
        }
        return sent.get();
    }

    @Test
    void twoNodesSendOneWebhookPerCrossingAndOneMoreAfterATopUpAndAFall() throws Exception {
        Node a = node(true);
        Node b = node(true);

        assertEquals(ACCOUNTS, observeConcurrently(List.of(a, b), 4, "5"));
        deliver();
        assertEquals(ACCOUNTS, received.size(), "one webhook per account: " + webhooksPerAccount());
        webhooksPerAccount().forEach((account, n) -> assertEquals(1, n, account));

        // A top-up seen by node b re-arms acct-0; the next fall, seen by both nodes at once, alerts once more.
        clock.advance(Duration.ofSeconds(1));
        assertFalse(b.alerts.observe("acct-0", Money.credits("50")));
        clock.advance(Duration.ofSeconds(1));
        assertEquals(1, observeConcurrently(List.of(a, b), 4, "9"));
        deliver();
        assertEquals(ACCOUNTS + 1, received.size());
        assertEquals(2, webhooksPerAccount().get("acct-0"));
        assertTrue(received.get(ACCOUNTS).contains("\"account\":\"acct-0\",\"balance\":\"9\""),
                received.get(ACCOUNTS));

    }

    @Test
    void aRestartedNodeSendsNothingForAnAccountStillLow() throws Exception {
        Node a = node(true);
        assertEquals(ACCOUNTS, observeConcurrently(List.of(a), 1, "5"));
        deliver();
        assertEquals(ACCOUNTS, received.size());

        a.close(); // node a restarts: a new instance on the same database, every account still low
        nodes.remove(a);
        Node restarted = node(true);
        Node other = node(true);
        clock.advance(Duration.ofMinutes(5));
        assertEquals(0, observeConcurrently(List.of(restarted, other), 2, "3"));
        deliver();
        assertEquals(ACCOUNTS, received.size());
    }

    @Test
    void aBalanceReadBeforeTheFallButSeenAfterItDoesNotReArm() {
        Node a = node(true);
        Node b = node(true);
        Instant before = clock.instant();
        clock.advance(Duration.ofMillis(20));
        assertTrue(a.alerts.observe("acct-0", Money.credits("8"), clock.instant()));   // the fall, on node a
        assertFalse(b.alerts.observe("acct-0", Money.credits("12"), before));         // node b's late read
        clock.advance(Duration.ofMillis(20));
        assertFalse(b.alerts.observe("acct-0", Money.credits("7"), clock.instant())); // still the same crossing
        deliver();
        assertEquals(1, received.size());
    }

    @Test
    void aWebhookTheDeliveryRefusesReArmsSoAnotherObservationSendsIt() {
        Node a = node(true);
        Node b = node(true);
        a.delivery.close(); // node a is shutting down: its delivery refuses
        assertFalse(a.alerts.observe("acct-0", Money.credits("5")));
        clock.advance(Duration.ofMillis(1)); // a later observation (at the same instant the re-arm wins)
        assertTrue(b.alerts.observe("acct-0", Money.credits("5")));
        deliver();
        assertEquals(1, received.size());
    }

    /** The default, for contrast: without a shared store each node alerts for the same crossing. */
    @Test
    void withTheDefaultInMemoryStoreEachNodeAlerts() {
        Node a = node(false);
        Node b = node(false);
        assertTrue(a.alerts.observe("acct-0", Money.credits("5")));
        assertTrue(b.alerts.observe("acct-0", Money.credits("5")));
        deliver();
        assertEquals(2, received.size());
    }
}
