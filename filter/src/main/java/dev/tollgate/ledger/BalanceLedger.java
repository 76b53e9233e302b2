package dev.tollgate.ledger;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A {@link Ledger} over {@link Balances} the application already keeps: the application implements
 * three balance operations, and this class keeps the rest in memory (holds, their expiry,
 * idempotency records and the responses replayed to retries).
 *
 * <ul>
 *   <li>{@link #reserve}: looks the account up, checks the entitlement and the unit, then
 *       {@linkplain Balances#debit debits} the price: the hold is already off the balance, so two
 *       concurrent reservations never spend the same money.</li>
 *   <li>{@link #commit}: records the charge (and the response for a client idempotency key); the
 *       balance is not touched again.</li>
 *   <li>{@link #release}, and expiry of a hold neither committed nor released within
 *       {@link Builder#holdTimeout(Duration) the hold timeout}: {@linkplain Balances#credit credits}
 *       the price back, exactly once. Overdue holds are swept on later calls (at most once a second,
 *       a bounded number per call) and by {@link #expireOverdueHolds()}.</li>
 * </ul>
 * Idempotency behaves exactly as in {@link InMemoryLedger}, with the same bounds: records per
 * (account, key), in progress while the hold is open, replayed for
 * {@link Builder#replayRetention(Duration) the replay retention} after a commit, refused at
 * admission when the account's share or the whole budget of heap is used up.
 *
 * <p><b>What is lost on restart.</b> Holds and records live in this JVM. Money under a hold that is
 * open when the JVM stops is not credited back by this class (the application's own reconciliation
 * must, from the debit references); a restarted node forgets completed keys, so a retry after a
 * restart runs again. Use one {@code BalanceLedger} per application, not one per node, when the
 * balances are shared by several nodes and retries must be recognised across them.
 *
 * <p>Thread-safe. Calls block only inside the {@link Balances}.
 */
public final class BalanceLedger implements Ledger {

    private static final System.Logger LOG = System.getLogger(BalanceLedger.class.getName());

    /** How many overdue holds one request sweeps at most; {@link #expireOverdueHolds()} sweeps all. */
    private static final int SWEEP_BATCH = 64;

    private final Balances balances;
    private final Clock clock;
    private final Duration holdTimeout;
    private final Duration replayRetention;
    private final ReplayBudget budget;
    private final ConcurrentHashMap<String, OpenHold> openHolds = new ConcurrentHashMap<>();
    /** The final state of recently settled holds, so a repeated commit or release reports it. */
    private final Cache<String, Settlement> settled;
    private final ConcurrentHashMap<RecordKey, KeyRecord> records = new ConcurrentHashMap<>();
    /** Completed records in commit order, so records past their retention are dropped oldest first. */
    private final ConcurrentLinkedQueue<Filed> completedOrder = new ConcurrentLinkedQueue<>();
    /** Each account's share of the record budget; one entry per account that sent a key. */
    private final ConcurrentHashMap<String, AtomicLong> accountBytes = new ConcurrentHashMap<>();
    private final AtomicLong holdSequence = new AtomicLong();
    private final String holdPrefix = "b" + Long.toString(System.nanoTime() & 0xffffff, 36) + "-";
    private final AtomicLong nextSweepMillis = new AtomicLong();

    private BalanceLedger(Builder b) {
        this.balances = b.balances;
        this.clock = b.clock;
        this.holdTimeout = b.holdTimeout;
        this.replayRetention = b.replayRetention;
        this.budget = new ReplayBudget(b.replayMemory, b.replayMemoryPerAccount, b.maxReplayRecords);
        this.settled = Caffeine.newBuilder().maximumSize(b.settledHolds).build();
    }

    /**
     * Starts a ledger over the application's balances.
     *
     * @param balances where the balances are kept
     * @return a builder with default settings
     */
    public static Builder builder(Balances balances) {
        return new Builder(balances);
    }

    // ---------------------------------------------------------------- Ledger

    @Override
    public Reservation reserve(Charge charge) {
        Objects.requireNonNull(charge, "charge");
        sweepIfDue();
        Optional<Account> found = AccountLimits.isValidId(charge.account()) ? balances.account(charge.account())
                : Optional.empty();
        Money price = charge.price();
        if (found.isEmpty()) {
            return new Reservation.Denied(DenialReason.UNKNOWN_ACCOUNT, price, null, charge.entitlement(),
                    PaymentOption.accountOptions(price));
        }
        Account account = found.get();
        if (charge.entitlement() != null && !account.entitlements().contains(charge.entitlement())) {
            return new Reservation.Denied(DenialReason.MISSING_ENTITLEMENT, price, account.balance(),
                    charge.entitlement(), List.of());
        }
        if (!price.isZero() && !price.currency().equals(account.balance().currency())) {
            return new Reservation.Denied(DenialReason.CURRENCY_MISMATCH, price, account.balance(), null, List.of());
        }
        String id = holdPrefix + Long.toString(holdSequence.incrementAndGet(), 36);
        Money amount = price.isZero() ? Money.zero(account.balance().currency()) : price;
        Hold held = new Hold(id, account.id(), amount, now().plus(holdTimeout));
        if (!charge.idempotency().clientSupplied()) {
            OpenHold hold = new OpenHold(held, null);
            openHolds.put(id, hold);
            return debit(account, price, hold);
        }
        OpenHold hold = new OpenHold(held, new RecordKey(account.id(), charge.idempotency().key()));
        Reservation refused = claim(charge.idempotency().fingerprint(), hold);
        return refused != null ? refused : debit(account, price, hold);
    }

    @Override
    public Settlement commit(Hold hold, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        OpenHold open = openHolds.get(hold.id());
        if (open == null) {
            return settledState(hold.id());
        }
        if (!now().isBefore(open.hold.expiresAt())) {
            giveBack(open, Phase.EXPIRING);
            return state(open);
        }
        if (!open.phase.compareAndSet(Phase.OPEN, Phase.COMMITTED)) {
            return state(open);
        }
        if (open.recordKey != null) {
            // The replayable record replaces the in-progress one *before* the hold leaves the open
            // set: a concurrent retry sees either "in progress" or "replay", never a gap.
            Completed[] stored = new Completed[1];
            AtomicLong share = share(open.recordKey);
            records.computeIfPresent(open.recordKey, (k, r) -> {
                if (!(r instanceof InProgress p) || !p.holdId.equals(open.hold.id())) {
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
                stored[0] = new Completed(p.fingerprint, kept, now().plus(replayRetention), cost);
                return stored[0];
            });
            if (stored[0] != null) {
                completedOrder.add(new Filed(open.recordKey, stored[0]));
            }
        }
        finish(open, Settlement.COMMITTED);
        trimRecords();
        return Settlement.COMMITTED;
    }

    @Override
    public Settlement release(Hold hold) {
        Objects.requireNonNull(hold, "hold");
        OpenHold open = openHolds.get(hold.id());
        if (open == null) {
            return settledState(hold.id());
        }
        giveBack(open, Phase.RELEASING);
        return state(open);
    }

    @Override
    public Optional<Account> account(String accountId) {
        return AccountLimits.isValidId(accountId) ? balances.account(accountId) : Optional.empty();
    }

    /**
     * Expires every overdue hold now, crediting its amount back, instead of on later calls.
     *
     * @return how many holds expired
     */
    public int expireOverdueHolds() {
        int n = sweep(Integer.MAX_VALUE);
        trimRecords();
        return n;
    }

    /** {@return the number of holds neither committed, released nor expired yet} */
    public int openHoldCount() {
        return openHolds.size();
    }

    // ---------------------------------------------------------------- internals

    /**
     * Claims a client key for a hold, or says why not. The hold enters the open set (still debiting)
     * inside the same atomic step, so a concurrent retry sees the key in progress.
     *
     * @return null when claimed, else the answer
     */
    private Reservation claim(String fingerprint, OpenHold hold) {
        RecordKey key = hold.recordKey;
        KeyRecord seen = records.get(key);
        if (seen instanceof InProgress p) {
            OpenHold h = openHolds.get(p.holdId);
            if (h != null && !now().isBefore(h.hold.expiresAt())) {
                // Outside compute(): giving money back calls the application's balances.
                giveBack(h, Phase.EXPIRING);
            }
        }
        trimRecords();
        AtomicLong share = share(key);
        Reservation[] refused = new Reservation[1];
        records.compute(key, (k, existing) -> {
            if (existing instanceof InProgress p && openHolds.containsKey(p.holdId)) {
                boolean same = p.fingerprint.equals(fingerprint);
                refused[0] = new Reservation.Conflict(same ? Reservation.ConflictKind.IN_PROGRESS
                        : Reservation.ConflictKind.KEY_REUSED, same ? Duration.ofSeconds(1) : null);
                return existing;
            }
            if (existing instanceof Completed c && now().isBefore(c.expiresAt)) {
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
                refused[0] = new Reservation.Denied(full, hold.hold.amount(), null, null, List.of(),
                        full == DenialReason.IDEMPOTENCY_STORE_FULL ? untilOldestRecordExpires() : replayRetention);
                return null;
            }
            openHolds.put(hold.hold.id(), hold);
            return new InProgress(fingerprint, hold.hold.id(), cost);
        });
        return refused[0];
    }

    /** Takes the price from the balances for a hold already in the open set (phase DEBITING). */
    private Reservation debit(Account account, Money price, OpenHold hold) {
        if (!price.isZero()) {
            boolean taken;
            try {
                taken = balances.debit(account.id(), price, hold.hold.id());
            } catch (RuntimeException e) {
                abandon(hold);
                throw unavailable("debit", e);
            }
            if (!taken) {
                abandon(hold);
                return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, price, account.balance(), null,
                        PaymentOption.accountOptions(price));
            }
        }
        hold.phase.set(Phase.OPEN);
        Money before = account.balance();
        // The balance as last read, less this hold: concurrent calls may have moved it since.
        Money after = price.isZero() ? before : before.amount().compareTo(price.amount()) <= 0
                ? Money.zero(before.currency()) : before.minus(price);
        return new Reservation.Authorized(hold.hold, after);
    }

    /** Removes a hold whose debit did not happen, and its key, as if it never was. */
    private void abandon(OpenHold hold) {
        openHolds.remove(hold.hold.id(), hold);
        forgetRecord(hold);
    }

    /**
     * Credits a hold's amount back and settles it as released or expired, once: only the caller
     * that moves the hold out of OPEN calls the balances. When the credit fails the hold is open
     * again (a later release or the sweep retries) and this throws.
     */
    private void giveBack(OpenHold h, Phase returning) {
        if (!h.phase.compareAndSet(Phase.OPEN, returning)) {
            return;
        }
        if (!h.hold.amount().isZero()) {
            try {
                balances.credit(h.hold.account(), h.hold.amount(), h.hold.id());
            } catch (RuntimeException e) {
                h.phase.set(Phase.OPEN);
                throw unavailable("credit", e);
            }
        }
        Settlement done = returning == Phase.RELEASING ? Settlement.RELEASED : Settlement.EXPIRED;
        finish(h, done);
        forgetRecord(h);
        if (done == Settlement.EXPIRED) {
            LOG.log(System.Logger.Level.WARNING, "Hold {0} of {1} expired unsettled; its amount was credited back",
                    h.hold.id(), h.hold.amount());
        }
    }

    private int sweep(int max) {
        Instant now = now();
        int n = 0;
        for (OpenHold h : openHolds.values()) {
            if (n >= max) {
                break;
            }
            if (h.phase.get() == Phase.OPEN && !now.isBefore(h.hold.expiresAt())) {
                try {
                    giveBack(h, Phase.EXPIRING);
                    if (h.phase.get() == Phase.EXPIRED) {
                        n++;
                    }
                } catch (RuntimeException e) {
                    // One failed credit must not keep the other holds' money from coming back.
                    LOG.log(System.Logger.Level.WARNING, "Hold " + h.hold.id() + " could not be expired now; it is"
                            + " retried on a later sweep", e);
                }
            }
        }
        return n;
    }

    private void sweepIfDue() {
        long nowMillis = clock.millis();
        long due = nextSweepMillis.get();
        if (nowMillis >= due && nextSweepMillis.compareAndSet(due, nowMillis + 1_000)) {
            sweep(SWEEP_BATCH);
        }
    }

    private void finish(OpenHold h, Settlement state) {
        h.phase.set(switch (state) {
            case COMMITTED -> Phase.COMMITTED;
            case RELEASED -> Phase.RELEASED;
            default -> Phase.EXPIRED;
        });
        settled.put(h.hold.id(), state);
        openHolds.remove(h.hold.id(), h);
    }

    /** The state a caller is told about a hold it holds a reference to. */
    private Settlement state(OpenHold h) {
        return switch (h.phase.get()) {
            case COMMITTED -> Settlement.COMMITTED;
            // A credit under way: reported as done (if it fails, the hold expires later, unpaid).
            case RELEASING, RELEASED -> Settlement.RELEASED;
            case EXPIRING, EXPIRED -> Settlement.EXPIRED;
            // Open after a failed credit: nothing is settled; the caller retries.
            case OPEN, DEBITING -> throw new LedgerUnavailableException("hold " + h.hold.id() + " is not settled yet");
        };
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

    private Duration untilOldestRecordExpires() {
        Filed head = completedOrder.peek();
        if (head == null) {
            return holdTimeout; // only records in progress: they end with their holds
        }
        Duration d = Duration.between(now(), head.record.expiresAt);
        return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
    }

    /** Drops completed records past their retention, oldest first; only those. */
    private void trimRecords() {
        Instant now = now();
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

    private Instant now() {
        return clock.instant();
    }

    private static LedgerUnavailableException unavailable(String verb, RuntimeException e) {
        return e instanceof LedgerUnavailableException u ? u
                : new LedgerUnavailableException("balances failed on " + verb, e);
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

    /** Builds a {@link BalanceLedger}. Not thread-safe; the ledger it builds is. */
    public static final class Builder {
        private final Balances balances;
        private Clock clock = Clock.systemUTC();
        private Duration holdTimeout = Duration.ofMinutes(10);
        private Duration replayRetention = Duration.ofHours(24);
        private long replayMemory = 64L * 1024 * 1024;
        private long replayMemoryPerAccount; // 0: a sixteenth of replayMemory
        private int maxReplayRecords = 1_000_000;
        private int settledHolds = 100_000;

        private Builder(Balances balances) {
            this.balances = Objects.requireNonNull(balances, "balances");
        }

        /**
         * Sets the clock used for hold expiry and record retention (tests drive time with it).
         *
         * @param clock the clock; UTC system time by default
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets how long a hold may stay open before it expires and is credited back. Must exceed the
         * longest request an endpoint can take.
         *
         * @param timeout a positive duration; 10 minutes by default
         * @return this builder
         */
        public Builder holdTimeout(Duration timeout) {
            this.holdTimeout = positive(timeout, "holdTimeout");
            return this;
        }

        /**
         * Sets how long the response of a committed idempotent request is kept for replay.
         *
         * @param retention a positive duration; 24 hours by default
         * @return this builder
         */
        public Builder replayRetention(Duration retention) {
            this.replayRetention = positive(retention, "replayRetention");
            return this;
        }

        /**
         * Sets the heap all idempotency records may take together; as
         * {@link InMemoryLedger.Builder#replayMemory(long)}.
         *
         * @param bytes at least 1 MiB; 64 MiB by default
         * @return this builder
         */
        public Builder replayMemory(long bytes) {
            if (bytes < 1024 * 1024) {
                throw new IllegalArgumentException("replayMemory must be at least 1 MiB: " + bytes);
            }
            this.replayMemory = bytes;
            return this;
        }

        /**
         * Sets the share of {@link #replayMemory(long)} one account's records may take; as
         * {@link InMemoryLedger.Builder#replayMemoryPerAccount(long)}.
         *
         * @param bytes at least 16 KiB; a sixteenth of {@code replayMemory} by default
         * @return this builder
         */
        public Builder replayMemoryPerAccount(long bytes) {
            if (bytes < 16 * 1024) {
                throw new IllegalArgumentException("replayMemoryPerAccount must be at least 16 KiB: " + bytes);
            }
            this.replayMemoryPerAccount = bytes;
            return this;
        }

        /**
         * Sets how many idempotency records are kept at most; beyond it a request with a new key is
         * refused ({@code 503}).
         *
         * @param records at least 1,000; 1,000,000 by default
         * @return this builder
         */
        public Builder maxReplayRecords(int records) {
            if (records < 1000) {
                throw new IllegalArgumentException("maxReplayRecords must be at least 1000: " + records);
            }
            this.maxReplayRecords = records;
            return this;
        }

        /** {@return the ledger} */
        public BalanceLedger build() {
            return new BalanceLedger(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }
    }

    @Override
    public String toString() {
        return "BalanceLedger[" + balances.getClass().getSimpleName() + ", openHolds=" + openHolds.size() + "]";
    }
}
