package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Reservation;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.SwitchableLedger;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * Time in Tollgate comes from {@link TollgateConfig.Builder#clock} and its background work runs on
 * {@link TollgateConfig.Builder#scheduler}: a release the ledger could not take is retried after
 * 1 s, then 2 s, 4 s…, and a test moves time through those steps without sleeping.
 */
class SettlementRetryTest {

    private static TestServer server(TollgateConfig config) throws Exception {
        return TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @Test
    void aReleaseTheLedgerRefusedIsRetriedOnTheConfiguredSchedulerWithBackOff() throws Exception {
        InMemoryLedger memory = InMemoryLedger.builder().account("payer", Money.credits("20")).build();
        SwitchableLedger ledger = new SwitchableLedger(memory);
        ManualScheduler scheduler = new ManualScheduler(new MutableClock());
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).clock(scheduler.clock())
                .scheduler(scheduler).build();
        try (TestServer server = server(config)) {
            Tollgate tollgate = Tollgate.from(server.context().getServletContext()).orElseThrow();
            ledger.failRelease = true;
            // A 500 is not billable: the hold of 5 must be released, but the ledger refuses.
            assertEquals(500, server.get("/reports/x?status=500", "X-API-Key", "payer").statusCode());
            assertEquals(1, tollgate.pendingReleases());
            assertEquals(Money.credits("15"), memory.account("payer").orElseThrow().balance(), "held");
            int releases = ledger.releases.get();

            scheduler.advance(Duration.ofMillis(999));
            assertEquals(releases, ledger.releases.get(), "not before 1 s");
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(releases + 1, ledger.releases.get(), "the first retry, at 1 s; still refused");

            ledger.failRelease = false;
            scheduler.advance(Duration.ofMillis(1_999));
            assertEquals(1, tollgate.pendingReleases(), "the back-off doubled: next try at 2 s");
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(0, tollgate.pendingReleases());
            assertEquals(Money.credits("20"), memory.account("payer").orElseThrow().balance(), "the money is back");
            assertEquals(0, scheduler.waiting(), "nothing left to retry");
        }
    }

    @Test
    void theInMemoryLedgerTollgateCreatesRunsOnTollgatesClock() throws Exception {
        MutableClock clock = new MutableClock();
        TollgateConfig config = TollgateConfig.builder().clock(clock)
                .apply(java.util.Map.of(TollgateConfig.ACCOUNTS, "classpath:test-accounts.properties")).build();
        try (TestServer server = server(config)) {
            InMemoryLedger ledger = (InMemoryLedger) Tollgate.from(server.context().getServletContext()).orElseThrow()
                    .ledger();
            Reservation r = ledger.reserve(new Charge("silver", Money.credits("1"), null, "test",
                    new Idempotency("k-1", "f", false)));
            assertEquals(Reservation.Authorized.class, r.getClass(), r::toString);
            assertEquals(Money.credits("19"), ledger.account("silver").orElseThrow().balance());
            clock.advance(Duration.ofMinutes(11)); // past the 10-minute hold timeout, on Tollgate's clock
            assertEquals(1, ledger.expireOverdueHolds(), "the hold expired on the configured clock");
            assertEquals(Money.credits("20"), ledger.account("silver").orElseThrow().balance());
        }
    }
}
