package dev.tollgate.x402;

import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.payment.ClaimStore;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The claims of one JVM, the x402 scheme's default when the ledger offers no
 * {@link dev.tollgate.spi.Ledger#claimStore() claim store}. Bounded: at {@code maxRecords} live records a new claim first drops
 * lapsed ones, and when none has lapsed it is refused (the scheme answers {@code 503}) rather than
 * forgetting a payment that could then be replayed. Thread-safe.
 */
public final class MemoryClaimStore implements ClaimStore {

    private record Entry(State state, String digest, RecordedResponse response, Instant lapses) {
    }

    private final Map<String, Entry> records = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();
    private final int maxRecords;

    /**
     * Creates a store.
     *
     * @param maxRecords the most records kept at once
     */
    public MemoryClaimStore(int maxRecords) {
        if (maxRecords < 1) {
            throw new IllegalArgumentException("maxRecords must be at least 1");
        }
        this.maxRecords = maxRecords;
    }

    @Override
    public Claim claim(String key, String digest, Instant now, Instant lapses) {
        if (size.get() >= maxRecords) {
            sweep(now);
            if (size.get() >= maxRecords) {
                throw new IllegalStateException("x402 replay records at capacity (" + maxRecords + ")");
            }
        }
        Entry mine = new Entry(State.IN_PROGRESS, digest, null, lapses);
        Claim[] found = new Claim[1];
        records.compute(key, (k, old) -> {
            if (old == null || !old.lapses().isAfter(now)) {
                if (old == null) {
                    size.incrementAndGet();
                }
                found[0] = Claim.CLAIMED;
                return mine;
            }
            found[0] = new Claim(false, old.state(), old.digest(), old.response());
            return old;
        });
        return found[0];
    }

    @Override
    public void spend(String key, RecordedResponse response, Instant lapses) {
        records.computeIfPresent(key, (k, old) -> new Entry(State.SPENT, old.digest(), response, lapses));
    }

    @Override
    public void unknown(String key) {
        records.computeIfPresent(key, (k, old) -> old.state() == State.IN_PROGRESS
                ? new Entry(State.UNKNOWN, old.digest(), null, old.lapses()) : old);
    }

    @Override
    public void release(String key) {
        records.computeIfPresent(key, (k, old) -> {
            if (old.state() == State.IN_PROGRESS) {
                size.decrementAndGet();
                return null;
            }
            return old;
        });
    }

    private void sweep(Instant now) {
        for (Iterator<Map.Entry<String, Entry>> it = records.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Entry> e = it.next();
            if (!e.getValue().lapses().isAfter(now) && records.remove(e.getKey(), e.getValue())) {
                size.decrementAndGet();
            }
        }
    }

    /** {@return how many records are kept} */
    public int size() {
        return size.get();
    }
}
