package dev.tollgate.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
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
import java.util.concurrent.atomic.AtomicReference;

/**
 * The {@link BalanceLedger}'s holds and idempotency records in this JVM. The records and kept
 * reply bodies are {@link InMemoryLedger}'s own bookkeeping ({@link ReplayRecords}), so both ledgers
 * bound them the same way. Thread-safe; never blocks.
 */
final class MemoryHoldStore implements HoldStore {

    private final ReplayRecords replay;
    private final ConcurrentHashMap<String, OpenHold> openHolds = new ConcurrentHashMap<>();
    /** The final state of recently settled holds, so a repeated commit or release reports it. */
    private final Cache<String, Settlement> settled;
    /**
     * Each account's record bookkeeping, one per account that sent a key (as many as the
     * application's accounts: an unknown account is refused before its key is claimed).
     */
    private final ConcurrentHashMap<String, ReplayRecords.Payer> payers = new ConcurrentHashMap<>();

    MemoryHoldStore(ReplayRecords replay, int settledHolds) {
        this.replay = replay;
        this.settled = Caffeine.newBuilder().executor(Runnable::run).maximumSize(settledHolds).build();
    }

    @Override
    public Reservation open(Hold hold, Idempotency idempotency, Instant now, Duration retryAfter) {
        if (!idempotency.clientSupplied()) {
            openHolds.put(hold.id(), new OpenHold(hold, null));
            return null;
        }
        Reservation r = replay.claim(payer(hold.account()), idempotency.key(), idempotency.fingerprint(),
                now.toEpochMilli(), openHolds::containsKey, hold.amount(), retryAfter, key -> {
                    // Inside the same atomic step: a concurrent retry sees the key in progress.
                    openHolds.put(hold.id(), new OpenHold(hold, key));
                    // Only its hold id is read; the balance is the application's, not known here.
                    return new Reservation.Authorized(hold, hold.amount());
                });
        return r instanceof Reservation.Authorized ? null : r;
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
            replay.complete(open.recordKey, holdId, response, now.toEpochMilli(),
                    now.plus(retention).toEpochMilli());
        }
        finish(open, Settlement.COMMITTED);
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
        replay.trim(now.toEpochMilli());
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
        ReplayRecords.Payer payer = payers.get(account);
        String holdId = payer == null ? null : replay.holdInProgress(payer, key);
        if (holdId != null) {
            OpenHold h = openHolds.get(holdId);
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
        if (h.recordKey != null) {
            replay.forgetInProgress(h.recordKey, h.hold.id());
        }
    }

    private ReplayRecords.Payer payer(String account) {
        return payers.computeIfAbsent(account, ReplayRecords.Payer::new);
    }

    private enum Phase { DEBITING, OPEN, COMMITTED, RELEASING, RELEASED, EXPIRING, EXPIRED }

    /** A hold until it is settled, with the client key it claimed (or null). */
    private record OpenHold(Hold hold, ReplayRecords.Key recordKey, AtomicReference<Phase> phase) {
        OpenHold(Hold hold, ReplayRecords.Key recordKey) {
            this(hold, recordKey, new AtomicReference<>(Phase.DEBITING));
        }
    }
}
