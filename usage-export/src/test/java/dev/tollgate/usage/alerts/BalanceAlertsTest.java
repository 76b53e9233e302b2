package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import dev.tollgate.Money;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.events.AsyncTollgateListener;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.usage.Backoff;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Low-balance webhooks: once per crossing, re-armed by a top-up, HMAC-signed, retried with back-off. */
class BalanceAlertsTest {

    private static final String SECRET = "whsec-test-0123456789abcdef";

    /** A webhook as the receiver got it. */
    record Hook(String id, String signature, String body, int answered) {
    }

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T17:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final List<Hook> hooks = new CopyOnWriteArrayList<>();
    private final ConcurrentLinkedDeque<Integer> script = new ConcurrentLinkedDeque<>();
    private HttpServer server;
    private WebhookDelivery delivery;
    private BalanceAlerts alerts;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/hooks", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            Integer s = script.pollFirst();
            int status = s == null ? 204 : s;
            hooks.add(new Hook(exchange.getRequestHeaders().getFirst(WebhookDelivery.ID_HEADER),
                    exchange.getRequestHeaders().getFirst(WebhookSigner.HEADER), body, status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks");
        delivery = WebhookDelivery.builder(uri, new WebhookSigner(SECRET)).scheduler(scheduler).clock(clock)
                .backoff(new Backoff(Duration.ofSeconds(2), Duration.ofMinutes(1), () -> 0.0)).maxAttempts(4).build();
        alerts = BalanceAlerts.builder(delivery).clock(clock).defaultThreshold(Money.credits("10"))
                .threshold("vip", Money.credits("50")).build();
    }

    @AfterEach
    void stop() {
        delivery.close();
        server.stop(0);
    }

    private static Money credits(String amount) {
        return Money.credits(amount);
    }

    @Test
    void alertsOncePerCrossingAndAgainAfterATopUp() {
        assertFalse(alerts.observe("acme", credits("20")));
        clock.advance(Duration.ofMillis(1)); // at the same instant the reading above wins
        assertTrue(alerts.observe("acme", credits("10")));   // at the threshold: crossed
        assertFalse(alerts.observe("acme", credits("4")));   // still low: no second alert
        assertFalse(alerts.observe("acme", credits("0")));
        assertFalse(alerts.observe("acme", credits("10.000000000000000001"))); // a top-up re-arms
        clock.advance(Duration.ofMillis(1));
        assertTrue(alerts.observe("acme", credits("9.5")));  // the next fall alerts again
        assertTrue(alerts.observe("vip", credits("49")));    // its own threshold
        assertFalse(alerts.observe("vip", Money.parse("1", "usd"))); // another unit is not watched
        scheduler.advance(Duration.ZERO);
        assertEquals(3, hooks.size());
        assertEquals(3, hooks.stream().map(Hook::id).distinct().count());
        assertTrue(hooks.get(0).body().contains("\"type\":\"dev.tollgate.alert.low-balance\""), hooks.get(0).body());
        assertTrue(hooks.get(0).body().contains("\"account\":\"acme\",\"balance\":\"10\",\"threshold\":\"10\","
                + "\"currency\":\"credits\""), hooks.get(0).body());
        assertTrue(hooks.get(2).body().contains("\"account\":\"vip\",\"balance\":\"49\",\"threshold\":\"50\""));
        assertEquals(3, delivery.delivered());
    }

    @Test
    void theSignatureIsAnHmacSha256OfTimestampDotBodyWithTheSharedSecret() throws Exception {
        alerts.observe("acme", credits("1"));
        scheduler.advance(Duration.ZERO);
        Hook hook = hooks.get(0);
        String[] parts = hook.signature().split(",");
        assertEquals("t=" + clock.instant().getEpochSecond(), parts[0]);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = HexFormat.of().formatHex(mac.doFinal(
                (parts[0].substring(2) + "." + hook.body()).getBytes(StandardCharsets.UTF_8)));
        assertEquals("v1=" + expected, parts[1]);

        WebhookSigner signer = new WebhookSigner(SECRET);
        byte[] body = hook.body().getBytes(StandardCharsets.UTF_8);
        Duration tolerance = Duration.ofMinutes(5);
        assertTrue(signer.verify(hook.signature(), body, clock.instant(), tolerance));
        assertFalse(signer.verify(hook.signature(), hook.body().replace("\"1\"", "\"100\"").getBytes(StandardCharsets.UTF_8),
                clock.instant(), tolerance));
        assertFalse(new WebhookSigner("another-secret-0123456789").verify(hook.signature(), body, clock.instant(),
                tolerance));
        assertFalse(signer.verify(hook.signature(), body, clock.instant().plus(Duration.ofMinutes(6)), tolerance));
        assertFalse(signer.verify("t=1,v1=zz", body, clock.instant(), tolerance));
        assertFalse(signer.verify(null, body, clock.instant(), tolerance));
        assertFalse(signer.toString().contains(SECRET));
        assertThrows(IllegalArgumentException.class, () -> new WebhookSigner("short"));
    }

    @Test
    void aRefusedWebhookIsRetriedWithBackoffUnderTheSameIdAndAFreshSignature() {
        script.addAll(List.of(500, 503));
        alerts.observe("acme", credits("1"));
        scheduler.advance(Duration.ZERO);
        assertEquals(1, hooks.size());
        scheduler.advance(Duration.ofMillis(999)); // first step 2 s, no jitter: 1 s
        assertEquals(1, hooks.size());
        scheduler.advance(Duration.ofMillis(1));
        assertEquals(2, hooks.size());
        scheduler.advance(Duration.ofMillis(1999)); // second step 4 s: 2 s
        assertEquals(2, hooks.size());
        scheduler.advance(Duration.ofMillis(1));
        assertEquals(3, hooks.size());
        assertEquals(List.of(500, 503, 204), hooks.stream().map(Hook::answered).toList());
        assertEquals(1, hooks.stream().map(Hook::id).distinct().count());
        assertEquals(1, hooks.stream().map(Hook::body).distinct().count());
        assertNotEquals(hooks.get(0).signature(), hooks.get(2).signature()); // signed at the time of each try
        WebhookSigner signer = new WebhookSigner(SECRET);
        assertTrue(signer.verify(hooks.get(2).signature(), hooks.get(2).body().getBytes(StandardCharsets.UTF_8),
                clock.instant(), Duration.ofSeconds(1)));
        assertEquals(1, delivery.delivered());
        assertEquals(0, delivery.pending());
    }

    @Test
    void aWebhookThatNeverGetsThroughIsAbandonedAfterMaxAttempts() {
        script.addAll(List.of(500, 500, 500, 500, 500));
        alerts.observe("acme", credits("1"));
        scheduler.advance(Duration.ofMinutes(10));
        assertEquals(4, hooks.size());
        assertEquals(1, delivery.abandoned());
        assertEquals(0, delivery.pending());
    }

    @Test
    void theListenerObservesTheLedgerBalanceAfterEachCharge() {
        InMemoryLedger ledger = InMemoryLedger.builder().account("acme", credits("12")).build();
        AsyncTollgateListener listener = alerts.listener(ledger, 100);
        ledger.debit("acme", credits("3"), "test"); // balance 9 now
        listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "account", "acme",
                credits("0"), "h1"));
        listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "account", "acme",
                credits("0"), "h2"));
        listener.close(); // delivers what was queued
        scheduler.advance(Duration.ZERO);
        assertEquals(1, hooks.size());
        assertTrue(hooks.get(0).body().contains("\"balance\":\"9\""), hooks.get(0).body());
    }

    @Test
    void aCrossingStoreOutageSendsNothingAndTheNextChargeDecidesAgain() {
        CrossingStore memory = CrossingStore.inMemory(10);
        AtomicInteger outages = new AtomicInteger(1);
        CrossingStore flaky = new CrossingStore() {
            @Override
            public boolean fire(String kind, String key, Instant observedAt) {
                if (outages.getAndDecrement() > 0) {
                    throw new CrossingStoreUnavailableException("store down", null);
                }
                return memory.fire(kind, key, observedAt);
            }

            @Override
            public boolean rearm(String kind, String key, Instant observedAt) {
                return memory.rearm(kind, key, observedAt);
            }
        };
        BalanceAlerts onFlaky = BalanceAlerts.builder(delivery).clock(clock).defaultThreshold(credits("10"))
                .crossingStore(flaky).build();
        InMemoryLedger ledger = InMemoryLedger.builder().account("acme", credits("5")).build();
        AsyncTollgateListener listener = onFlaky.listener(ledger, 100);
        listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "account", "acme",
                credits("0"), "h1")); // the store is down: nothing sent, nothing marked
        listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "account", "acme",
                credits("0"), "h2"));
        listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "account", "acme",
                credits("0"), "h3"));
        listener.close();
        scheduler.advance(Duration.ZERO);
        assertEquals(1, hooks.size());
        assertThrows(IllegalArgumentException.class, () -> BalanceAlerts.builder(delivery).maxAccounts(5)
                .crossingStore(memory).build());
    }

    /** A raw API key used as the account id (a ledger without key look-up). */
    private static final String RAW_KEY = "tg_live_SuperSecretCustomerKey0123456789";

    /** {@return the log records of BalanceAlerts while {@code action} runs} */
    private static List<LogRecord> logsOf(Runnable action) {
        Logger jul = Logger.getLogger(BalanceAlerts.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        jul.addHandler(handler);
        try {
            action.run();
        } finally {
            jul.removeHandler(handler);
        }
        return records;
    }

    private static String text(List<LogRecord> records) {
        SimpleFormatter f = new SimpleFormatter();
        return records.stream().map(f::formatMessage).toList().toString();
    }

    @Test
    void aStoreOutageLogsTheAccountMasked() {
        CrossingStore down = new CrossingStore() {
            @Override
            public boolean fire(String kind, String key, Instant observedAt) {
                throw new CrossingStoreUnavailableException("store down", null);
            }

            @Override
            public boolean rearm(String kind, String key, Instant observedAt) {
                return false;
            }
        };
        BalanceAlerts onDown = BalanceAlerts.builder(delivery).clock(clock).defaultThreshold(credits("10"))
                .crossingStore(down).build();
        InMemoryLedger ledger = InMemoryLedger.builder().account(RAW_KEY, credits("5")).build();
        List<LogRecord> logs = logsOf(() -> {
            AsyncTollgateListener listener = onDown.listener(ledger, 10);
            listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "api-key", RAW_KEY,
                    credits("0"), "h1"));
            listener.close();
        });
        assertEquals(1, logs.size(), text(logs));
        assertFalse(text(logs).contains(RAW_KEY), text(logs));
        assertTrue(text(logs).contains("tg_l****"), text(logs));
    }

    @Test
    void aRefusedAlertWhoseRearmFailsIsLoggedAndRearmedOnTheNextObservation() {
        CrossingStore memory = CrossingStore.inMemory(10);
        AtomicInteger rearmOutages = new AtomicInteger();
        CrossingStore flaky = new CrossingStore() {
            @Override
            public boolean fire(String kind, String key, Instant observedAt) {
                return memory.fire(kind, key, observedAt);
            }

            @Override
            public boolean rearm(String kind, String key, Instant observedAt) {
                if (rearmOutages.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                    throw new CrossingStoreUnavailableException("store down", null);
                }
                return memory.rearm(kind, key, observedAt);
            }
        };
        URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks");
        WebhookDelivery one = WebhookDelivery.builder(uri, new WebhookSigner(SECRET)).scheduler(scheduler)
                .clock(clock).maxPending(1).build();
        try {
            BalanceAlerts onFlaky = BalanceAlerts.builder(one).clock(clock).defaultThreshold(credits("10"))
                    .crossingStore(flaky).build();
            assertTrue(onFlaky.observe("globex", credits("1"))); // takes the only place of the delivery
            rearmOutages.set(1);
            List<LogRecord> logs = logsOf(() -> assertFalse(onFlaky.observe(RAW_KEY, credits("5"))));
            assertEquals(1, logs.size(), text(logs));
            assertEquals(java.util.logging.Level.SEVERE, logs.get(0).getLevel());
            assertTrue(text(logs).contains("fired, not delivered, not re-armed"), text(logs));
            assertFalse(text(logs).contains(RAW_KEY), text(logs));
            scheduler.advance(Duration.ZERO); // globex delivered: the delivery has room again
            clock.advance(Duration.ofSeconds(1));
            rearmOutages.set(1); // still down at the next observation: it stays pending
            assertThrows(CrossingStoreUnavailableException.class, () -> onFlaky.observe(RAW_KEY, credits("5")));
            clock.advance(Duration.ofSeconds(1));
            assertTrue(onFlaky.observe(RAW_KEY, credits("4"))); // re-armed first, then this fall fires
            assertFalse(onFlaky.observe(RAW_KEY, credits("3")));
            scheduler.advance(Duration.ZERO);
            assertEquals(2, hooks.size());
            assertTrue(hooks.get(1).body().contains("\"balance\":\"4\""), hooks.get(1).body());
        } finally {
            one.close();
        }
    }
}
