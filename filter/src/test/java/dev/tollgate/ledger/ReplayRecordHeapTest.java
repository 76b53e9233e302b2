package dev.tollgate.ledger;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.testing.MutableClock;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Measures the heap that idempotency records and kept reply bodies really take, and pins that the
 * in-memory ledger's two budgets ({@code replayMemory} for records, {@code replayBodyMemory} for
 * bodies) bound it together: records used to be counted at about 600 bytes each (and once, only
 * their bodies), so the documented budget allowed too few records, or far more heap than stated.
 */
class ReplayRecordHeapTest {

    private static final long RECORDS = 32L * 1024 * 1024;
    private static final long BODIES = 8L * 1024 * 1024;

    @Test
    void replayMemoryBoundsTheRealHeapOfTheRecords() {
        MutableClock clock = new MutableClock();
        long base = usedAfterGc();
        InMemoryLedger ledger = InMemoryLedger.builder().clock(clock).history(0).replayMemory(RECORDS)
                .replayMemoryPerAccount(RECORDS).replayBodyMemory(BODIES).maxReplayRecords(Integer.MAX_VALUE)
                .account("entitled-account-key", Money.credits("0"), "premium").build();
        long empty = usedAfterGc();
        byte[] body = "{\"insight\":\"buy low\"}".getBytes(StandardCharsets.UTF_8);
        int kept = 0;
        Reservation last = null;
        // A free entitled call with a fresh key each time, as the flood in the issue: fresh strings
        // per request (the key from the header, the fingerprint), a small JSON response.
        for (int i = 0; i < 400_000; i++) {
            Charge c = new Charge("entitled-account-key", Money.credits("0"), "premium", "GET premium",
                    new Idempotency(UUID.randomUUID().toString(), sha256Hex(i), true));
            last = ledger.reserve(c);
            if (!(last instanceof Reservation.Authorized a)) {
                break;
            }
            ledger.commit(a.hold(), new RecordedResponse(200, List.of(Map.entry("Content-Type", "application/json"),
                    Map.entry("Content-Length", Integer.toString(body.length))), body, true));
            kept++;
        }
        long used = usedAfterGc() - empty;
        java.lang.ref.Reference.reachabilityFence(ledger);
        System.out.printf("ReplayRecordHeap: %d records (bodies within %d bytes), %d bytes of heap (%d per record"
                + " in all), budgets %d + %d, ledger structures before records %d%n", kept, BODIES, used,
                used / Math.max(1, kept), RECORDS, BODIES, empty - base);
        Reservation.Denied full = assertInstanceOf(Reservation.Denied.class, last,
                "the budget must refuse new keys before the records outgrow it (kept " + kept + ")");
        assertTrue(full.reason() == DenialReason.IDEMPOTENCY_STORE_FULL
                || full.reason() == DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED, full::toString);
        assertTrue(used <= RECORDS + BODIES, "records and bodies took " + used + " bytes of heap, over the "
                + (RECORDS + BODIES) + " bytes of the two budgets");
        assertTrue(used >= (RECORDS + BODIES) / 2, "the per-record estimate is far too high: " + used + " bytes used");
        assertTrue(kept > RECORDS / 300, "a record with a 36-character key is counted at under 300 bytes: " + kept);
        assertTrue(ledger.account("entitled-account-key").isPresent());
    }

    /** The records alone (no body kept): what a keyed call whose body was dropped costs. */
    @Test
    void recordsWithoutBodiesStayWithinTheRecordBudget() {
        MutableClock clock = new MutableClock();
        InMemoryLedger ledger = InMemoryLedger.builder().clock(clock).history(0).replayMemory(RECORDS)
                .replayMemoryPerAccount(RECORDS).replayBodyMemory(0).maxReplayRecords(Integer.MAX_VALUE)
                .account("entitled-account-key", Money.credits("0"), "premium").build();
        long empty = usedAfterGc();
        int kept = 0;
        Reservation last = null;
        for (int i = 0; i < 400_000; i++) {
            last = ledger.reserve(new Charge("entitled-account-key", Money.credits("0"), "premium", "GET premium",
                    new Idempotency(UUID.randomUUID().toString(), sha256Hex(i), true)));
            if (!(last instanceof Reservation.Authorized a)) {
                break;
            }
            ledger.commit(a.hold(), new RecordedResponse(200, List.of(), new byte[0], true));
            kept++;
        }
        long used = usedAfterGc() - empty;
        System.out.printf("ReplayRecordHeap: %d records without bodies, %d bytes of heap (%d per record), budget"
                + " %d%n", kept, used, used / Math.max(1, kept), RECORDS);
        assertInstanceOf(Reservation.Denied.class, last);
        java.lang.ref.Reference.reachabilityFence(ledger); // measured with the ledger still alive
        assertTrue(used <= RECORDS, "records took " + used + " bytes of heap, over the " + RECORDS + " byte budget");
        assertTrue(used >= RECORDS * 2 / 3, "the per-record estimate is far too high: " + used + " bytes used");
    }

    /**
     * The same records kept by a {@link BalanceLedger} in memory: its store shares the bookkeeping
     * ({@link ReplayRecords}), so its records cost the same heap (they were counted at about 600
     * bytes each before). A small settled-holds cache, so that only records grow.
     */
    @Test
    void aBalanceLedgersRecordsInMemoryStayWithinTheRecordBudget() {
        MutableClock clock = new MutableClock();
        dev.tollgate.testing.MapBalances balances = new dev.tollgate.testing.MapBalances();
        balances.put("entitled-account-key", Money.credits("0"), java.util.Set.of("premium"));
        BalanceLedger ledger = BalanceLedger.builder(balances).clock(clock)
                .store(new MemoryHoldStore(new ReplayRecords(RECORDS, RECORDS, Integer.MAX_VALUE, 0), 1000)).build();
        long empty = usedAfterGc();
        int kept = 0;
        Reservation last = null;
        for (int i = 0; i < 400_000; i++) {
            last = ledger.reserve(new Charge("entitled-account-key", Money.credits("0"), "premium", "GET premium",
                    new Idempotency(UUID.randomUUID().toString(), sha256Hex(i), true)));
            if (!(last instanceof Reservation.Authorized a)) {
                break;
            }
            ledger.commit(a.hold(), new RecordedResponse(200, List.of(), new byte[0], true));
            kept++;
        }
        long used = usedAfterGc() - empty;
        java.lang.ref.Reference.reachabilityFence(ledger);
        System.out.printf("ReplayRecordHeap: BalanceLedger, %d records without bodies, %d bytes of heap (%d per"
                + " record), budget %d%n", kept, used, used / Math.max(1, kept), RECORDS);
        assertInstanceOf(Reservation.Denied.class, last);
        assertTrue(used <= RECORDS, "records took " + used + " bytes of heap, over the " + RECORDS + " byte budget");
        assertTrue(used >= RECORDS * 2 / 3, "the per-record estimate is far too high: " + used + " bytes used");
        assertTrue(kept > RECORDS / 300, "a record with a 36-character key is counted at under 300 bytes: " + kept);
    }

    private static String sha256Hex(int i) {
        return String.format("%064x", (long) i * 0x9E3779B97F4A7C15L & Long.MAX_VALUE);
    }

    private static long usedAfterGc() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
