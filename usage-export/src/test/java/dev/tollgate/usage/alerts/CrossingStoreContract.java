package dev.tollgate.usage.alerts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;

/** What every {@link CrossingStore} does; each implementation's test extends this. */
abstract class CrossingStoreContract {

    static final Instant T = Instant.parse("2026-12-01T17:00:00Z");

    /** {@return the store under test; every call within one test sees the same state} */
    abstract CrossingStore store();

    @Test
    void firesOnceUntilRearmed() {
        CrossingStore s = store();
        assertTrue(s.fire("low", "acme", T));
        assertFalse(s.fire("low", "acme", T.plusSeconds(1)));
        assertTrue(s.rearm("low", "acme", T.plusSeconds(2)));
        assertFalse(s.rearm("low", "acme", T.plusSeconds(2)));
        assertTrue(s.fire("low", "acme", T.plusSeconds(3)));
    }

    @Test
    void kindsAndKeysAreIndependent() {
        CrossingStore s = store();
        assertTrue(s.fire("low", "acme", T));
        assertTrue(s.fire("used-up", "acme", T));
        assertTrue(s.fire("low", "globex", T));
        assertTrue(s.rearm("used-up", "acme", T));
        assertFalse(s.fire("low", "acme", T));
        assertTrue(s.fire("used-up", "acme", T.plusSeconds(1)));
        assertFalse(s.rearm("low", "initech", T)); // never fired: nothing to re-arm
    }

    @Test
    void anObservationOlderThanTheFiringOneDoesNotRearm() {
        CrossingStore s = store();
        assertTrue(s.fire("low", "acme", T));
        assertFalse(s.rearm("low", "acme", T.minusMillis(1))); // read before the fall, arrived late
        assertFalse(s.fire("low", "acme", T.plusSeconds(1)));
        assertTrue(s.rearm("low", "acme", T)); // the same time re-arms: a top-up seen at once
        assertTrue(s.fire("low", "acme", T.plusSeconds(2)));
    }

    @Test
    void ofConcurrentCallersExactlyOneFiresEachKey() throws Exception {
        CrossingStore s = store();
        int threads = 8;
        int keys = 40;
        AtomicIntegerArray wins = new AtomicIntegerArray(keys);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    go.await();
                    for (int k = 0; k < keys; k++) {
                        if (s.fire("low", "k" + k, T)) {
                            wins.incrementAndGet(k);
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(5, TimeUnit.SECONDS);
        }
        for (int k = 0; k < keys; k++) {
            assertEquals(1, wins.get(k), "wins of k" + k);
        }
        assertFalse(s.fire("low", "k0", T.plus(Duration.ofHours(1))));
    }

    @Test
    void aLateFallReadBeforeATopUpDoesNotTakeTheNextCrossing() {
        CrossingStore s = store();
        assertFalse(s.rearm("low", "acme", T.plusSeconds(2))); // node B: above at T+2, nothing had fired
        assertFalse(s.fire("low", "acme", T));                 // node A: its read at T (below) arrives late
        assertTrue(s.fire("low", "acme", T.plusSeconds(3)));   // the real fall after the top-up fires
        assertFalse(s.fire("low", "acme", T.plusSeconds(4)));
    }

    @Test
    void everyReadingAboveMovesTheArmedTimeForwardOnly() {
        CrossingStore s = store();
        assertFalse(s.rearm("low", "acme", T.plusSeconds(5)));
        assertFalse(s.rearm("low", "acme", T.plusSeconds(2))); // older: the armed time stays T+5
        assertFalse(s.fire("low", "acme", T.plusSeconds(4)));  // read before the reading above at T+5
        assertFalse(s.fire("low", "acme", T.plusSeconds(5)));  // the same instant: the reading above wins
        assertTrue(s.fire("low", "acme", T.plusSeconds(6)));
        assertFalse(s.rearm("low", "acme", T.plusSeconds(5))); // older than the fall that fired
        assertTrue(s.rearm("low", "acme", T.plusSeconds(6)));  // the same instant re-arms
        assertFalse(s.rearm("low", "acme", T.plusSeconds(7))); // armed already: only its time moves
        assertFalse(s.fire("low", "acme", T.plusSeconds(7)));
        assertTrue(s.fire("low", "acme", T.plusSeconds(8)));
    }
}
