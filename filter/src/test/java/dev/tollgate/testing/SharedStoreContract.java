package dev.tollgate.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.testapp.SearchServlet;
import dev.tollgate.testapp.StoreFailureServlets;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * What every shared rate-limit store must do, tested against a real server: two nodes share one
 * limit; when the store fails each failure policy does what it says; a hung store does not pin
 * request threads; the limits recover by themselves. Subclasses provide the store. The nodes run on
 * a {@link MutableClock}: the back-off after a store failure is Tollgate's own time and the tests
 * move it; only the store's server restarting and its client reconnecting take real time.
 */
public abstract class SharedStoreContract {

    /** A store on the shared service; each call is a new instance (one per node). */
    protected abstract RateLimitStore sharedStore() throws Exception;

    /** A store on a server this test started itself and may stop. */
    protected abstract RateLimitStore ownStore() throws Exception;

    protected abstract void stopOwnServer() throws Exception;

    protected abstract void startOwnServer() throws Exception;

    /** Makes the own server stop answering (without closing connections) for a while. */
    protected abstract void hangOwnServer(Duration duration) throws Exception;

    /** {@return every key the shared server holds under {@code tg:}} */
    protected abstract java.util.List<String> sharedKeys() throws Exception;

    /** Tollgate's clock on every node of a test. */
    private final MutableClock clock = new MutableClock();

    private TestServer node(RateLimitStore store, InMemoryLedger ledger) throws Exception {
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).rateLimitStore(store).clock(clock).build();
        return TestServer.builder()
                .servlet("search", SearchServlet.class, "/search")
                .servlet("open", StoreFailureServlets.Open.class, "/open")
                .servlet("closed", StoreFailureServlets.Closed.class, "/closed")
                .servlet("local", StoreFailureServlets.Local.class, "/local")
                .servlet("shadow", StoreFailureServlets.ShadowClosed.class, "/shadow")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @Test
    void twoNodesShareOneLimit() throws Exception {
        String key = "k-" + UUID.randomUUID(); // fresh buckets, whatever an earlier run left
        InMemoryLedger ledger = InMemoryLedger.builder().account(key, Money.credits("1")).build();
        try (RateLimitStore a = sharedStore(); RateLimitStore b = sharedStore();
             TestServer nodeA = node(a, ledger); TestServer nodeB = node(b, ledger)) {
            int admitted = 0;
            int limited = 0;
            for (int i = 0; i < 20; i++) {
                HttpResponse<String> r = (i % 2 == 0 ? nodeA : nodeB).get("/search", "X-API-Key", key);
                admitted += r.statusCode() == 200 ? 1 : 0;
                limited += r.statusCode() == 429 ? 1 : 0;
            }
            assertEquals(5, admitted, "5 per minute across both nodes, not 5 each");
            assertEquals(15, limited);
            for (String stored : sharedKeys()) {
                assertTrue(!stored.contains(key), "an API key in clear in the store: " + stored);
            }
            assertTrue(sharedKeys().stream().anyMatch(k -> k.contains(":search:")), "keys carry the servlet name");
            HttpResponse<String> last = nodeB.get("/search", "X-API-Key", key);
            assertTrue(last.headers().firstValue("RateLimit").orElseThrow().startsWith("\"payer-5-per-60s\";r=0;t="));
        }
    }

    @Test
    void eachFailurePolicyDoesWhatItSaysAndTheStoreRecovers() throws Exception {
        InMemoryLedger ledger = InMemoryLedger.builder().build();
        try (RateLimitStore a = ownStore(); RateLimitStore b = ownStore();
             TestServer nodeA = node(a, ledger); TestServer nodeB = node(b, ledger)) {
            assertEquals(3, admitted(nodeA, nodeB, "/local", "before", 6), "shared while the store is up");

            stopOwnServer();
            assertEquals(10, admitted(nodeA, nodeB, "/open", "down", 10), "OPEN admits everything");
            HttpResponse<String> closed = nodeA.get("/closed", "X-Client", "down");
            assertEquals(503, closed.statusCode(), "CLOSED refuses");
            assertTrue(closed.body().contains("rate-limiter-unavailable"), closed.body());
            assertTrue(closed.headers().firstValue("Retry-After").isPresent());
            assertEquals(3, admitted(nodeA, nodeA, "/local", "down", 6), "LOCAL counts on the node");
            assertEquals(6, admitted(nodeA, nodeB, "/shadow", "down", 6), "a shadow limit never refuses, even CLOSED");
            assertEquals(3, admitted(nodeB, nodeB, "/local", "down", 6), "each node its own bucket meanwhile");
            Tollgate ta = Tollgate.from(nodeA.context().getServletContext()).orElseThrow();
            assertTrue(ta.rateLimitStats().storeFailures() > 0);
            assertTrue(ta.rateLimitStats().failedOpen() > 0);
            assertTrue(ta.rateLimitStats().failedClosed() > 0);
            assertTrue(ta.rateLimitStats().localFallbacks() > 0);

            startOwnServer();
            awaitShared(nodeA, nodeB);
            assertEquals(3, admitted(nodeA, nodeB, "/closed", "after", 6), "shared again, no restart");
        }
    }

    @Test
    void aHungStoreDoesNotHoldRequests() throws Exception {
        InMemoryLedger ledger = InMemoryLedger.builder().build();
        try (RateLimitStore a = ownStore(); TestServer node = node(a, ledger)) {
            assertEquals(200, node.get("/local", "X-Client", "warm").statusCode());
            hangOwnServer(Duration.ofSeconds(4));
            long start = System.nanoTime();
            HttpResponse<String> r = node.get("/local", "X-Client", "hung");
            long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(200, r.statusCode(), "LOCAL: served from this node's bucket");
            assertTrue(millis < 2_000, "bounded by the store's timeout, took " + millis + " ms");
            Tollgate t = Tollgate.from(node.context().getServletContext()).orElseThrow();
            assertTrue(t.rateLimitStats().storeFailures() >= 1, "the store really did not answer in time");
            long start2 = System.nanoTime();
            assertEquals(200, node.get("/open", "X-Client", "hung").statusCode());
            assertTrue(Duration.ofNanos(System.nanoTime() - start2).toMillis() < 500,
                    "right after a failure the store is not waited for again");
            long failures = t.rateLimitStats().storeFailures();
            assertEquals(200, node.get("/open", "X-Client", "hung").statusCode());
            assertEquals(failures, t.rateLimitStats().storeFailures(), "within the back-off the store is left alone");
            clock.advance(Duration.ofSeconds(1)); // the back-off of a failed store, on Tollgate's clock
            assertEquals(200, node.get("/local", "X-Client", "hung").statusCode());
            assertEquals(failures + 1, t.rateLimitStats().storeFailures(),
                    "after the back-off one request tries the store again (still hung)");
        }
    }

    private static int admitted(TestServer a, TestServer b, String path, String client, int times) throws Exception {
        int ok = 0;
        for (int i = 0; i < times; i++) {
            HttpResponse<String> r = (i % 2 == 0 ? a : b).get(path, "X-Client", client);
            ok += r.statusCode() == 200 ? 1 : 0;
        }
        return ok;
    }

    /**
     * Waits (bounded) until both nodes reach the store again. Tollgate's back-off is passed by
     * moving the clock; the short real pause is for the store's client (HikariCP, Lettuce), which
     * reconnects to the restarted server on its own time.
     */
    private void awaitShared(TestServer a, TestServer b) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String probe = "probe-" + UUID.randomUUID();
        while (System.nanoTime() < deadline) {
            clock.advance(Duration.ofSeconds(1)); // past the back-off of the last failure
            Tollgate ta = Tollgate.from(a.context().getServletContext()).orElseThrow();
            Tollgate tb = Tollgate.from(b.context().getServletContext()).orElseThrow();
            long fa = ta.rateLimitStats().storeFailures();
            long fb = tb.rateLimitStats().storeFailures();
            a.get("/open", "X-Client", probe);
            b.get("/open", "X-Client", probe);
            if (ta.rateLimitStats().storeFailures() == fa && tb.rateLimitStats().storeFailures() == fb) {
                return;
            }
            Thread.sleep(50); // an external client reconnecting, not Tollgate's time
        }
        throw new AssertionError("the store did not come back within 20 s");
    }
}
