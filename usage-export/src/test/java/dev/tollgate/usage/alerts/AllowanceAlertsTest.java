package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.events.AsyncTollgateListener;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.usage.Receiver;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's allowance-used-up webhook on the in-memory ledger, through the listener as Tollgate drives it: the
 * 5th of 5 included calls sends it once, the 6th does not, and the next period's use-up sends it again.
 */
class AllowanceAlertsTest {

    private static final String SECRET = "whsec-test-0123456789abcdef";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T17:00:00Z"));
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    private final AtomicLong keys = new AtomicLong();
    private Receiver receiver;
    private final List<String> bodies = new AbstractList<>() {
        @Override
        public String get(int i) {
            return receiver.requests.get(i).body();
        }

        @Override
        public int size() {
            return receiver.requests.size();
        }
    };
    private WebhookDelivery delivery;
    private InMemoryLedger ledger;
    private AsyncTollgateListener listener;
    private long events;

    @BeforeEach
    void start() throws IOException {
        receiver = new Receiver();
        URI uri = receiver.uri();
        delivery = WebhookDelivery.builder(uri, new WebhookSigner(SECRET)).scheduler(scheduler).clock(clock).build();
        ledger = InMemoryLedger.builder().clock(clock).account("acme", Money.credits("10"))
                .allowance("acme", Allowance.calls("starter", 5, 1)).build();
    }

    @AfterEach
    void stop() {
        if (listener != null) {
            listener.close();
        }
        delivery.close();
        receiver.close();
    }

    private void listen(BalanceAlerts alerts, Ledger on) {
        listener = alerts.listener(on, 100);
    }

    /** One paid call as Tollgate makes it: reserve, commit, the charge event; then the webhooks go out. */
    private void call() throws InterruptedException {
        clock.advance(Duration.ofMillis(1)); // charges of one account are not at the same instant
        Reservation.Authorized r = assertInstanceOf(Reservation.Authorized.class, ledger.reserve(new Charge("acme",
                Money.credits("1"), null, "GET reports", new Idempotency("k" + keys.incrementAndGet(), "", false))));
        ledger.commit(r.hold(), null);
        listener.onEvent(new TollgateEvent.Charged(clock.instant(), "reports", "GET", "account", "acme",
                Money.credits("1"), r.hold().id()));
        events++;
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (listener.delivered() < events && System.nanoTime() < deadline) {
            Thread.sleep(2);
        }
        assertEquals(events, listener.delivered(), "the listener observed every charge");
        scheduler.advance(Duration.ZERO);
    }

    @Test
    void theFifthOfFiveCallsAlertsOnceTheSixthDoesNotAndTheNextPeriodAlertsAgain() throws Exception {
        listen(BalanceAlerts.builder(delivery).clock(clock).allowanceUsedUp().build(), ledger);
        for (int i = 1; i <= 4; i++) {
            call();
        }
        assertEquals(0, bodies.size(), "calls 1 to 4 leave some allowance");
        call();
        assertEquals(1, bodies.size(), "the 5th call uses it up");
        String body = bodies.get(0);
        assertTrue(body.matches("\\{\"id\":\"[0-9a-f-]{36}\",\"type\":\"dev.tollgate.alert.allowance-used-up\","
                + "\"time\":\"2026-12-01T17:00:00.005Z\",\"account\":\"acme\",\"plan\":\"starter\",\"unit\":\"calls\","
                + "\"limit\":\"5\",\"used\":\"5\",\"remaining\":\"0\",\"threshold\":\"0\","
                + "\"periodStart\":\"2026-12-01T00:00:00Z\",\"resetsAt\":\"2027-01-01T00:00:00Z\"}"), body);
        String signature = receiver.requests.get(0).headers().entrySet().stream()
                .filter(h -> h.getKey().equalsIgnoreCase(WebhookSigner.HEADER)).findFirst().orElseThrow().getValue()
                .get(0);
        assertTrue(new WebhookSigner(SECRET).verify(signature, body.getBytes(StandardCharsets.UTF_8),
                clock.instant(), Duration.ofMinutes(5)));
        call();
        assertEquals(1, bodies.size(), "the 6th call (paid from the balance) does not alert again");

        clock.advance(Duration.between(clock.instant(), Instant.parse("2027-01-01T00:00:00Z")));
        ledger.credit("acme", Money.credits("10"), "top-up");
        for (int i = 1; i <= 4; i++) {
            call();
        }
        assertEquals(1, bodies.size());
        call();
        assertEquals(2, bodies.size(), "the next period's use-up alerts again");
        assertTrue(bodies.get(1).contains(
                "\"periodStart\":\"2027-01-01T00:00:00Z\",\"resetsAt\":\"2027-02-01T00:00:00Z\""), bodies.get(1));
        call();
        assertEquals(2, bodies.size());
    }

    /** With one call a period the allowance is never seen above zero: only the period in the key re-arms it. */
    @Test
    void anAllowanceOfOneCallAlertsInEveryPeriod() throws Exception {
        ledger.setAllowance("acme", Allowance.calls("single", 1, 1), null);
        listen(BalanceAlerts.builder(delivery).clock(clock).allowanceUsedUp().build(), ledger);
        call();
        call();
        assertEquals(1, bodies.size());
        clock.advance(Duration.ofDays(31));
        call();
        assertEquals(2, bodies.size(), "a new period, a new crossing");
        assertTrue(bodies.get(1).contains("\"periodStart\":\"2027-01-01T00:00:00Z\""), bodies.get(1));
    }

    @Test
    void aThresholdAlertsWhenThatManyCallsAreLeft() throws Exception {
        listen(BalanceAlerts.builder(delivery).clock(clock).allowanceUsedUp(new BigDecimal("2")).build(), ledger);
        call();
        call();
        assertEquals(0, bodies.size());
        call(); // 2 calls left
        assertEquals(1, bodies.size());
        assertTrue(bodies.get(0).contains("\"used\":\"3\",\"remaining\":\"2\",\"threshold\":\"2\""), bodies.get(0));
        call();
        call();
        assertEquals(1, bodies.size());
    }

    @Test
    void offByDefaultAndANegativeThresholdIsRefused() throws Exception {
        listen(BalanceAlerts.builder(delivery).clock(clock).build(), ledger);
        for (int i = 1; i <= 6; i++) {
            call();
        }
        assertEquals(0, bodies.size());
        assertThrows(IllegalArgumentException.class,
                () -> BalanceAlerts.builder(delivery).allowanceUsedUp(new BigDecimal("-1")));
    }

    @Test
    void anAllowanceSeenAboveTheThresholdAgainReArmsIt() {
        BalanceAlerts alerts = BalanceAlerts.builder(delivery).clock(clock).allowanceUsedUp().build();
        Allowance plan = Allowance.calls("starter", 5, 1);
        Instant t = clock.instant();
        Allowance.State usedUp = Allowance.State.of(plan, new BigDecimal("5"), t, t);
        Allowance.State oneBack = Allowance.State.of(plan, new BigDecimal("4"), t, t); // a hold released
        assertTrue(alerts.observeAllowance("acme", usedUp, t));
        assertFalse(alerts.observeAllowance("acme", usedUp, t.plusMillis(1)));
        assertFalse(alerts.observeAllowance("acme", oneBack, t.plusMillis(2)));
        assertTrue(alerts.observeAllowance("acme", usedUp, t.plusMillis(3)));
    }
}
