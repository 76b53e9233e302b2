package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CloudEvents pushed to a local receiver: retries with back-off, resumption, idempotent ids. */
class UsagePushTest {

    private final MutableClock clock = new MutableClock();
    private final ManualScheduler scheduler = new ManualScheduler(clock);
    /** Jitter fixed at the middle: the n-th failure waits 3/4 of its step. */
    private final Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(60), () -> 0.5);
    private Receiver receiver;
    private MemoryUsageLog log;

    @BeforeEach
    void start() throws IOException {
        receiver = new Receiver();
        log = MemoryUsageLog.create("memory-push", 1000, clock);
    }

    @AfterEach
    void stop() {
        receiver.close();
    }

    private void charge(int n) {
        for (int i = 0; i < n; i++) {
            log.append("acct", Money.credits("0.1"), "GET reports", null);
        }
    }

    private UsagePush.Builder push(CursorStore store) {
        return UsagePush.builder(log, receiver.uri()).cursorStore(store).scheduler(scheduler).backoff(backoff)
                .pollInterval(Duration.ofSeconds(5)).pageSize(2);
    }

    @Test
    void failedDeliveriesAreRetriedWithExponentialBackoffUntilAcknowledged() {
        charge(3);
        receiver.answer(503, 500, 503);
        try (UsagePush push = push(CursorStore.inMemory()).build().start()) {
            scheduler.advance(Duration.ZERO);
            assertEquals(1, receiver.requests.size());
            // failure 1: 1 s step, 0.75 s with this jitter
            scheduler.advance(Duration.ofMillis(749));
            assertEquals(1, receiver.requests.size());
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(2, receiver.requests.size());
            // failure 2: 2 s step -> 1.5 s
            scheduler.advance(Duration.ofMillis(1499));
            assertEquals(2, receiver.requests.size());
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(3, receiver.requests.size());
            // failure 3: 4 s step -> 3 s; then the first page is acknowledged and the second follows at once
            assertEquals(3, push.status().failures());
            scheduler.advance(Duration.ofMillis(3000));
            assertEquals(5, receiver.requests.size());
            assertEquals(List.of("memory-push-1", "memory-push-2", "memory-push-3"), receiver.acknowledgedIds());
            assertEquals(0, push.status().failures());
            assertEquals(3, push.status().sent());
            // Every try of the page carried the same events, the same ids.
            assertEquals(receiver.requests.get(0).body(), receiver.requests.get(3).body());
            assertTrue(receiver.requests.stream().allMatch(r -> CloudEvents.BATCH_CONTENT_TYPE.equals(r.contentType())));
            // Nothing new: the next look is one poll interval later.
            charge(1);
            scheduler.advance(Duration.ofMillis(4999));
            assertEquals(5, receiver.requests.size());
            scheduler.advance(Duration.ofMillis(1));
            assertEquals(List.of("memory-push-1", "memory-push-2", "memory-push-3", "memory-push-4"),
                    receiver.acknowledgedIds());
        }
    }

    @Test
    void aRestartedPushResumesFromTheSavedCursorWithoutLossOrDuplicate() {
        CursorStore store = CursorStore.inMemory();
        charge(5);
        try (UsagePush first = push(store).build()) {
            assertEquals(UsagePush.Outcome.SENT_MORE, first.pushOnce());
            assertEquals(UsagePush.Outcome.SENT_MORE, first.pushOnce());
        } // "stopped" with one record unsent
        charge(2);
        try (UsagePush second = push(store).build()) {
            UsagePush.Outcome o;
            do {
                o = second.pushOnce();
            } while (o != UsagePush.Outcome.IDLE);
        }
        List<String> ids = receiver.acknowledgedIds();
        assertEquals(7, ids.size(), ids.toString());
        assertEquals(7, receiver.distinctIds().size(), ids.toString());
    }

    @Test
    void aCursorLostAfterDeliveryResendsThePageWithTheSameIds() {
        AtomicInteger saves = new AtomicInteger();
        CursorStore inner = CursorStore.inMemory();
        CursorStore failingOnce = new CursorStore() {
            @Override
            public Optional<String> load() {
                return inner.load();
            }

            @Override
            public void save(String token) {
                if (saves.incrementAndGet() == 1) {
                    throw new UsageLogUnavailableException("cursor table down", null);
                }
                inner.save(token);
            }
        };
        charge(2);
        try (UsagePush push = push(failingOnce).build()) {
            assertEquals(UsagePush.Outcome.FAILED, push.pushOnce());
            assertEquals(UsagePush.Outcome.SENT_MORE, push.pushOnce());
            assertEquals(UsagePush.Outcome.IDLE, push.pushOnce());
        }
        // At least once: the receiver saw the page twice, with ids it can drop as duplicates.
        assertEquals(List.of("memory-push-1", "memory-push-2", "memory-push-1", "memory-push-2"),
                receiver.acknowledgedIds());
    }

    @Test
    void aCursorOfAnEarlierProcessesMemoryLogStartsTheNewLogFromItsStart() {
        CursorStore store = CursorStore.inMemory();
        store.save(UsageCursor.of("memory-earlier", 41).token());
        charge(1);
        try (UsagePush push = push(store).build()) {
            assertEquals(UsagePush.Outcome.SENT, push.pushOnce());
        }
        assertEquals(List.of("memory-push-1"), receiver.acknowledgedIds());
    }

    @Test
    void structuredModeSendsOneCloudEventPerRequestWithTheConfiguredHeaders() {
        log.append("acme \"quoted\"", Money.credits("0.000000000000000001"), "GET reports", "17");
        try (UsagePush push = push(CursorStore.inMemory()).mode(UsagePush.Mode.STRUCTURED)
                .header("Authorization", "Bearer receiver-secret").build()) {
            assertEquals(UsagePush.Outcome.SENT, push.pushOnce());
        }
        Receiver.Request r = receiver.requests.get(0);
        assertEquals(CloudEvents.CONTENT_TYPE, r.contentType());
        assertEquals(List.of("Bearer receiver-secret"), r.headers().get("Authorization"));
        String body = r.body();
        assertTrue(body.startsWith("{\"specversion\":\"1.0\",\"id\":\"memory-push-1\",\"source\":\"urn:tollgate:memory-push\","
                + "\"type\":\"dev.tollgate.usage.charged\",\"subject\":\"acme \\\"quoted\\\"\""), body);
        assertTrue(body.contains("\"datacontenttype\":\"application/json\""), body);
        assertTrue(body.contains("\"amount\":\"0.000000000000000001\",\"currency\":\"credits\",\"resource\":\"GET reports\","
                + "\"hold\":\"17\"}}"), body);
        assertFalse(body.contains("E-"), body);
    }
}
