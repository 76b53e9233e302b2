package dev.tollgate.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.events.AsyncTollgateListener;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.testapp.LimitFeatureServlets;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.DispatcherType;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/** A listener that throws or blocks never breaks or slows a request, nor stops the other listeners. */
class ListenerIsolationTest {

    private static TestServer server(TollgateConfig config) throws Exception {
        return TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("limited", LimitFeatureServlets.ByAddress.class, "/limited")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(new TollgateFilter(config)), "/*",
                        EnumSet.of(DispatcherType.REQUEST)))
                .start();
    }

    @Test
    void aListenerThatThrowsChangesNoDecisionAndTheNextListenerStillHearsEverything() throws Exception {
        InMemoryLedger ledger = InMemoryLedger.builder().account("payer", Money.credits("20")).build();
        AtomicInteger thrown = new AtomicInteger();
        List<TollgateEvent> heard = new CopyOnWriteArrayList<>();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger)
                .eventListener(e -> {
                    thrown.incrementAndGet();
                    throw new IllegalStateException("listener bug");
                })
                .eventListener(e -> {
                    throw new LinkageError("a listener compiled against something missing");
                })
                .eventListener(heard::add)
                .build();
        try (TestServer server = server(config)) {
            assertEquals(200, server.get("/reports/a", "X-API-Key", "payer").statusCode());
            assertEquals(500, server.get("/reports/a?status=500", "X-API-Key", "payer").statusCode());
            assertEquals(402, server.get("/reports/a").statusCode());
            assertEquals(200, server.get("/limited").statusCode());
            assertEquals(200, server.get("/limited").statusCode());
            assertEquals(429, server.get("/limited").statusCode());
        }
        assertEquals(Money.credits("15"), ledger.account("payer").orElseThrow().balance(), "charged once, released once");
        assertEquals(thrown.get(), heard.size(), "every event reached the last listener too");
        assertEquals(List.of(TollgateEvent.Charged.class, TollgateEvent.Released.class, TollgateEvent.Refused.class,
                TollgateEvent.Passed.class, TollgateEvent.Passed.class, TollgateEvent.Limited.class),
                heard.stream().filter(e -> !(e instanceof TollgateEvent.LedgerCall)
                        && !(e instanceof TollgateEvent.Admitted)).map(Object::getClass).toList());
    }

    @Test
    void aBlockedListenerBehindTheAsyncDispatcherNeverHoldsARequestAndDropsWhatDoesNotFit() throws Exception {
        InMemoryLedger ledger = InMemoryLedger.builder().account("payer", Money.credits("100")).build();
        CountDownLatch unblock = new CountDownLatch(1);
        AtomicInteger reached = new AtomicInteger();
        AsyncTollgateListener async = new AsyncTollgateListener(e -> {
            reached.incrementAndGet();
            try {
                unblock.await(); // a webhook that hangs
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
            }
        }, 2);
        AtomicInteger offered = new AtomicInteger();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger)
                .eventListener(e -> offered.incrementAndGet()).eventListener(async).build();
        try (TestServer server = server(config)) {
            // The delegate blocks on the first event for as long as the test wants: if the request
            // thread waited for it, these requests would never finish (the guard only stops a hang).
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> {
                for (int i = 0; i < 5; i++) {
                    assertEquals(200, server.get("/reports/a", "X-API-Key", "payer").statusCode());
                }
            });
            assertEquals(Money.credits("75"), ledger.account("payer").orElseThrow().balance());
            assertEquals(20, offered.get(), "4 events per charged request");
            assertTrue(async.dropped() >= 20 - 2 - 1, "at most the queue and the one in hand were kept: "
                    + async.dropped());
        } finally {
            unblock.countDown();
            async.close();
        }
        assertEquals(20, async.delivered() + async.dropped(), "each event delivered or counted as dropped");
        assertTrue(reached.get() >= 1);
    }

    @Test
    void theAsyncDispatcherDeliversInOrderAndRefusesAnAbsurdCapacity() {
        List<TollgateEvent> got = new CopyOnWriteArrayList<>();
        AsyncTollgateListener async = new AsyncTollgateListener(got::add, 100);
        List<TollgateEvent> sent = new java.util.ArrayList<>();
        for (int i = 0; i < 50; i++) {
            TollgateEvent e = new TollgateEvent.Passed(java.time.Instant.EPOCH, "e" + i, "GET");
            sent.add(e);
            async.onEvent(e);
        }
        async.close();
        assertEquals(sent, got);
        assertEquals(0, async.dropped());
        assertThrows(IllegalArgumentException.class, () -> new AsyncTollgateListener(got::add, 0));
    }
}
