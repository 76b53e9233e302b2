package dev.tollgate.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateEvent.Admitted;
import dev.tollgate.spi.events.TollgateEvent.Charged;
import dev.tollgate.spi.events.TollgateEvent.LedgerCall;
import dev.tollgate.spi.events.TollgateEvent.LedgerFailed;
import dev.tollgate.spi.events.TollgateEvent.Limited;
import dev.tollgate.spi.events.TollgateEvent.Operation;
import dev.tollgate.spi.events.TollgateEvent.Passed;
import dev.tollgate.spi.events.TollgateEvent.Refused;
import dev.tollgate.spi.events.TollgateEvent.Released;
import dev.tollgate.spi.events.TollgateEvent.Replayed;
import dev.tollgate.spi.events.TollgateEvent.SettlementRetried;
import dev.tollgate.spi.events.TollgateEvent.ShadowLimited;
import dev.tollgate.spi.events.TollgateListener;
import dev.tollgate.testapp.LimitFeatureServlets;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.SwitchableLedger;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Every kind of event, emitted exactly once for a known request, with what a listener needs
 * (endpoint, scheme, amount, account, hold id) and nothing it must not get (keys). Requests run
 * against an embedded Jetty; time and the settlement-retry scheduler are manual.
 */
class EventsTest {

    private final List<TollgateEvent> events = new CopyOnWriteArrayList<>();
    private InMemoryLedger memory;
    private SwitchableLedger ledger;
    private ManualScheduler scheduler;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        memory = InMemoryLedger.builder().account("payer", Money.credits("100")).account("poor", Money.credits("1"))
                .build();
        ledger = new SwitchableLedger(memory);
        scheduler = new ManualScheduler(new MutableClock());
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).clock(scheduler.clock())
                .scheduler(scheduler).eventListener(events::add).build();
        server = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("limited", LimitFeatureServlets.ByAddress.class, "/limited")
                .servlet("shadow", LimitFeatureServlets.Shadow.class, "/shadow")
                .servlet("plain", dev.tollgate.testapp.PlainServlet.class, "/plain")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private List<Class<?>> kinds() {
        List<Class<?>> kinds = new ArrayList<>();
        events.forEach(e -> kinds.add(e.getClass()));
        return kinds;
    }

    @SuppressWarnings("unchecked")
    private <T extends TollgateEvent> T only(Class<T> type) {
        List<TollgateEvent> found = events.stream().filter(type::isInstance).toList();
        assertEquals(1, found.size(), () -> type.getSimpleName() + " in " + events);
        return (T) found.get(0);
    }

    @Test
    void aChargedRequestIsAdmittedThenChargedWithItsEndpointSchemeAmountAndAccount() throws Exception {
        assertEquals(200, server.get("/reports/a", "X-API-Key", "payer").statusCode());
        assertEquals(List.of(LedgerCall.class, Admitted.class, LedgerCall.class, Charged.class), kinds());
        Admitted admitted = only(Admitted.class);
        Charged charged = only(Charged.class);
        assertEquals("reports", charged.endpoint());
        assertEquals("GET", charged.method());
        assertEquals("account", charged.scheme());
        assertEquals("payer", charged.account());
        assertEquals(Money.credits("5"), charged.amount());
        assertEquals("credits", charged.currency());
        assertEquals(admitted.holdId(), charged.holdId());
        assertEquals(Money.credits("5"), admitted.price());
        assertEquals(scheduler.clock().instant(), charged.time(), "stamped by Tollgate's clock");
        LedgerCall reserve = (LedgerCall) events.get(0);
        LedgerCall commit = (LedgerCall) events.get(2);
        assertEquals(Operation.RESERVE, reserve.operation());
        assertEquals(Operation.COMMIT, commit.operation());
        assertFalse(reserve.failed() || commit.failed());
        assertFalse(events.toString().contains("X-API-Key"), "no key in any event");
    }

    @Test
    void aResponseThatIsNotBillableReleasesTheHoldOnce() throws Exception {
        assertEquals(500, server.get("/reports/a?status=500", "X-API-Key", "payer").statusCode());
        assertEquals(List.of(LedgerCall.class, Admitted.class, LedgerCall.class, Released.class), kinds());
        Released released = only(Released.class);
        assertEquals(Released.Reason.NOT_BILLABLE, released.reason());
        assertEquals("status 500", released.detail());
        assertEquals(Money.credits("5"), released.amount());
        assertEquals(only(Admitted.class).holdId(), released.holdId());
        assertEquals(Money.credits("100"), memory.account("payer").orElseThrow().balance());
    }

    @Test
    void anEndpointThatThrowsReleasesTheHoldAsFailed() throws Exception {
        assertEquals(500, server.get("/reports/a?fail=true", "X-API-Key", "payer").statusCode());
        assertEquals(Released.Reason.FAILED, only(Released.class).reason());
        assertEquals(0, events.stream().filter(Charged.class::isInstance).count());
    }

    @Test
    void refusalsCarryTheirProblemTypeAndNeverAHold() throws Exception {
        assertEquals(402, server.get("/reports/a").statusCode());
        assertEquals(List.of(Refused.class), kinds());
        assertEquals(Denial.Kind.PAYMENT_REQUIRED, only(Refused.class).kind());
        events.clear();

        assertEquals(402, server.get("/reports/a", "X-API-Key", "poor").statusCode());
        assertEquals(List.of(LedgerCall.class, Refused.class), kinds());
        Refused refused = only(Refused.class);
        assertEquals("insufficient-funds", refused.problemType());
        assertEquals(402, refused.status());
        assertEquals("reports", refused.endpoint());
    }

    @Test
    void anIdempotentReplayIsReplayedNotChargedAgain() throws Exception {
        String[] headers = {"X-API-Key", "payer", "Idempotency-Key", "events-replay-1"};
        assertEquals(201, server.send("POST", "/reports/x", "{\"a\":1}", headers).statusCode());
        assertEquals(1, events.stream().filter(Charged.class::isInstance).count());
        events.clear();

        HttpResponse<String> again = server.send("POST", "/reports/x", "{\"a\":1}", headers);
        assertEquals(201, again.statusCode());
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(List.of(LedgerCall.class, Replayed.class), kinds());
        assertEquals(201, only(Replayed.class).status());
        assertEquals(Money.credits("90"), memory.account("payer").orElseThrow().balance(), "charged once");
    }

    @Test
    void aRateLimitIsLimitedAndFreeRequestsPass() throws Exception {
        assertEquals(200, server.get("/limited").statusCode());
        assertEquals(200, server.get("/limited").statusCode());
        assertEquals(429, server.get("/limited").statusCode());
        assertEquals(List.of(Passed.class, Passed.class, Limited.class), kinds());
        Limited limited = only(Limited.class);
        assertEquals("limited", limited.endpoint());
        assertEquals(1, limited.limits().size());
        assertTrue(limited.retryAfter().toSeconds() >= 1);
    }

    @Test
    void aShadowLimitIsShadowLimitedAndTheRequestStillPasses() throws Exception {
        for (int i = 0; i < 3; i++) {
            assertEquals(200, server.get("/shadow").statusCode());
        }
        assertEquals(List.of(Passed.class, Passed.class, ShadowLimited.class, Passed.class), kinds());
        assertEquals(List.of("trial"), only(ShadowLimited.class).limits());
    }

    @Test
    void aRequestWithoutAPolicyPassesOnceWithItsServletsName() throws Exception {
        assertEquals(200, server.get("/plain").statusCode());
        assertEquals(List.of(Passed.class), kinds());
        assertEquals("plain", only(Passed.class).endpoint());
        assertEquals("GET", only(Passed.class).method());
    }

    @Test
    void aLedgerFailureOnReserveIsAFailedCallAndA503Refusal() throws Exception {
        ledger.failReserve = true;
        assertEquals(503, server.get("/reports/a", "X-API-Key", "payer").statusCode());
        assertEquals(List.of(LedgerFailed.class, LedgerCall.class, Refused.class), kinds());
        assertEquals(Operation.RESERVE, only(LedgerFailed.class).operation());
        assertTrue(only(LedgerCall.class).failed());
        assertEquals(Denial.Kind.LEDGER_UNAVAILABLE, only(Refused.class).kind());
    }

    @Test
    void aReleaseTheLedgerRefusedIsRetriedInTheBackgroundAndEachAttemptIsAnEvent() throws Exception {
        ledger.failRelease = true;
        assertEquals(500, server.get("/reports/a?status=500", "X-API-Key", "payer").statusCode());
        assertEquals(List.of(LedgerCall.class, Admitted.class, LedgerFailed.class, LedgerCall.class, Released.class),
                kinds());
        events.clear();

        scheduler.advance(Duration.ofSeconds(1));
        ledger.failRelease = false;
        scheduler.advance(Duration.ofSeconds(2));
        assertEquals(List.of(SettlementRetried.class, SettlementRetried.class), kinds());
        SettlementRetried first = (SettlementRetried) events.get(0);
        SettlementRetried second = (SettlementRetried) events.get(1);
        assertEquals(Operation.RELEASE, first.operation());
        assertFalse(first.succeeded());
        assertTrue(second.succeeded());
        assertEquals("payer", second.account());
        Tollgate tollgate = Tollgate.from(server.context().getServletContext()).orElseThrow();
        assertEquals(0, tollgate.pendingReleases());
    }

    @Test
    void aFailedCommitReleasesTheHoldAsChargeFailed() throws Exception {
        ledger.failCommit = true;
        assertEquals(503, server.get("/reports/a", "X-API-Key", "payer").statusCode());
        assertEquals(Released.Reason.CHARGE_FAILED, only(Released.class).reason());
        assertEquals(0, events.stream().filter(Charged.class::isInstance).count());
        assertTrue(events.stream().anyMatch(e -> e instanceof LedgerFailed f && f.operation() == Operation.COMMIT));
        assertEquals(Money.credits("100"), memory.account("payer").orElseThrow().balance());
    }

    @Test
    void anAsynchronousTimeoutReleasesTheHoldAsAbandoned() throws Exception {
        List<TollgateEvent> heard = new CopyOnWriteArrayList<>();
        SwitchableLedger async = new SwitchableLedger(InMemoryLedger.builder().account("gold", Money.credits("10"))
                .build());
        try (TestServer s = TestServer.builder().servlet("async", dev.tollgate.testapp.AsyncServlet.class, "/async")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, async)
                .attribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE, (TollgateListener) heard::add).start()) {
            s.get("/async?mode=timeout", "X-API-Key", "gold"); // the container's timeout answers
            async.awaitSettlements(1);
        }
        List<TollgateEvent> outcomes = heard.stream().filter(e -> e instanceof Charged || e instanceof Released)
                .toList();
        assertEquals(1, outcomes.size(), heard::toString);
        assertEquals(Released.Reason.ABANDONED, ((Released) outcomes.get(0)).reason());
        assertEquals(Money.credits("10"), async.account("gold").orElseThrow().balance());
    }

    @Test
    void listenersGivenToTheBuilderAreTheOnesInUse() {
        Tollgate tollgate = Tollgate.from(server.context().getServletContext()).orElseThrow();
        assertEquals(1, tollgate.eventListeners().size());
        TollgateListener l = tollgate.eventListeners().get(0);
        assertTrue(l != null);
    }
}
