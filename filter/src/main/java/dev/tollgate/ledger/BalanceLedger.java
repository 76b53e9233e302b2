package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Balances;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.KeyLookup;
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
import java.security.SecureRandom;
import java.util.concurrent.atomic.AtomicLong;

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
 *       balance is not touched again, except for a metered call charged less than its hold
 *       ({@link #commit(Hold, Money, RecordedResponse)}): the rest is credited back once.</li>
 *   <li>{@link #release}, and expiry of a hold neither committed nor released within
 *       {@link Builder#holdTimeout(Duration) the hold timeout}: {@linkplain Balances#credit credits}
 *       the price back, exactly once. Overdue holds are swept on later calls (at most once a second,
 *       a bounded number per call) and by {@link #expireOverdueHolds()}.</li>
 * </ul>
 * Idempotency behaves exactly as in the built-in ledgers: records per (account, key), in progress
 * while the hold is open, replayed for {@link Builder#replayRetention(Duration) the replay retention}
 * after a commit, forgotten on release or expiry.
 *
 * <p><b>Where holds and records live.</b> By default in this JVM ({@link HoldStore}), bounded exactly
 * like {@link InMemoryLedger}'s, with the same code: small records never dropped before their
 * retention and refused at admission when the account's share ({@link Builder#replayMemoryPerAccount},
 * a thirty-second of the store by default) or the whole budget is used up, and reply bodies in
 * their own budget ({@link Builder#replayBodyMemory}), dropped first from the accounts holding more
 * than their fair share. Money under a hold that is open when the JVM stops is then not
 * credited back (reconcile from the debit references), and a restarted node forgets completed keys.
 * With {@link Builder#store(HoldStore) a shared store} ({@code PostgresHoldStore}) every node sees
 * the same holds and keys, and any node's sweep expires the holds of a node that stopped.
 *
 * <p><b>Keys.</b> With {@link Builder#keyLookup(KeyLookup)} callers' keys are found by their hash
 * and the balances are kept by account id; without it, the credential a caller sends is the account
 * id (and Tollgate warns at start-up).
 *
 * <p>Thread-safe. Calls block only inside the {@link Balances}, the key look-up and the store.
 */
public final class BalanceLedger implements Ledger {

    private static final System.Logger LOG = System.getLogger(BalanceLedger.class.getName());

    /** How many overdue holds one request sweeps at most; {@link #expireOverdueHolds()} sweeps all. */
    private static final int SWEEP_BATCH = 64;

    private final Balances balances;
    private final HoldStore store;
    private final Clock clock;
    private final Duration holdTimeout;
    private final Duration replayRetention;
    private final AtomicLong holdSequence = new AtomicLong();
    /** Random per instance, so that holds of several nodes sharing one store never collide. */
    private final String holdPrefix = Long.toString(new SecureRandom().nextLong() & Long.MAX_VALUE, 36) + "-";
    private final AtomicLong nextSweepMillis = new AtomicLong();
    /** Rests of metered commits whose credit failed, retried by the sweeps (lost on a restart: logged). */
    private final java.util.Queue<Hold> pendingRests = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final KeyLookup keyLookup; // null: the credential is the account id

    private BalanceLedger(Builder b) {
        this.balances = b.balances;
        this.clock = b.clock;
        this.holdTimeout = b.holdTimeout;
        this.replayRetention = b.replayRetention;
        this.keyLookup = b.keyLookup;
        this.store = b.store != null ? b.store : new MemoryHoldStore(new ReplayRecords(b.replayMemory,
                b.replayMemoryPerAccount, b.maxReplayRecords, b.replayBodyMemory), b.settledHolds);
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
        Instant now = now();
        if (charge.idempotency().clientSupplied()) {
            // An abandoned attempt with this key: give its money back before the key is claimed again.
            store.overdueHoldOfKey(account.id(), charge.idempotency().key(), now)
                    .ifPresent(h -> giveBack(h.id(), true));
        }
        String id = holdPrefix + Long.toString(holdSequence.incrementAndGet(), 36);
        Hold hold = new Hold(id, account.id(), price.isZero() ? Money.zero(account.balance().currency()) : price,
                now.plus(holdTimeout));
        Reservation refused = store.open(hold, charge.idempotency(), now, replayRetention);
        if (refused != null) {
            return refused;
        }
        if (!price.isZero()) {
            boolean taken;
            try {
                taken = balances.debit(account.id(), price, id);
            } catch (RuntimeException e) {
                store.abandon(id);
                throw unavailable("debit", e);
            }
            if (!taken) {
                store.abandon(id);
                return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, price, account.balance(), null,
                        PaymentOption.accountOptions(price));
            }
        }
        try {
            store.opened(id);
        } catch (RuntimeException e) {
            undoDebit(hold);
            throw unavailable("reserve", e);
        }
        Money before = account.balance();
        // The balance as last read, less this hold: concurrent calls may have moved it since.
        Money after = price.isZero() ? before : before.amount().compareTo(price.amount()) <= 0
                ? Money.zero(before.currency()) : before.minus(price);
        return new Reservation.Authorized(hold, after);
    }

    @Override
    public Settlement commit(Hold hold, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        Settlement s = store.commit(hold.id(), response, now(), replayRetention);
        if (s != null) {
            return s;
        }
        giveBack(hold.id(), true); // overdue: expired, not charged
        return settled(hold.id());
    }

    /**
     * Commits the hold, then {@linkplain Balances#credit credits} the part of it that was not
     * charged back, with the reference {@code <hold id>:rest}. Only the call that finds the hold
     * open credits (Tollgate settles a hold from one thread); a credit that fails is retried by
     * later sweeps, so the account is never charged more than {@code actual} for long, and the
     * commit still stands (the client gets what it paid for).
     */
    @Override
    public Settlement commit(Hold hold, Money actual, RecordedResponse response) {
        Objects.requireNonNull(hold, "hold");
        Money rest = hold.remainderAfter(actual); // refuses more than the hold before anything changes
        if (rest.isZero()) {
            return commit(hold, response);
        }
        if (store.state(hold.id()) != null) {
            return settled(hold.id()); // settled already: changes nothing
        }
        Settlement s = commit(hold, response);
        if (s == Settlement.COMMITTED) {
            creditRest(new Hold(hold.id() + ":rest", hold.account(), rest, hold.expiresAt()));
        }
        return s;
    }

    /** {@return true: this ledger charges part of a hold and credits the rest back} */
    @Override
    public boolean commitsActualAmounts() {
        return true;
    }

    /** Credits back what a metered call did not cost; on failure queued for the next sweeps. */
    private void creditRest(Hold rest) {
        try {
            balances.credit(rest.account(), rest.amount(), rest.id());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "Credit " + rest.id() + " of " + rest.amount() + " failed; it is"
                    + " retried on the next sweeps", e);
            pendingRests.add(rest);
        }
    }

    @Override
    public Settlement release(Hold hold) {
        Objects.requireNonNull(hold, "hold");
        giveBack(hold.id(), false);
        return settled(hold.id());
    }

    @Override
    public Optional<Account> account(String accountId) {
        return AccountLimits.isValidId(accountId) ? balances.account(accountId) : Optional.empty();
    }

    /** {@return the {@link Builder#keyLookup key look-up} given to the builder, or empty} */
    @Override
    public Optional<KeyLookup> keyLookup() {
        return Optional.ofNullable(keyLookup);
    }

    /**
     * Expires every overdue hold now, crediting its amount back, instead of on later calls.
     *
     * @return how many holds expired
     */
    public int expireOverdueHolds() {
        return sweep(Integer.MAX_VALUE);
    }

    /** {@return the number of holds neither committed, released nor expired yet} */
    public long openHoldCount() {
        return store.openHoldCount();
    }

    // ---------------------------------------------------------------- internals

    /**
     * Credits a hold's amount back and settles it as released or expired, once: only the caller
     * that moves the hold out of {@code open} calls the balances. When the credit fails the hold is
     * open again (a later release or the sweep retries) and this throws.
     *
     * @return whether this call gave the money back
     */
    private boolean giveBack(String holdId, boolean expiry) {
        Optional<Hold> claimed = store.beginReturn(holdId, expiry, now());
        if (claimed.isEmpty()) {
            return false;
        }
        Hold h = claimed.get();
        if (!h.amount().isZero()) {
            try {
                balances.credit(h.account(), h.amount(), h.id());
            } catch (RuntimeException e) {
                store.returnFailed(holdId);
                throw unavailable("credit", e);
            }
        }
        store.returned(holdId);
        if (expiry) {
            LOG.log(System.Logger.Level.WARNING, "Hold {0} of {1} expired unsettled; its amount was credited back",
                    h.id(), h.amount());
        }
        return true;
    }

    /**
     * Credits back a debit whose hold could not be marked open (the store failed after the debit):
     * the client is refused, so it must not pay. Logged for reconciliation when that fails too.
     */
    private void undoDebit(Hold hold) {
        if (!hold.amount().isZero()) {
            try {
                balances.credit(hold.account(), hold.amount(), hold.id());
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "Debit " + hold.id() + " of " + hold.amount() + " could not be"
                        + " credited back after the hold store failed; reconcile it by this reference", e);
                return;
            }
        }
        try {
            store.abandon(hold.id());
        } catch (RuntimeException e) {
            // The hold stays "debiting" in the store: never swept, so never credited a second time.
            LOG.log(System.Logger.Level.WARNING, "Hold " + hold.id() + " left debiting in the store", e);
        }
    }

    /** The state to report for a hold; one still open (a credit failed elsewhere) is not settled yet. */
    private Settlement settled(String holdId) {
        Settlement s = store.state(holdId);
        if (s == null) {
            throw new LedgerUnavailableException("hold " + holdId + " could not be settled now; retry");
        }
        return s;
    }

    private int sweep(int max) {
        for (int i = pendingRests.size(); i > 0; i--) {
            Hold rest = pendingRests.poll();
            if (rest == null) {
                break;
            }
            creditRest(rest);
        }
        int n = 0;
        for (Hold h : store.overdue(now(), max)) {
            try {
                if (giveBack(h.id(), true)) {
                    n++;
                }
            } catch (RuntimeException e) {
                // One failed credit must not keep the other holds' money from coming back.
                LOG.log(System.Logger.Level.WARNING, "Hold " + h.id() + " could not be expired now; it is"
                        + " retried on a later sweep", e);
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

    private Instant now() {
        return clock.instant();
    }

    private static LedgerUnavailableException unavailable(String verb, RuntimeException e) {
        return e instanceof LedgerUnavailableException u ? u
                : new LedgerUnavailableException("balances failed on " + verb, e);
    }

    /** Builds a {@link BalanceLedger}. Not thread-safe; the ledger it builds is. */
    public static final class Builder {
        private final Balances balances;
        private Clock clock = Clock.systemUTC();
        private Duration holdTimeout = Duration.ofMinutes(10);
        private Duration replayRetention = Duration.ofHours(24);
        private long replayMemory = 64L * 1024 * 1024;
        private long replayMemoryPerAccount; // 0: replayMemory / ReplayRecords.DEFAULT_SHARES
        private long replayBodyMemory = 32L * 1024 * 1024;
        private int maxReplayRecords = 1_000_000;
        private int settledHolds = 100_000;
        private HoldStore store;
        private KeyLookup keyLookup;

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
            this.holdTimeout = ReplayRecords.positive(timeout, "holdTimeout");
            return this;
        }

        /**
         * Sets how long the response of a committed idempotent request is kept for replay.
         *
         * @param retention a positive duration; 24 hours by default
         * @return this builder
         */
        public Builder replayRetention(Duration retention) {
            this.replayRetention = ReplayRecords.positive(retention, "replayRetention");
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
            this.replayMemory = ReplayRecords.checkMemory(bytes);
            return this;
        }

        /**
         * Sets the share of {@link #replayMemory(long)} one account's records may take; as
         * {@link InMemoryLedger.Builder#replayMemoryPerAccount(long)}.
         *
         * @param bytes at least 16 KiB; {@code replayMemory / }{@value InMemoryLedger#DEFAULT_SHARES} by
         *     default (2 MiB), so it takes that many accounts at their share to fill the store
         * @return this builder
         */
        public Builder replayMemoryPerAccount(long bytes) {
            this.replayMemoryPerAccount = ReplayRecords.checkMemoryPerAccount(bytes);
            return this;
        }

        /**
         * Sets the heap the reply bodies kept for replay may take together, apart from the records;
         * as {@link InMemoryLedger.Builder#replayBodyMemory(long)}: when a new body does not fit,
         * the bodies of the account holding the most beyond its fair share are dropped first (their
         * records stay, and a retry is answered {@code 409 already-processed}, never run twice).
         *
         * @param bytes 0 (keep no bodies) or more; 32 MiB by default
         * @return this builder
         */
        public Builder replayBodyMemory(long bytes) {
            this.replayBodyMemory = ReplayRecords.checkBodyMemory(bytes);
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
            this.maxReplayRecords = ReplayRecords.checkMaxRecords(records);
            return this;
        }

        /**
         * Finds callers' API keys by their hash ({@link KeyLookup}), for example in a table of key
         * hashes the application keeps next to its balances. Tollgate then hashes the credential a
         * caller sends, charges the account the key belongs to, and refuses an unknown, expired or
         * revoked key with 401; the {@link Balances} see account ids only, never a key. Without
         * one (the default), the credential itself is the account id and Tollgate logs a warning
         * at start-up.
         *
         * @param lookup where keys are found by hash
         * @return this builder
         */
        public Builder keyLookup(KeyLookup lookup) {
            this.keyLookup = Objects.requireNonNull(lookup, "lookup");
            return this;
        }

        /**
         * Keeps holds and idempotency records in another store than this JVM's memory, such as
         * {@code PostgresHoldStore} (module {@code tollgate-ledger-postgresql}), which every node
         * shares and which survives restarts. The memory budgets of this builder then do not apply.
         *
         * @param store the store
         * @return this builder
         */
        public Builder store(HoldStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** {@return the ledger} */
        public BalanceLedger build() {
            return new BalanceLedger(this);
        }

    }

    @Override
    public String toString() {
        return "BalanceLedger[" + balances.getClass().getSimpleName() + ", " + store.getClass().getSimpleName() + "]";
    }
}
