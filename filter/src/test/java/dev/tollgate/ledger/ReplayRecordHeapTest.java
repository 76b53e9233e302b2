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
 * Measures the heap that idempotency records really take, and pins that the in-memory ledger's
 * byte budget ({@code replayMemory}) bounds it: it used to count only response bodies, so records
 * of about 850 bytes each made the documented "64 MiB" about 830 MiB.
 */
class ReplayRecordHeapTest {

    private static final long BUDGET = 32L * 1024 * 1024;

    @Test
    void replayMemoryBoundsTheRealHeapOfTheRecords() {
        MutableClock clock = new MutableClock();
        long base = usedAfterGc();
        InMemoryLedger ledger = InMemoryLedger.builder().clock(clock).history(0).replayMemory(BUDGET)
                .replayMemoryPerAccount(BUDGET).maxReplayRecords(Integer.MAX_VALUE)
                .account("entitled-account-key", Money.credits("0"), "premium").build();
        long empty = usedAfterGc();
        byte[] body = "{\"insight\":\"buy low\"}".getBytes(StandardCharsets.UTF_8);
        int kept = 0;
        Reservation last = null;
        // A free entitled call with a fresh key each time, as the flood in the issue: fresh strings
        // per request (the key from the header, the fingerprint), a small JSON response.
        for (int i = 0; i < 200_000; i++) {
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
        System.out.printf("ReplayRecordHeap: %d records, %d bytes of heap (%d per record), budget %d, ledger"
                + " structures before records %d%n", kept, used, used / Math.max(1, kept), BUDGET, empty - base);
        Reservation.Denied full = assertInstanceOf(Reservation.Denied.class, last,
                "the budget must refuse new keys before the records outgrow it (kept " + kept + ")");
        assertTrue(full.reason() == DenialReason.IDEMPOTENCY_STORE_FULL
                || full.reason() == DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED, full::toString);
        assertTrue(used <= BUDGET, "records took " + used + " bytes of heap, over the " + BUDGET + " byte budget");
        assertTrue(used >= BUDGET / 3, "the per-record estimate is far too high: " + used + " bytes used");
        assertTrue(ledger.account("entitled-account-key").isPresent());
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
