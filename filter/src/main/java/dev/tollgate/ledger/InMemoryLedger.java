package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * A {@link Ledger} held in memory: exact ({@link BigDecimal} balances), thread-safe, and lost
 * when the JVM stops. The default ledger when nothing else is configured; suited to development,
 * tests and single-node deployments.
 *
 * <p><b>Accounts</b> have an id (the payer's API key, token or principal name), one unit, an
 * available balance and a set of entitlements. Create them with the {@link Builder}, from a
 * properties resource ({@link #load(InputStream)}), or later with {@link #openAccount}.
 *
 * <p><b>Holds.</b> {@link #reserve} moves the price from the available balance into a hold;
 * {@link #commit} makes it final and {@link #release} gives it back. A hold that is neither after
 * {@link Builder#holdTimeout(Duration) the hold timeout} (default 10 minutes) expires and its money
 * returns, exactly once: overdue holds are swept on later calls and checked lazily when settled.
 *
 * <p><b>Idempotency records</b> for client keys are kept per (account, key): in progress while the
 * hold is open, then, after a commit, for {@link Builder#replayRetention(Duration) the replay
 * retention} (default 24 hours, counted from the commit). A record is never dropped before its
 * retention ends: that record is what keeps a retry from running and being charged a second time.
 * Records are bounded instead at admission. Each costs its measured heap ({@value #RECORD_OVERHEAD}
 * bytes plus its key, fingerprint, recorded headers and body) against two budgets: the account's
 * share ({@link Builder#replayMemoryPerAccount(long)}, default 4 MiB) and the whole ledger's
 * ({@link Builder#replayMemory(long)}, default 64 MiB), and at most
 * {@link Builder#maxReplayRecords(int)} records (default 1,000,000) are kept. A new key that does
 * not fit is refused before anything is held: {@link DenialReason#IDEMPOTENCY_RECORDS_EXHAUSTED}
 * when the account's share is used up (so one payer's traffic cannot crowd out the others'),
 * {@link DenialReason#IDEMPOTENCY_STORE_FULL} when the whole budget is. A response body that does
 * not fit any more at commit is not kept (the record is): a retry then gets {@code 409}
 * {@code already-processed}, never a second charge.
 *
 * <p><b>Statements.</b> Every change of a balance is a {@link LedgerEntry}; the latest
 * {@link Builder#history(int) history} entries per account (default 1,000) are kept for
 * {@link #statement}.
 *
 * <p>Thread-safe: each account is guarded by its own lock, so payers never contend with each
 * other; methods never block on I/O.
 */
public final class InMemoryLedger implements Ledger, AccountAdministration {

    private static final System.Logger LOG = System.getLogger(InMemoryLedger.class.getName());

    private final Clock clock;
    private final Duration holdTimeout;
    private final Duration replayRetention;
    private final ConcurrentHashMap<String, AccountState> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, OpenHold> openHolds = new ConcurrentHashMap<>();
    /**
     * The final state of the latest {@value #SETTLED_SLOTS} settled holds, so a repeated commit or
     * release reports it: slot {@code seq % SETTLED_SLOTS} holds {@code seq << 3 | state}. Fixed
     * memory (8 MiB) and no allocation per request.
     */
    private static final int SETTLED_SLOTS = 1 << 20;
    private final java.util.concurrent.atomic.AtomicLongArray settled =
            new java.util.concurrent.atomic.AtomicLongArray(SETTLED_SLOTS);
    private final ConcurrentHashMap<RecordKey, KeyRecord> records = new ConcurrentHashMap<>();
    /** Completed records in commit order, so records past their retention are dropped oldest first. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Filed> completedOrder =
            new java.util.concurrent.ConcurrentLinkedQueue<>();
    /** Bytes and slots charged by the records in {@link #records} (each account's share is in its state). */
    private final ReplayBudget budget;
    private final AtomicLong holdSequence = new AtomicLong();
    private final String holdPrefix = Long.toString(System.nanoTime() & 0xffffff, 36) + "-";
    private final AtomicLong nextSweepMillis = new AtomicLong();
    private final AtomicLong entrySequence = new AtomicLong();
    private final int history;

    private InMemoryLedger(Builder b) {
        this.clock = b.clock;
        this.holdTimeout = b.holdTimeout;
        this.replayRetention = b.replayRetention;
        this.history = b.history;

        this.budget = new ReplayBudget(b.replayMemory, b.replayMemoryPerAccount, b.maxReplayRecords);
        b.accounts.forEach((id, a) -> accounts.put(id, new AccountState(id, a.balance, a.entitlements)));
        accounts.values().forEach(a -> a.log(LedgerEntry.Kind.OPEN, a.balance().amount(), BigDecimal.ZERO, null, null));
    }

    /** {@return a builder for an empty ledger with default settings} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reads accounts from a properties resource (see {@link AccountsFile}) into a new ledger with
     * default settings.
     *
     * @param in the resource; not closed
     * @return the ledger
     * @throws IOException if the resource cannot be read
     * @throws IllegalArgumentException if an entry is malformed; the message names the key
     */
    public static InMemoryLedger load(InputStream in) throws IOException {
        return builder().load(in).build();
    }

    // ---------------------------------------------------------------- Ledger

    @Override
    public Reservation reserve(Charge charge) {
        Objects.requireNonNull(charge, "charge");
        sweepIfDue();
        AccountState account = AccountLimits.isValidId(charge.account()) ? accounts.get(charge.account()) : null;
        if (account == null) {
            return new Reservation.Denied(DenialReason.UNKNOWN_ACCOUNT, charge.price(), null, charge.entitlement(),
                    options(charge));
        }
        if (!charge.idempotency().clientSupplied()) {
            return account.hold(charge, null);
        }
        // Drop records past their retention first (never inside compute(): it would nest map updates).
        trimRecords();
        RecordKey key = new RecordKey(account.id, charge.idempotency().key());
        String fingerprint = charge.idempotency().fingerprint();
        Reservation[] outcome = new Reservation[1];
        // compute() makes "look up the key, then hold the money and mark the key" one atomic step
        // per (account, key): two concurrent retries can never both reach account.hold().
        records.compute(key, (k, existing) -> {
            if (existing instanceof InProgress p && isOpen(p.holdId)) {
                outcome[0] = new Reservation.Conflict(
                        p.fingerprint.equals(fingerprint) ? Reservation.ConflictKind.IN_PROGRESS
                                : Reservation.ConflictKind.KEY_REUSED,
                        p.fingerprint.equals(fingerprint) ? Duration.ofSeconds(1) : null);
                return existing;
            }
            if (existing instanceof Completed c && now().isBefore(c.expiresAt)) {
                outcome[0] = c.fingerprint.equals(fingerprint)
                        ? new Reservation.Replay(c.response)
                        : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                return existing;
            }
            if (existing != null) {
                forget(account, existing); // stale (expired or abandoned): replaced or removed below
            }
            long cost = ReplayBudget.recordCost(k.key(), fingerprint);
            DenialReason full = acquire(account, cost, true);
            if (full != null) {
                outcome[0] = new Reservation.Denied(full, charge.price(), null, null, List.of(),
                        full == DenialReason.IDEMPOTENCY_STORE_FULL ? untilOldestRecordExpires() : replayRetention);
                return null;
            }
            Reservation r = account.hold(charge, key);
            outcome[0] = r;
            if (r instanceof Reservation.Authorized a) {
                return new InProgress(fingerprint, a.hold().id(), now(), cost);
            }
            forget(account, cost);
            return null;
        });
        if (outcome[0] instanceof Reservation.Denied d && (d.reason() == DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED
                || d.reason() == DenialReason.IDEMPOTENCY_STORE_FULL)) {
            LOG.log(System.Logger.Level.DEBUG, "Idempotency-Key refused: {0}", d.reason());
        }
        return outcome[0];
    }

    @Override
    public Settlement commit(Hold hold, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        return commit(hold, null, response);
    }

    /**
     * Charges {@code actual} and returns the rest of the hold in the same step (a {@code COMMIT} of
     * {@code actual} and a {@code RELEASE} of the rest in the statement).
     */
    @Override
    public Settlement commit(Hold hold, Money actual, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        if (actual != null) {
            hold.remainderAfter(actual); // refuses more than the hold, or another unit, before anything changes
        }
        OpenHold open = openHolds.get(hold.id());
        if (open == null) {
            return settledState(hold.id());
        }
        Money charged = actual == null ? open.hold.amount() : actual;
        Money rest = open.hold.remainderAfter(charged);
        if (!now().isBefore(open.hold.expiresAt())) {
            expire(open);
            return settledState(hold.id());
        }
        if (!open.state.compareAndSet(null, Settlement.COMMITTED)) {
            return settledState(hold.id());
        }
        if (open.recordKey != null) {
            // Turn the in-progress record into the replayable one *before* the hold leaves the
            // open set: a concurrent retry sees either "in progress" or "replay", never a gap.
            Completed[] stored = new Completed[1];
            records.computeIfPresent(open.recordKey, (k, r) -> {
                if (r instanceof InProgress p && p.holdId.equals(hold.id())) {
                    if (response == null) {
                        forget(open.account, p);
                        return null;
                    }
                    RecordedResponse kept = response;
                    long cost = p.cost;
                    long extra = ReplayBudget.responseCost(response);
                    if (acquire(open.account, extra, false) == null) {
                        cost += extra;
                    } else {
                        // Over a budget now: keep the record (a retry is never charged twice) but not
                        // the body, rather than drop anyone's record before its retention ends.
                        kept = new RecordedResponse(response.status(), List.of(), new byte[0], false);
                    }
                    stored[0] = new Completed(p.fingerprint, kept, now().plus(replayRetention), cost);
                    return stored[0];
                }
                return r;
            });
            if (stored[0] != null) {
                completed(open.recordKey, stored[0]);
            }
        }
        finish(open, Settlement.COMMITTED);
        open.account.committed(charged, rest, open.hold.id(), open.resource);
        return Settlement.COMMITTED;
    }

    /** {@return true: this ledger charges part of a hold and returns the rest} */
    @Override
    public boolean commitsActualAmounts() {
        return true;
    }

    @Override
    public Settlement release(Hold hold) {
        Objects.requireNonNull(hold, "hold");
        OpenHold open = openHolds.get(hold.id());
        if (open == null) {
            return settledState(hold.id());
        }
        if (!open.state.compareAndSet(null, Settlement.RELEASED)) {
            return settledState(hold.id());
        }
        open.account.refund(open.hold.amount(), LedgerEntry.Kind.RELEASE, open.hold.id(), open.resource);
        finish(open, Settlement.RELEASED);
        forgetRecord(open);
        return Settlement.RELEASED;
    }

    @Override
    public Optional<Account> account(String accountId) {
        AccountState a = AccountLimits.isValidId(accountId) ? accounts.get(accountId) : null;
        return a == null ? Optional.empty() : Optional.of(a.snapshot());
    }

    // ---------------------------------------------------------------- administration

    @Override
    public boolean openAccount(String id, Money balance, Set<String> entitlements) {
        requireId(id);
        Objects.requireNonNull(balance, "balance");
        AccountLimits.requireWithinMaximum(balance.amount(), balance);
        entitlements.forEach(AccountLimits::requireValidEntitlement);
        AccountState fresh = new AccountState(id, balance, entitlements);
        if (accounts.putIfAbsent(id, fresh) != null) {
            return false;
        }
        fresh.log(LedgerEntry.Kind.OPEN, balance.amount(), BigDecimal.ZERO, null, null);
        return true;
    }

    @Override
    public Money credit(String id, Money amount, String reference) {
        Objects.requireNonNull(amount, "amount");
        AccountLimits.requireValidReference(reference);
        return require(id).adjust(amount, true, reference);
    }

    @Override
    public Money debit(String id, Money amount, String reference) {
        Objects.requireNonNull(amount, "amount");
        AccountLimits.requireValidReference(reference);
        return require(id).adjust(amount, false, reference);
    }

    @Override
    public void grant(String id, String entitlement) {
        AccountLimits.requireValidEntitlement(entitlement);
        require(id).grant(entitlement);
    }

    @Override
    public void revoke(String id, String entitlement) {
        require(id).revoke(entitlement);
    }

    @Override
    public List<LedgerEntry> statement(String id, Instant from, Instant to, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1 to 10000: " + limit);
        }
        return require(id).entries(from, to, limit);
    }

    /** {@return the number of holds neither committed, released nor expired yet} */
    public int openHoldCount() {
        return openHolds.size();
    }

    /**
     * Expires every overdue hold now instead of on a later call.
     *
     * @return how many holds expired
     */
    public int expireOverdueHolds() {
        Instant now = now();
        int n = 0;
        for (OpenHold h : openHolds.values()) {
            try {
                if (!now.isBefore(h.hold.expiresAt()) && expire(h)) {
                    n++;
                }
            } catch (RuntimeException e) {
                // One bad hold must not keep the others' money from coming back.
                LOG.log(System.Logger.Level.WARNING, "Hold " + h.hold.id() + " could not be expired; the others"
                        + " are swept regardless", e);
            }
        }
        trimRecords();
        return n;
    }

    // ---------------------------------------------------------------- internals

    private AccountState require(String id) {
        AccountLimits.requireValidId(id);
        AccountState a = accounts.get(id);
        if (a == null) {
            throw new IllegalArgumentException("no such account: " + id);
        }
        return a;
    }

    private static void requireId(String id) {
        AccountLimits.requireValidId(id);
    }

    private Instant now() {
        return clock.instant();
    }

    private boolean isOpen(String holdId) {
        OpenHold h = openHolds.get(holdId);
        if (h == null) {
            return false;
        }
        if (h.state.get() == null && !now().isBefore(h.hold.expiresAt())
                && h.state.compareAndSet(null, Settlement.EXPIRED)) {
            // Lazy expiry; we are inside records.compute() for this key, so do not touch the
            // record map here: the caller overwrites the stale record.
            h.account.refund(h.hold.amount(), LedgerEntry.Kind.EXPIRY, h.hold.id(), h.resource);
            finish(h, Settlement.EXPIRED);
            return false;
        }
        Settlement s = h.state.get();
        // COMMITTED while still in the open set means commit() is about to store the replay.
        return s == null || s == Settlement.COMMITTED;
    }

    private boolean expire(OpenHold h) {
        if (!h.state.compareAndSet(null, Settlement.EXPIRED)) {
            return false;
        }
        h.account.refund(h.hold.amount(), LedgerEntry.Kind.EXPIRY, h.hold.id(), h.resource);
        finish(h, Settlement.EXPIRED);
        forgetRecord(h);
        LOG.log(System.Logger.Level.WARNING, "Hold {0} of {1} expired unsettled; its amount went back to the account",
                h.hold.id(), h.hold.amount());
        return true;
    }

    private void forgetRecord(OpenHold h) {
        if (h.recordKey != null) {
            records.computeIfPresent(h.recordKey, (k, r) -> {
                if (r instanceof InProgress p && p.holdId.equals(h.hold.id())) {
                    forget(h.account, r);
                    return null;
                }
                return r;
            });
        }
    }

    private void finish(OpenHold h, Settlement state) {
        long seq = h.sequence;
        settled.set((int) (seq & (SETTLED_SLOTS - 1)), seq << 3 | state.ordinal());
        openHolds.remove(h.hold.id(), h);
    }

    private Settlement settledState(String holdId) {
        OpenHold open = openHolds.get(holdId);
        if (open != null && open.state.get() != null) {
            return open.state.get();
        }
        Settlement s = null;
        if (holdId.startsWith(holdPrefix)) {
            try {
                long seq = Long.parseLong(holdId.substring(holdPrefix.length()), 36);
                long slot = settled.get((int) (seq & (SETTLED_SLOTS - 1)));
                if (slot >>> 3 == seq && seq != 0) {
                    s = Settlement.values()[(int) (slot & 7)];
                }
            } catch (NumberFormatException e) {
                // not one of ours
            }
        }
        return s == null ? Settlement.UNKNOWN : s;
    }

    private void sweepIfDue() {
        long nowMillis = clock.millis();
        long due = nextSweepMillis.get();
        if (nowMillis >= due && nextSweepMillis.compareAndSet(due, nowMillis + 1_000)) {
            expireOverdueHolds();
        }
    }

    private static List<PaymentOption> options(Charge charge) {
        return PaymentOption.accountOptions(charge.price());
    }

    private final class AccountState {
        private final String id;
        private final String currency;
        private BigDecimal available; // guarded by this
        /** Money under this account's open holds; available + held never exceeds the maximum. */
        private BigDecimal held = BigDecimal.ZERO; // guarded by this
        /** Bytes this account's idempotency records charge against its share. */
        final AtomicLong recordBytes = new AtomicLong();
        private volatile Set<String> entitlements;
        private final java.util.ArrayDeque<LedgerEntry> entries = new java.util.ArrayDeque<>(); // guarded by this

        AccountState(String id, Money balance, Set<String> entitlements) {
            this.id = id;
            this.currency = balance.currency();
            this.available = balance.amount();
            this.entitlements = Set.copyOf(entitlements);
        }

        Reservation hold(Charge charge, RecordKey recordKey) {
            Money price = charge.price();
            if (charge.entitlement() != null && !entitlements.contains(charge.entitlement())) {
                return new Reservation.Denied(DenialReason.MISSING_ENTITLEMENT, price, balance(), charge.entitlement(),
                        List.of());
            }
            if (!price.isZero() && !price.currency().equals(currency)) {
                return new Reservation.Denied(DenialReason.CURRENCY_MISMATCH, price, balance(), null, List.of());
            }
            long sequence = holdSequence.incrementAndGet();
            String holdId = holdPrefix + Long.toString(sequence, 36);
            Money after;
            synchronized (this) {
                if (available.compareTo(price.amount()) < 0) {
                    return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, price,
                            new Money(available, currency), null, options(charge));
                }
                after = new Money(available.subtract(price.amount()), currency);
                available = after.amount();
                held = held.add(price.amount());
                log(LedgerEntry.Kind.HOLD, price.amount().negate(), price.amount(), holdId, charge.resource());
            }
            Hold hold = new Hold(holdId, id, price.isZero() ? Money.zero(currency) : price, now().plus(holdTimeout));
            openHolds.put(holdId, new OpenHold(hold, sequence, this, recordKey, charge.resource()));
            return new Reservation.Authorized(hold, after);
        }

        synchronized void refund(Money amount, LedgerEntry.Kind kind, String holdId, String resource) {
            // Within the maximum: the hold took this money out of the same total.
            BigDecimal after = new Money(available.add(amount.amount()), currency).amount();
            available = after;
            held = held.subtract(amount.amount());
            log(kind, amount.amount(), amount.amount().negate(), holdId, resource);
        }

        synchronized void committed(Money amount, Money rest, String holdId, String resource) {
            held = held.subtract(amount.amount());
            log(LedgerEntry.Kind.COMMIT, BigDecimal.ZERO, amount.amount().negate(), holdId, resource);
            if (!rest.isZero()) {
                // A metered call cost less than its hold: the rest goes back in the same step.
                refund(rest, LedgerEntry.Kind.RELEASE, holdId, resource);
            }
        }

        synchronized Money adjust(Money amount, boolean credit, String reference) {
            if (!amount.currency().equals(currency)) {
                throw new IllegalArgumentException("account " + id + " is kept in " + currency + ", not "
                        + amount.currency());
            }
            if (!credit && available.compareTo(amount.amount()) < 0) {
                throw new IllegalStateException("account " + id + " holds " + new Money(available, currency)
                        + ", less than " + amount);
            }
            BigDecimal delta = credit ? amount.amount() : amount.amount().negate();
            BigDecimal after = available.add(delta);
            if (credit) {
                // Checked before anything changes; with held money counted, so that no later
                // release or expiry can take the account past what the storage can hold.
                AccountLimits.requireWithinMaximum(after.add(held), amount);
            }
            Money result = new Money(after, currency);
            available = after;
            log(credit ? LedgerEntry.Kind.CREDIT : LedgerEntry.Kind.DEBIT, delta, BigDecimal.ZERO, null, reference);
            return result;
        }

        /** Appends to the bounded history; callers hold this account's lock or own it exclusively. */
        synchronized void log(LedgerEntry.Kind kind, BigDecimal availableDelta, BigDecimal heldDelta, String holdId,
                              String reference) {
            if (history == 0) {
                return;
            }
            if (entries.size() == history) {
                entries.removeFirst();
            }
            entries.addLast(new LedgerEntry(entrySequence.incrementAndGet(), id, kind, availableDelta, heldDelta,
                    currency, holdId, reference, now()));
        }

        synchronized List<LedgerEntry> entries(Instant from, Instant to, int limit) {
            List<LedgerEntry> out = new java.util.ArrayList<>();
            for (LedgerEntry e : entries) {
                if (!e.at().isBefore(from) && e.at().isBefore(to)) {
                    out.add(e);
                    if (out.size() == limit) {
                        break;
                    }
                }
            }
            return out;
        }

        synchronized Money balance() {
            return new Money(available, currency);
        }

        void grant(String entitlement) {
            synchronized (this) {
                Set<String> s = new LinkedHashSet<>(entitlements);
                s.add(entitlement);
                entitlements = Set.copyOf(s);
            }
        }

        void revoke(String entitlement) {
            synchronized (this) {
                Set<String> s = new LinkedHashSet<>(entitlements);
                s.remove(entitlement);
                entitlements = Set.copyOf(s);
            }
        }

        Account snapshot() {
            return new Account(id, balance(), entitlements);
        }
    }

    private record OpenHold(Hold hold, long sequence, AccountState account, RecordKey recordKey, String resource,
                            AtomicReference<Settlement> state) {
        OpenHold(Hold hold, long sequence, AccountState account, RecordKey recordKey, String resource) {
            this(hold, sequence, account, recordKey, resource, new AtomicReference<>());
        }
    }

    private record RecordKey(String account, String key) {
    }

    private sealed interface KeyRecord permits InProgress, Completed {
        /** {@return the bytes this record charges against its account's share and the budget} */
        long cost();
    }

    private record InProgress(String fingerprint, String holdId, Instant since, long cost) implements KeyRecord {
    }

    /** A committed request's record, kept whole until its retention ends. */
    private record Completed(String fingerprint, RecordedResponse response, Instant expiresAt, long cost)
            implements KeyRecord {
    }

    /** A completed record as filed in commit order; stale once the map holds another object for the key. */
    private record Filed(RecordKey key, Completed record) {
    }

    /**
     * The heap one record takes beyond the characters of its key and fingerprint and beyond its
     * recorded headers and body: the map entry and table slot, the key and record objects, the
     * string and array headers, the response copy, the expiry instant and the commit-order queue
     * node. {@code ReplayRecordHeapTest} measured 580 bytes in all for a record with a 36-character
     * key, a 64-character fingerprint, two headers and a 21-byte body (64-bit JVM, compressed
     * pointers); this figure, with the per-header and per-character counts, makes the budget an
     * upper bound of the real heap with some margin.
     */
    static final int RECORD_OVERHEAD = 512;

    /** Takes bytes from the account's share and the whole budget, or from neither; why not, or null. */
    private DenialReason acquire(AccountState account, long bytes, boolean newRecord) {
        return budget.acquire(account.recordBytes, bytes, newRecord);
    }

    /** Gives back what a record that leaves the map charged; call exactly once per removal. */
    private void forget(AccountState account, KeyRecord record) {
        forget(account, record.cost());
    }

    private void forget(AccountState account, long cost) {
        budget.forget(account.recordBytes, cost);
    }

    private Duration untilOldestRecordExpires() {
        Filed head = completedOrder.peek();
        if (head == null) {
            return holdTimeout; // only records in progress: they end with their holds
        }
        Duration d = Duration.between(now(), head.record.expiresAt);
        return d.isNegative() || d.isZero() ? Duration.ofSeconds(1) : d;
    }

    /** Files a new completed record and drops the records past their retention. */
    private void completed(RecordKey key, Completed record) {
        completedOrder.add(new Filed(key, record));
        trimRecords();
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
                records.computeIfPresent(head.key, (k, v) -> {
                    if (v == gone.record) {
                        forget(accounts.get(k.account()), v);
                        return null;
                    }
                    return v;
                });
            }
        }
    }

    /**
     * Builds an {@link InMemoryLedger}. Not thread-safe; the ledger it builds is.
     */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration holdTimeout = Duration.ofMinutes(10);
        private Duration replayRetention = Duration.ofHours(24);
        private long replayMemory = 64L * 1024 * 1024;
        private long replayMemoryPerAccount; // 0: a sixteenth of replayMemory
        private int history = 1000;
        private int maxReplayRecords = 1_000_000;
        private final Map<String, Seed> accounts = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds an account.
         *
         * @param id the account id (the payer's API key, token or principal name)
         * @param balance the opening balance, which also fixes the account's unit
         * @param entitlements the entitlements it holds
         * @return this builder
         * @throws IllegalArgumentException if the id breaks {@link AccountLimits}, the balance
         *     exceeds {@link AccountLimits#MAX_BALANCE} or the id is already added
         */
        public Builder account(String id, Money balance, String... entitlements) {
            requireId(id);
            Objects.requireNonNull(balance, "balance");
            AccountLimits.requireWithinMaximum(balance.amount(), balance);
            for (String e : entitlements) {
                if (e == null || e.isBlank()) {
                    throw new IllegalArgumentException("blank entitlement for account " + id);
                }
                AccountLimits.requireValidEntitlement(e);
            }
            if (accounts.putIfAbsent(id, new Seed(balance, Set.of(entitlements))) != null) {
                throw new IllegalArgumentException("account added twice: " + id);
            }
            return this;
        }

        /**
         * Adds the accounts of a properties resource; see {@link InMemoryLedger#load(InputStream)}.
         *
         * @param in the resource (UTF-8); not closed
         * @return this builder
         * @throws IOException if it cannot be read
         * @throws IllegalArgumentException if an entry is malformed; the message names the key
         */
        public Builder load(InputStream in) throws IOException {
            for (Account a : AccountsFile.read(in)) {
                account(a.id(), a.balance(), a.entitlements().toArray(String[]::new));
            }
            return this;
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
         * Sets how long a hold may stay open before it expires and its money returns. Must exceed
         * the longest request an endpoint can take.
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
         * Sets the heap all idempotency records may take together, counted as measured: about
         * {@value InMemoryLedger#RECORD_OVERHEAD} bytes per record plus its key, fingerprint,
         * recorded headers and body. When it is used up, a request with a new key is refused
         * ({@link DenialReason#IDEMPOTENCY_STORE_FULL}, 503) until records reach the end of their
         * retention; no record is dropped early.
         *
         * @param bytes at least 1 MiB; 64 MiB by default (about 79,000 records with small responses)
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
         * Sets the share of {@link #replayMemory(long)} one account's records may take. When it is
         * used up, that account's requests with a new key are refused
         * ({@link DenialReason#IDEMPOTENCY_RECORDS_EXHAUSTED}, 429); other accounts are not
         * affected, and no record is dropped early.
         *
         * @param bytes at least 16 KiB; a sixteenth of {@code replayMemory} by default (4 MiB);
         *     never more than {@code replayMemory} (4 MiB: about 4,900 records with small responses)
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
         * refused ({@link DenialReason#IDEMPOTENCY_STORE_FULL}, 503). The memory budgets usually
         * bind first.
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

        /**
         * Sets how many of the latest entries per account are kept for statements.
         *
         * @param entries 0 (keep none) to 100,000; 1,000 by default
         * @return this builder
         */
        public Builder history(int entries) {
            if (entries < 0 || entries > 100_000) {
                throw new IllegalArgumentException("history must be 0 to 100000: " + entries);
            }
            this.history = entries;
            return this;
        }

        /** {@return the ledger} */
        public InMemoryLedger build() {
            return new InMemoryLedger(this);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive: " + d);
            }
            return d;
        }

        private record Seed(Money balance, Set<String> entitlements) {
        }
    }

    @Override
    public String toString() {
        return "InMemoryLedger[accounts=" + accounts.size() + ", openHolds=" + openHolds.size() + ", units="
                + accounts.values().stream().map(a -> a.currency).collect(Collectors.toCollection(java.util.TreeSet::new))
                + "]";
    }
}
