package dev.tollgate.ledger;

import dev.tollgate.spi.DenialReason;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The counters of the in-memory idempotency records' budget ({@link ReplayRecords}, used by
 * {@link InMemoryLedger} and {@link BalanceLedger}): each record costs its measured bytes against
 * its account's share and the whole budget, and the number of records is capped. A record that
 * does not fit is refused at admission rather than dropping another before its retention ends
 * (that record is what keeps a retry from being charged twice). Reply bodies are counted apart.
 *
 * <p>Thread-safe: counters are atomic; each account's share is an {@link AtomicLong} its owner keeps.
 */
final class ReplayBudget {

    private final long memory;
    private final long memoryPerAccount;
    private final int maxRecords;
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicInteger count = new AtomicInteger();

    /**
     * @param memory bytes all records may take
     * @param memoryPerAccount bytes one account's records may take (never more than {@code memory})
     * @param maxRecords how many records are kept at most
     */
    ReplayBudget(long memory, long memoryPerAccount, int maxRecords) {
        this.memory = memory;
        this.memoryPerAccount = Math.min(memory, memoryPerAccount);
        this.maxRecords = maxRecords;
    }

    /**
     * Takes bytes from the account's share and the whole budget (and a record slot for a new
     * record), or from neither.
     *
     * @return null when taken, else why not
     */
    DenialReason acquire(AtomicLong account, long n, boolean newRecord) {
        if (!tryAdd(account, n, memoryPerAccount)) {
            return DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED;
        }
        if (!tryAdd(bytes, n, memory)) {
            account.addAndGet(-n);
            return DenialReason.IDEMPOTENCY_STORE_FULL;
        }
        if (newRecord && count.incrementAndGet() > maxRecords) {
            count.decrementAndGet();
            free(account, n);
            return DenialReason.IDEMPOTENCY_STORE_FULL;
        }
        return null;
    }

    /** Gives back bytes taken by {@link #acquire}. */
    void free(AtomicLong account, long n) {
        account.addAndGet(-n);
        bytes.addAndGet(-n);
    }

    /** Gives back everything a record that leaves its map charged, slot included; once per removal. */
    void forget(AtomicLong account, long cost) {
        free(account, cost);
        count.decrementAndGet();
    }

    private static boolean tryAdd(AtomicLong counter, long n, long limit) {
        for (long current = counter.get(); ; current = counter.get()) {
            if (current + n > limit) {
                return false;
            }
            if (counter.compareAndSet(current, current + n)) {
                return true;
            }
        }
    }
}
