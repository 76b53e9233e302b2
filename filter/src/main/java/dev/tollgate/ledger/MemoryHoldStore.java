package dev.tollgate.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link BalanceLedger}'s holds and idempotency records in this JVM, bounded like
 * {@link InMemoryLedger}'s ({@link ReplayBudget}). Thread-safe; never blocks.
 */
final class MemoryHoldStore implements HoldStore {

    private final ReplayBudget budget;
    private final ConcurrentHashMap<String, OpenHold> openHolds = new ConcurrentHashMap<>();
    /** The final state of recently settled holds, so a repeated commit or release reports it. */
    private final Cache<String, Settlement> settled;
    private final ConcurrentHashMap<RecordKey, KeyRecord> records = new ConcurrentHashMap<>();
    /** Completed records in commit order, so records past their retention are dropped oldest first. */
    private final ConcurrentLinkedQueue<Filed> completedOrder = new ConcurrentLinkedQueue<>();
    /** Each account's share of the record budget; one entry per account that sent a key. */
    private final ConcurrentHashMap<String, AtomicLong> accountBytes = new ConcurrentHashMap<>();

    MemoryHoldStore(ReplayBudget budget, int settledHolds) {
        this.budget = budget;
        this.settled = Caffeine.newBuilder().maximumSize(settledHolds).build();
    }

    @Override
    public Reservation open(Hold hold, Idempotency idempotency, Instant now, Duration retryAfter) {
        if (!idempotency.clientSupplied()) {
            openHolds.put(hold.id(), new OpenHold(hold, null));
            return null;
        }
        trimRecords(now);
        RecordKey key = new RecordKey(hold.account(), idempotency.key());
        String fingerprint = idempotency.fingerprint();
        AtomicLong share = share(key);
        Reservation[] refused = new Reservation[1];
        records.compute(key, (k, existing) -> {
            if (existing instanceof InProgress p && openHolds.containsKey(p.holdId)) {
                boolean same = p.fingerprint.equals(fingerprint);
                refused[0] = new Reservation.Conflict(same ? Reservation.ConflictKind.IN_PROGRESS
                        : Reservation.ConflictKind.KEY_REUSED, same ? Duration.ofSeconds(1) : null);
                return existing;
            }
            if (existing instanceof Completed c && now.isBefore(c.expiresAt)) {
                refused[0] = c.fingerprint.equals(fingerprint) ? new Reservation.Replay(c.response)
                        : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                return existing;
            }
            if (existing != null) {
                budget.forget(share, existing.cost()); // stale (expired or abandoned): replaced below
            }
            long cost = ReplayBudget.recordCost(k.key(), fingerprint);
            DenialReason full = budget.acquire(share, cost, true);
            if (full != null) {
                refused[0] = new Reservation.Denied(full, hold.amount(), null, null, List.of(),
                        full == DenialReason.IDEMPOTENCY_STORE_FULL ? untilOldestRecordExpires(now, retryAfter)
                                : retryAfter);
                return null;
            }
            // Inside the same atomic step: a concurrent retry sees the key in progress.
            openHolds.put(hold.id(), new OpenHold(hold, key));
            return new InProgress(fingerprint, hold.id(), cost);
        });
        return refused[0];
    }

    @Override
    public void opened(String holdId) {
        OpenHold h = openHolds.get(holdId);
        if (h != null) {
            h.phase.compareAndSet(Phase.DEBITING, Phase.OPEN);
        }
    }

    @Override
    public void abandon(String holdId) {
        OpenHold h = openHolds.get(holdId);
        if (h != null && h.phase.get() == Phase.DEBITING) {
            openHolds.remove(holdId, h);
            forgetRecord(h);
        }
    }

    @Override
    public Settlement commit(String holdId, RecordedResponse response, Instant now, Duration retention) {
        OpenHold open = openHolds.get(holdId);
        if (open == null) {
            return settledState(holdId);
        }
        if (!now.isBefore(open.hold.expiresAt()) && open.phase.get() == Phase.OPEN) {
            return null;
        }
        if (!open.phase.compareAndSet(Phase.OPEN, Phase.COMMITTED)) {
            return state(holdId);
        }
        if (open.recordKey != null) {
            // The replayable record replaces the in-progress one *before* the hold leaves the open
            // set: a concurrent retry sees either "in progress" or "replay", never a gap.
            Completed[] stored = new Completed[1];
            AtomicLong share = share(open.recordKey);
            records.computeIfPresent(open.recordKey, (k, r) -> {
                if (!(r instanceof InProgress p) || !p.holdId.equals(holdId)) {
                    return r;
                }
                if (response == null) {
                    budget.forget(share, p.cost);
                    return null;
                }
                RecordedResponse kept = response;
                long cost = p.cost;
                long extra = ReplayBudget.responseCost(response);
                if (budget.acquire(share, extra, false) == null) {
                    cost += extra;
                } else {
                    // Over a budget: keep the record (a retry is never charged twice), not the body.
                    kept = new RecordedResponse(response.status(), List.of(), new byte[0], false);
                }
                stored[0] = new Completed(p.fingerprint, kept, now.plus(retention), cost);
                return stored[0];
            });
            if (stored[0] != null) {
                completedOrder.add(new Filed(open.recordKey, stored[0]));
            }
        }
        finish(open, Settlement.COMMITTED);
        trimRecords(now);
        return Settlement.COMMITTED;
    }

    @Override
    public Optional<Hold> beginReturn(String holdId, boolean expiry, Instant now) {
        OpenHold h = openHolds.get(holdId);
        if (h == null || (expiry && now.isBefore(h.hold.expiresAt()))) {
            return Optional.empty();
        }
        return h.phase.compareAndSet(Phase.OPEN, expiry ? Phase.EXPIRING : Phase.RELEASING)
                ? Optional.of(h.hold) : Optional.empty();
    }

    @Override
    public void returned(String holdId) {
        OpenHold h = openHolds.get(holdId);
        if (h == null) {
            return;
        }
        Phase p = h.phase.get();
        if (p == Phase.RELEASING || p == Phase.EXPIRING) {
            finish(h, p == Phase.RELEASING ? Settlement.RELEASED : Settlement.EXPIRED);
            forgetRecord(h);
        }
    }

    @Override
    public void returnFailed(String holdId) {
        OpenHold h = openHolds.get(holdId);
        if (h != null && !h.phase.compareAndSet(Phase.RELEASING, Phase.OPEN)) {
            h.phase.compareAndSet(Phase.EXPIRING, Phase.OPEN);
        }
    }

    @Override
    public Settlement state(String holdId) {
        OpenHold h = openHolds.get(holdId);
        if (h == null) {
            return settledState(holdId);
        }
        return switch (h.phase.get()) {
            case COMMITTED -> Settlement.COMMITTED;
            case RELEASING, RELEASED -> Settlement.RELEASED;
            case EXPIRING, EXPIRED -> Settlement.EXPIRED;
            case OPEN, DEBITING -> null;
        };
    }

    @Override
    public List<Hold> overdue(Instant now, int max) {
        trimRecords(now);
        List<Hold> out = new ArrayList<>();
        for (OpenHold h : openHolds.values()) {
            if (h.phase.get() == Phase.OPEN && !now.isBefore(h.hold.expiresAt())) {
                out.add(h.hold);
            }
        }
        out.sort(Comparator.comparing(Hold::expiresAt));
        return out.size() > max ? out.subList(0, max) : out;
    }

    @Override
    public Optional<Hold> overdueHoldOfKey(String account, String key, Instant now) {
        if (records.get(new RecordKey(account, key)) instanceof InProgress p) {
            OpenHold h = openHolds.get(p.holdId);
            if (h != null && h.phase.get() == Phase.OPEN && !now.isBefore(h.hold.expiresAt())) {
                return Optional.of(h.hold);
            }
        }
        return Optional.empty();
    }

    @Override
    public long openHoldCount() {
        return openHolds.size();
    }

    // ---------------------------------------------------------------- internals

    private void finish(OpenHold h, Settlement state) {
        h.phase.set(switch (state) {
            case COMMITTED -> Phase.COMMITTED;
            case RELEASED -> Phase.RELEASED;
            default -> Phase.EXPIRED;
        });
        settled.put(h.hold.id(), state);
        openHolds.remove(h.hold.id(), h);
    }

    private Settlement settledState(String holdId) {
        Settlement s = settled.getIfPresent(holdId);
        return s == null ? Settlement.UNKNOWN : s;
    }

    private void forgetRecord(OpenHold h) {
        if (h.recordKey == null) {
            return;
        }
        AtomicLong share = share(h.recordKey);
        records.computeIfPresent(h.recordKey, (k, r) -> {
            if (r instanceof InProgress p && p.holdId.equals(h.hold.id())) {
                budget.forget(share, r.cost());
                return null;
            }
            return r;
        });
    }

    private AtomicLong share(RecordKey key) {
        return accountBytes.computeIfAbsent(key.account(), a -> new AtomicLong());
    }

    private Duration untilOldestRecordExpires(Instant now, Duration otherwise) {
        Filed head = completedOrder.peek();
        if (head == null) {
            return otherwise; // only records in progress: they end with their holds
        }
        Duration d = Duration.between(now, head.record.expiresAt);
        return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
    }

    /** Drops completed records past their retention, oldest first; only those. */
    private void trimRecords(Instant now) {
        for (Filed head; (head = completedOrder.peek()) != null; ) {
            boolean current = records.get(head.key) == head.record;
            if (current && now.isBefore(head.record.expiresAt)) {
                break;
            }
            if (completedOrder.remove(head)) {
                Filed gone = head;
                AtomicLong share = share(head.key);
                records.computeIfPresent(head.key, (k, v) -> {
                    if (v == gone.record) {
                        budget.forget(share, v.cost());
                        return null;
                    }
                    return v;
                });
            }
        }
    }

    private enum Phase { DEBITING, OPEN, COMMITTED, RELEASING, RELEASED, EXPIRING, EXPIRED }

    /** A hold until it is settled, with the client key it claimed (or null). */
    private record OpenHold(Hold hold, RecordKey recordKey, AtomicReference<Phase> phase) {
        OpenHold(Hold hold, RecordKey recordKey) {
            this(hold, recordKey, new AtomicReference<>(Phase.DEBITING));
        }
    }

    private record RecordKey(String account, String key) {
    }

    private sealed interface KeyRecord permits InProgress, Completed {
        long cost();
    }

    private record InProgress(String fingerprint, String holdId, long cost) implements KeyRecord {
    }

    private record Completed(String fingerprint, RecordedResponse response, Instant expiresAt, long cost)
            implements KeyRecord {
    }

    private record Filed(RecordKey key, Completed record) {
    }
}
