package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Allowance;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.KeyLookup;
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
 * <p><b>Accounts</b> have an id of their own, one unit, an available balance and a set of
 * entitlements, and any number of <b>keys</b> ({@link KeyAdministration}), kept as hashes
 * ({@link ApiKey}): Tollgate finds a caller's account by the hash of its key ({@link KeyLookup}).
 * Open accounts with {@link #openAccount} and give them keys with {@link #issueKey}, or seed them with
 * the {@link Builder}: {@link Builder#account} is the shorthand of tests and demos, an account whose id
 * is also imported as its key (how accounts were named before keys were separate); a properties
 * resource ({@link #load(InputStream)}) does the same. A key's last use is noted at most once a
 * minute.
 *
 * <p><b>Holds.</b> {@link #reserve} moves the price from the available balance into a hold;
 * {@link #commit} makes it final and {@link #release} gives it back. A hold that is neither after
 * {@link Builder#holdTimeout(Duration) the hold timeout} (default 10 minutes) expires and its money
 * returns, exactly once: overdue holds are swept on later calls and checked lazily when settled.
 *
 * <p><b>Idempotency records</b> for client keys are kept per (account, key): in progress while the
 * hold is open, then, after a commit, for {@link Builder#replayRetention(Duration) the replay
 * retention} (default 24 hours, counted from the commit). A record (key, request fingerprint,
 * status, expiry) is never dropped before its retention ends: it is what keeps a retry from running
 * and being charged a second time. Records are small (247 bytes measured for a 36-character key)
 * and bounded at admission instead: each costs {@value #RECORD_OVERHEAD} bytes plus its key and 32 fingerprint
 * bytes against the account's share ({@link Builder#replayMemoryPerAccount(long)}, default 2 MiB,
 * about 8,000 records) and the whole store's ({@link Builder#replayMemory(long)}, default 64 MiB,
 * about 258,000 records); at most {@link Builder#maxReplayRecords(int)} records (default
 * 1,000,000) are kept. A new key that does not fit is refused before anything is held:
 * {@link DenialReason#IDEMPOTENCY_RECORDS_EXHAUSTED} until the account's oldest record expires,
 * or {@link DenialReason#IDEMPOTENCY_STORE_FULL} until the store's oldest record expires. The
 * default share is a thirty-second of the store, so it takes 32 accounts at their share to fill
 * it.
 *
 * <p><b>Reply bodies</b> kept for replay have their own budget ({@link Builder#replayBodyMemory(long)},
 * default 32 MiB). When a new body does not fit, older bodies are dropped, never their records:
 * first the oldest of the account holding the most bodies while it holds more than its fair share
 * (the budget divided by the accounts holding bodies), then the oldest of all. A retry whose body
 * was dropped is answered {@code 409 already-processed}: charged once, never run twice.
 *
 * <p><b>Statements.</b> Every change of a balance is a {@link LedgerEntry}; the latest
 * {@link Builder#history(int) history} entries per account (default 1,000) are kept for
 * {@link #statement}.
 *
 * <p>Thread-safe: each account is guarded by its own lock, so payers never contend with each
 * other for money; keeping or dropping a reply body takes one short lock shared by all accounts.
 * Methods never block on I/O.
 */
public final class InMemoryLedger implements Ledger, AccountAdministration, KeyLookup, KeyAdministration,
        AllowanceAdministration {

    private static final System.Logger LOG = System.getLogger(InMemoryLedger.class.getName());

    private final Clock clock;
    private final Duration holdTimeout;
    private final Duration replayRetention;
    private final ConcurrentHashMap<String, AccountState> accounts = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, OpenHold> openHolds = new ConcurrentHashMap<>();
    /** Keys by hash; an {@link ApiKey} is immutable, replaced whole on a change. */
    private final ConcurrentHashMap<String, ApiKey> keysByHash = new ConcurrentHashMap<>();
    /** Key ids to hashes. */
    private final ConcurrentHashMap<String, String> keyHashes = new ConcurrentHashMap<>();
    /**
     * The final state of the latest {@value #SETTLED_SLOTS} settled holds, so a repeated commit or
     * release reports it: slot {@code seq % SETTLED_SLOTS} holds {@code seq << 3 | state}. Fixed
     * memory (8 MiB) and no allocation per request.
     */
    private static final int SETTLED_SLOTS = 1 << 20;
    private final java.util.concurrent.atomic.AtomicLongArray settled =
            new java.util.concurrent.atomic.AtomicLongArray(SETTLED_SLOTS);
    /** The idempotency records and kept reply bodies, bounded as {@link BalanceLedger}'s in-memory ones. */
    private final ReplayRecords replay;
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

        this.replay = new ReplayRecords(b.replayMemory, b.replayMemoryPerAccount, b.maxReplayRecords,
                b.replayBodyMemory);
        b.accounts.forEach((id, a) -> accounts.put(id, new AccountState(id, a.balance, a.entitlements)));
        accounts.values().forEach(a -> a.log(LedgerEntry.Kind.OPEN, a.balance().amount(), BigDecimal.ZERO, null, null,
                BigDecimal.ZERO));
        b.keys.forEach((key, k) -> addKey(k.accountId, key, k.name, null, true));
        b.allowances.forEach((id, a) -> accounts.get(id).setAllowance(a, null));
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
        // One atomic step per (account, key): "look up the key, then hold the money and mark the
        // key", so two concurrent retries can never both reach account.hold().
        return replay.claim(account.records, charge.idempotency().key(), charge.idempotency().fingerprint(),
                clock.millis(), this::isOpen, charge.price(), holdTimeout, key -> account.hold(charge, key));
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
        // A fixed price charges the whole hold: nothing comes back, and no difference is worth computing.
        Money rest = actual == null ? null : open.hold.remainderAfter(charged);
        if (!now().isBefore(open.hold.expiresAt())) {
            expire(open);
            return settledState(hold.id());
        }
        if (!open.state.compareAndSet(null, Settlement.COMMITTED)) {
            return settledState(hold.id());
        }
        if (open.recordKey != null) {
            // The replayable record replaces the in-progress one *before* the hold leaves the
            // open set: a concurrent retry sees either "in progress" or "replay", never a gap.
            replay.complete(open.recordKey, hold.id(), response, clock.millis(),
                    now().plus(replayRetention).toEpochMilli());
        }
        finish(open, Settlement.COMMITTED);
        open.account.committed(open, rest);
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
        open.account.refund(open, LedgerEntry.Kind.RELEASE);
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
        return openAccount(id, balance, entitlements, null);
    }

    @Override
    public boolean openAccount(String id, Money balance, Set<String> entitlements, String actor) {
        requireActorOrNone(actor);
        requireId(id);
        Objects.requireNonNull(balance, "balance");
        AccountLimits.requireWithinMaximum(balance.amount(), balance);
        entitlements.forEach(AccountLimits::requireValidEntitlement);
        AccountState fresh = new AccountState(id, balance, entitlements);
        if (accounts.putIfAbsent(id, fresh) != null) {
            return false;
        }
        fresh.log(LedgerEntry.Kind.OPEN, balance.amount(), BigDecimal.ZERO, null, null, BigDecimal.ZERO);
        note(fresh, actor, AdminNotes.opened(entitlements));
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
        grant(id, entitlement, null);
    }

    @Override
    public void grant(String id, String entitlement, String actor) {
        requireActorOrNone(actor);
        AccountLimits.requireValidEntitlement(entitlement);
        AccountState a = require(id);
        if (a.grant(entitlement)) {
            note(a, actor, AdminNotes.granted(entitlement));
        }
    }

    @Override
    public void revoke(String id, String entitlement) {
        revoke(id, entitlement, null);
    }

    @Override
    public void revoke(String id, String entitlement, String actor) {
        requireActorOrNone(actor);
        AccountState a = require(id);
        if (a.revoke(entitlement)) {
            note(a, actor, AdminNotes.revoked(entitlement));
        }
    }

    /** Records an operator's action without money, when there is an operator to name. */
    private static void note(AccountState account, String actor, String action) {
        if (actor != null) {
            account.log(LedgerEntry.Kind.NOTE, BigDecimal.ZERO, BigDecimal.ZERO, null,
                    AdminNotes.reference(actor, action));
        }
    }

    private static void requireActorOrNone(String actor) {
        if (actor != null) {
            AdminNotes.requireActor(actor);
        }
    }

    @Override
    public List<LedgerEntry> statement(String id, Instant from, Instant to, int limit) {
        if (limit < 1 || limit > 10_000) {
            throw new IllegalArgumentException("limit must be 1 to 10000: " + limit);
        }
        return require(id).entries(from, to, limit);
    }

    @Override
    public void setAllowance(String accountId, Allowance allowance, String reference) {
        Objects.requireNonNull(allowance, "allowance");
        AccountLimits.requireValidReference(reference);
        require(accountId).setAllowance(allowance, reference);
    }

    @Override
    public boolean removeAllowance(String accountId, String reference) {
        AccountLimits.requireValidReference(reference);
        return require(accountId).removeAllowance(reference);
    }

    @Override
    public Optional<Allowance.State> allowance(String accountId) {
        return Optional.ofNullable(require(accountId).allowanceState(now()));
    }

    // ---------------------------------------------------------------- keys

    /** A key's last use is written when the one recorded is this old or older. */
    private static final Duration LAST_USE_RESOLUTION = Duration.ofMinutes(1);

    @Override
    public Optional<ApiKey> findKey(String hash) {
        ApiKey key = hash == null ? null : keysByHash.get(hash);
        if (key == null) {
            return Optional.empty();
        }
        Instant now = now();
        if (key.lastUsedAt() == null || !now.isBefore(key.lastUsedAt().plus(LAST_USE_RESOLUTION))) {
            key = keysByHash.computeIfPresent(hash, (h, k) -> new ApiKey(k.id(), k.accountId(), k.hash(),
                    k.displayPrefix(), k.name(), k.createdAt(), now, k.expiresAt(), k.revokedAt()));
        }
        return Optional.ofNullable(key);
    }

    @Override
    public IssuedKey issueKey(String accountId, String name, Instant expiresAt, boolean live) {
        return issueKey(accountId, name, expiresAt, live, null);
    }

    @Override
    public IssuedKey issueKey(String accountId, String name, Instant expiresAt, boolean live, String actor) {
        requireActorOrNone(actor);
        AccountState a = require(accountId);
        checkKeyTerms(name, expiresAt);
        String secret = KeySecrets.generate(live);
        ApiKey k = addKey(accountId, secret, name, expiresAt, false);
        note(a, actor, AdminNotes.issuedKey(k));
        return new IssuedKey(k, secret);
    }

    @Override
    public ApiKey importKey(String accountId, String key, String name, Instant expiresAt) {
        return importKey(accountId, key, name, expiresAt, null);
    }

    @Override
    public ApiKey importKey(String accountId, String key, String name, Instant expiresAt, String actor) {
        requireActorOrNone(actor);
        AccountState a = require(accountId);
        KeySecrets.requireImportable(key);
        checkKeyTerms(name, expiresAt);
        ApiKey k = addKey(accountId, key, name, expiresAt, true);
        note(a, actor, AdminNotes.importedKey(k));
        return k;
    }

    @Override
    public ApiKey revokeKey(String keyId) {
        return revokeKey(keyId, null);
    }

    @Override
    public ApiKey revokeKey(String keyId, String actor) {
        requireActorOrNone(actor);
        Instant now = now();
        boolean[] changed = new boolean[1]; // set inside compute, which runs once and atomically
        ApiKey k = keysByHash.compute(requireKeyHash(keyId), (h, old) -> {
            if (old.revokedAt() != null && !old.revokedAt().isAfter(now)) {
                return old;
            }
            changed[0] = true;
            return withRevocation(old, now);
        });
        AccountState a = accounts.get(k.accountId());
        if (a != null && changed[0]) {
            note(a, actor, AdminNotes.revokedKey(k)); // a revocation that changed nothing is not an action
        }
        return k;
    }

    @Override
    public IssuedKey rotateKey(String keyId, Duration grace, boolean live) {
        return rotateKey(keyId, grace, live, null);
    }

    @Override
    public IssuedKey rotateKey(String keyId, Duration grace, boolean live, String actor) {
        requireActorOrNone(actor);
        Objects.requireNonNull(grace, "grace");
        if (grace.isNegative()) {
            throw new IllegalArgumentException("grace must not be negative");
        }
        String hash = requireKeyHash(keyId);
        Instant now = now();
        ApiKey old = keysByHash.get(hash);
        if (!old.usableAt(now)) {
            throw new IllegalArgumentException("key " + keyId + " is revoked or expired; issue a new one");
        }
        String secret = KeySecrets.generate(live);
        ApiKey fresh = addKey(old.accountId(), secret, old.name(), old.expiresAt(), false);
        Instant end = now.plus(grace);
        keysByHash.computeIfPresent(hash, (h, k) -> k.revokedAt() != null && !k.revokedAt().isAfter(end)
                ? k : withRevocation(k, end));
        AccountState a = accounts.get(old.accountId());
        if (a != null) {
            note(a, actor, AdminNotes.rotatedKey(old, fresh, grace));
        }
        return new IssuedKey(fresh, secret);
    }

    @Override
    public Optional<ApiKey> key(String keyId) {
        String hash = keyId == null ? null : keyHashes.get(keyId);
        return hash == null ? Optional.empty() : Optional.ofNullable(keysByHash.get(hash));
    }

    @Override
    public List<ApiKey> keys(String accountId) {
        require(accountId);
        return keysByHash.values().stream().filter(k -> k.accountId().equals(accountId))
                .sorted(java.util.Comparator.comparing(ApiKey::createdAt).thenComparing(ApiKey::id)).toList();
    }

    /** Adds a key; an imported one gets a random id ({@link KeySecrets#importedKeyId}). */
    private ApiKey addKey(String accountId, String key, String name, Instant expiresAt, boolean imported) {
        String hash = ApiKey.hash(key);
        String id = imported ? KeySecrets.importedKeyId() : ApiKey.idOf(hash);
        ApiKey fresh = new ApiKey(id, accountId, hash, KeySecrets.displayPrefix(key), name, now(),
                null, expiresAt, null);
        if (keysByHash.putIfAbsent(hash, fresh) != null) {
            throw new IllegalArgumentException("this key already belongs to an account");
        }
        keyHashes.put(fresh.id(), hash);
        return fresh;
    }

    private String requireKeyHash(String keyId) {
        String hash = keyId == null ? null : keyHashes.get(keyId);
        if (hash == null) {
            throw new IllegalArgumentException("no such key: " + quoted(keyId));
        }
        return hash;
    }

    private void checkKeyTerms(String name, Instant expiresAt) {
        if (name != null && (name.length() > ApiKey.MAX_NAME_LENGTH || !AccountLimits.isCleanText(name))) {
            throw new IllegalArgumentException("a key name must be at most " + ApiKey.MAX_NAME_LENGTH
                    + " characters without control characters");
        }
        if (expiresAt != null && !expiresAt.isAfter(now())) {
            throw new IllegalArgumentException("a key's expiry must be in the future");
        }
    }

    /** An id from the caller, cut short and without control characters, for a message. */
    static String quoted(String id) {
        if (id == null) {
            return "null";
        }
        String cut = id.length() > 40 ? id.substring(0, 40) + "…" : id;
        return "\"" + cut.replaceAll("\\p{Cntrl}", "?") + "\"";
    }

    private static ApiKey withRevocation(ApiKey k, Instant at) {
        return new ApiKey(k.id(), k.accountId(), k.hash(), k.displayPrefix(), k.name(), k.createdAt(), k.lastUsedAt(),
                k.expiresAt(), at);
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
        replay.trim(clock.millis());
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
            h.account.refund(h, LedgerEntry.Kind.EXPIRY);
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
        h.account.refund(h, LedgerEntry.Kind.EXPIRY);
        finish(h, Settlement.EXPIRED);
        forgetRecord(h);
        LOG.log(System.Logger.Level.WARNING, "Hold {0} of {1} expired unsettled; its amount went back to the account",
                h.hold.id(), h.hold.amount());
        return true;
    }

    private void forgetRecord(OpenHold h) {
        if (h.recordKey != null) {
            replay.forgetInProgress(h.recordKey, h.hold.id());
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
        /** This account's idempotency records' bookkeeping (share, commit order, kept bodies). */
        final ReplayRecords.Payer records;
        private volatile Set<String> entitlements;
        private final java.util.ArrayDeque<LedgerEntry> entries = new java.util.ArrayDeque<>(); // guarded by this
        /** The monthly allowance, or null; with what was used of it since {@link #allowanceFrom}. */
        private Allowance allowance; // guarded by this
        private BigDecimal allowanceUsed = BigDecimal.ZERO; // guarded by this
        /** The start of the period {@link #allowanceUsed} counts, or null before the first use. */
        private Instant allowanceFrom; // guarded by this

        AccountState(String id, Money balance, Set<String> entitlements) {
            this.id = id;
            this.currency = balance.currency();
            this.available = balance.amount();
            this.entitlements = Set.copyOf(entitlements);
            this.records = new ReplayRecords.Payer(id);
        }

        Reservation hold(Charge charge, ReplayRecords.Key recordKey) {
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
            Split split = Split.NONE;
            Allowance.State allowanceAfter;
            synchronized (this) {
                Instant now = now();
                if (allowance != null && !price.isZero()) {
                    // The lazy reset: the first charge of a new period starts its count at zero.
                    Instant start = allowance.periodStart(now);
                    if (allowanceFrom == null || allowanceFrom.isBefore(start)) {
                        allowanceFrom = start;
                        allowanceUsed = BigDecimal.ZERO;
                    }
                    BigDecimal[] cover = allowance.cover(price.amount(),
                            allowance.limit().subtract(allowanceUsed).max(BigDecimal.ZERO));
                    split = new Split(cover[0], cover[1], start, allowance.unit());
                }
                BigDecimal fromBalance = price.amount().subtract(split.money);
                if (available.compareTo(fromBalance) < 0) {
                    return new Reservation.Denied(DenialReason.INSUFFICIENT_FUNDS, price,
                            new Money(available, currency), null, options(charge), null, allowanceState(now));
                }
                after = new Money(available.subtract(fromBalance), currency);
                available = after.amount();
                held = held.add(fromBalance);
                allowanceUsed = allowanceUsed.add(split.units);
                log(LedgerEntry.Kind.HOLD, fromBalance.negate(), fromBalance, holdId, charge.resource(),
                        split.units.negate());
                allowanceAfter = allowanceState(now);
            }
            Hold hold = new Hold(holdId, id, price.isZero() ? Money.zero(currency) : price, now().plus(holdTimeout));
            openHolds.put(holdId, new OpenHold(hold, sequence, this, recordKey, charge.resource(), split));
            return new Reservation.Authorized(hold, after, allowanceAfter);
        }

        /** Gives back what a hold took from the balance and, within the same period, from the allowance. */
        synchronized void refund(OpenHold h, LedgerEntry.Kind kind) {
            BigDecimal fromBalance = h.hold.amount().amount().subtract(h.split.money);
            // Within the maximum: the hold took this money out of the same total.
            available = new Money(available.add(fromBalance), currency).amount();
            held = held.subtract(fromBalance);
            BigDecimal back = giveBack(h.split, h.split.units);
            log(kind, fromBalance, fromBalance.negate(), h.hold.id(), h.resource, back);
        }

        /**
         * Commits a hold; with {@code rest} (a metered call that cost less), the rest goes back in the
         * same step: the balance part first, then the allowance part (a call stays used).
         */
        synchronized void committed(OpenHold h, Money rest) {
            BigDecimal fromBalance = h.hold.amount().amount().subtract(h.split.money);
            BigDecimal backToBalance = rest == null ? BigDecimal.ZERO : rest.amount().min(fromBalance);
            BigDecimal backToAllowance = rest == null ? BigDecimal.ZERO : rest.amount().subtract(backToBalance);
            held = held.subtract(fromBalance);
            log(LedgerEntry.Kind.COMMIT, BigDecimal.ZERO, backToBalance.subtract(fromBalance), h.hold.id(), h.resource,
                    BigDecimal.ZERO);
            BigDecimal units = h.split.unit == Allowance.Unit.CREDITS ? backToAllowance : BigDecimal.ZERO;
            BigDecimal given = giveBack(h.split, units);
            // No entry when nothing goes back (a call stays used; a part of an old period is dropped).
            if (backToBalance.signum() > 0 || given.signum() > 0) {
                available = available.add(backToBalance);
                log(LedgerEntry.Kind.RELEASE, backToBalance, backToBalance.negate(), h.hold.id(), h.resource, given);
            }
        }

        /**
         * Returns {@code units} of a hold's allowance part when the allowance of that unit still counts the
         * hold's period and that period is the current one; else drops them (they belonged to an old period,
         * also before the new period's first charge). {@return what was given back}
         */
        private BigDecimal giveBack(Split split, BigDecimal units) {
            if (units.signum() == 0 || allowance == null || allowance.unit() != split.unit
                    || !split.period.equals(allowanceFrom) || !split.period.equals(allowance.periodStart(now()))) {
                return BigDecimal.ZERO;
            }
            BigDecimal back = units.min(allowanceUsed);
            allowanceUsed = allowanceUsed.subtract(back);
            return back;
        }

        /** {@return the allowance's state now, or null when there is none} */
        synchronized Allowance.State allowanceState(Instant now) {
            return allowance == null ? null : Allowance.State.of(allowance, allowanceUsed, allowanceFrom, now);
        }

        synchronized void setAllowance(Allowance a, String reference) {
            if (a.unit() == Allowance.Unit.CREDITS && !a.currency().equals(currency)) {
                throw new IllegalArgumentException("account " + id + " is kept in " + currency
                        + "; its allowance's credits must be too, not " + a.currency());
            }
            Instant now = now();
            if (allowance != null && allowance.unit() == a.unit() && allowanceFrom != null
                    && allowanceFrom.equals(allowance.periodStart(now))) {
                // The usage of the current period is kept, also when the anchor day changes: it then
                // counts in the new anchor's current period (no fresh allowance mid-month).
                allowanceFrom = a.periodStart(now);
            } else {
                allowanceUsed = BigDecimal.ZERO;
                allowanceFrom = null;
            }
            allowance = a;
            log(LedgerEntry.Kind.ALLOWANCE, BigDecimal.ZERO, BigDecimal.ZERO, null, reference, BigDecimal.ZERO);
        }

        synchronized boolean removeAllowance(String reference) {
            boolean had = allowance != null;
            allowance = null;
            allowanceUsed = BigDecimal.ZERO;
            allowanceFrom = null;
            if (had) {
                log(LedgerEntry.Kind.ALLOWANCE, BigDecimal.ZERO, BigDecimal.ZERO, null, reference, BigDecimal.ZERO);
            }
            return had;
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
            log(credit ? LedgerEntry.Kind.CREDIT : LedgerEntry.Kind.DEBIT, delta, BigDecimal.ZERO, null, reference,
                    BigDecimal.ZERO);
            return result;
        }

        /** Appends to the bounded history; callers hold this account's lock or own it exclusively. */
        /** {@link #log(LedgerEntry.Kind, BigDecimal, BigDecimal, String, String, BigDecimal)} without allowance. */
        synchronized void log(LedgerEntry.Kind kind, BigDecimal availableDelta, BigDecimal heldDelta, String holdId,
                              String reference) {
            log(kind, availableDelta, heldDelta, holdId, reference, BigDecimal.ZERO);
        }

        synchronized void log(LedgerEntry.Kind kind, BigDecimal availableDelta, BigDecimal heldDelta, String holdId,
                              String reference, BigDecimal allowanceDelta) {
            if (history == 0) {
                return;
            }
            if (entries.size() == history) {
                entries.removeFirst();
            }
            entries.addLast(new LedgerEntry(entrySequence.incrementAndGet(), id, kind, availableDelta, heldDelta,
                    currency, holdId, reference, now(), allowanceDelta));
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

        /** {@return whether the entitlement was added (false when already held)} */
        boolean grant(String entitlement) {
            synchronized (this) {
                Set<String> s = new LinkedHashSet<>(entitlements);
                if (!s.add(entitlement)) {
                    return false;
                }
                entitlements = Set.copyOf(s);
                return true;
            }
        }

        /** {@return whether the entitlement was removed (false when not held)} */
        boolean revoke(String entitlement) {
            synchronized (this) {
                Set<String> s = new LinkedHashSet<>(entitlements);
                if (!s.remove(entitlement)) {
                    return false;
                }
                entitlements = Set.copyOf(s);
                return true;
            }
        }

        Account snapshot() {
            return new Account(id, balance(), entitlements);
        }
    }

    private record OpenHold(Hold hold, long sequence, AccountState account, ReplayRecords.Key recordKey,
                            String resource, Split split, AtomicReference<Settlement> state) {
        OpenHold(Hold hold, long sequence, AccountState account, ReplayRecords.Key recordKey, String resource,
                 Split split) {
            this(hold, sequence, account, recordKey, resource, split, new AtomicReference<>());
        }
    }

    /**
     * How a hold was split: {@code money} of its amount covered by the allowance, which used {@code units}
     * of it (credits, or one call) in the period starting at {@code period}; the rest came from the balance.
     */
    private record Split(BigDecimal money, BigDecimal units, Instant period, Allowance.Unit unit) {
        static final Split NONE = new Split(BigDecimal.ZERO, BigDecimal.ZERO, Instant.EPOCH, null);
    }

    /** The heap one record takes beyond its key and fingerprint bytes; see {@link ReplayRecords#RECORD_OVERHEAD}. */
    static final int RECORD_OVERHEAD = ReplayRecords.RECORD_OVERHEAD;

    /** How many accounts at their default share it takes to fill the record budget. */
    static final int DEFAULT_SHARES = ReplayRecords.DEFAULT_SHARES;

    /** The heap a kept body takes beyond its bytes and headers; see {@link ReplayRecords#BODY_OVERHEAD}. */
    static final int BODY_OVERHEAD = ReplayRecords.BODY_OVERHEAD;

    /**
     * Builds an {@link InMemoryLedger}. Not thread-safe; the ledger it builds is.
     */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration holdTimeout = Duration.ofMinutes(10);
        private Duration replayRetention = Duration.ofHours(24);
        private long replayMemory = 64L * 1024 * 1024;
        private long replayMemoryPerAccount; // 0: replayMemory / DEFAULT_SHARES
        private long replayBodyMemory = 32L * 1024 * 1024;
        private int history = 1000;
        private int maxReplayRecords = 1_000_000;
        private final Map<String, Seed> accounts = new LinkedHashMap<>();
        private final Map<String, KeySeed> keys = new LinkedHashMap<>();
        private final Map<String, Allowance> allowances = new LinkedHashMap<>();

        private Builder() {
        }

        /**
         * Adds an account whose id is also one of its keys: the shorthand of tests and demos, and how
         * accounts were named before keys were separate. In production, open accounts with ids of their
         * own and {@link InMemoryLedger#issueKey issue} keys; see {@link #key}.
         *
         * @param id the account id, also accepted as its key
         * @param balance the opening balance, which also fixes the account's unit
         * @param entitlements the entitlements it holds
         * @return this builder
         * @throws IllegalArgumentException if the id breaks {@link AccountLimits}, the balance
         *     exceeds {@link AccountLimits#MAX_BALANCE}, the id is already added or is already
         *     imported as the key of another account (the message names its display prefix, never the key)
         * @deprecated The account's id is then a credential: anyone who sees it in a statement, a log or
         *     an admin URL can pay with it, against the rule that an account id is never a credential. Kept
         *     for existing tests and demos only. Open accounts under ids of their own with
         *     {@link InMemoryLedger#openAccount} and give them keys with {@link #key} or
         *     {@link InMemoryLedger#issueKey}.
         */
        @Deprecated(since = "issue 12 review")
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
            KeySeed other = keys.get(id);
            if (other != null) {
                accounts.remove(id);
                throw new IllegalArgumentException("the key with display prefix \"" + KeySecrets.displayPrefix(id)
                        + "\" is imported already for another account");
            }
            keys.put(id, new KeySeed(id, null));
            return this;
        }

        /**
         * Imports a caller-chosen key for an account added to this builder (for migrations and
         * demos; see {@link KeyAdministration#importKey}). Only its hash is kept.
         *
         * @param accountId an account added with {@link #account}
         * @param key the key (see {@link KeySecrets#requireImportable})
         * @param name the key's name; may be {@code null}
         * @return this builder
         * @throws IllegalArgumentException if the account is not added, the key is malformed or added
         *     already
         */
        public Builder key(String accountId, String key, String name) {
            if (!accounts.containsKey(accountId)) {
                throw new IllegalArgumentException("no such account in this builder: " + quoted(accountId));
            }
            KeySecrets.requireImportable(key);
            if (name != null && name.length() > ApiKey.MAX_NAME_LENGTH) {
                throw new IllegalArgumentException("key name longer than " + ApiKey.MAX_NAME_LENGTH + " characters");
            }
            if (keys.putIfAbsent(key, new KeySeed(accountId, name)) != null) {
                throw new IllegalArgumentException("key added twice");
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
            byte[] file = in.readAllBytes();
            for (Account a : AccountsFile.read(new java.io.ByteArrayInputStream(file))) {
                account(a.id(), a.balance(), a.entitlements().toArray(String[]::new));
            }
            AccountsFile.allowances(new java.io.ByteArrayInputStream(file)).forEach(this::allowance);
            return this;
        }

        /**
         * Gives an account added to this builder a monthly allowance.
         *
         * @param accountId an account added with {@link #account}
         * @param allowance the allowance; credits in the account's unit
         * @return this builder
         * @throws IllegalArgumentException if the account is not added or the credits are in another unit
         * @since issue 12
         */
        public Builder allowance(String accountId, Allowance allowance) {
            Seed seed = accounts.get(accountId);
            if (seed == null) {
                throw new IllegalArgumentException("no such account in this builder: " + quoted(accountId));
            }
            if (allowance.unit() == Allowance.Unit.CREDITS && !allowance.currency().equals(seed.balance.currency())) {
                throw new IllegalArgumentException("account " + quoted(accountId) + " is kept in "
                        + seed.balance.currency() + ", not " + allowance.currency());
            }
            allowances.put(accountId, allowance);
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
         * Sets the heap all idempotency records may take together, reply bodies apart (see
         * {@link #replayBodyMemory(long)}), counted as measured: {@value InMemoryLedger#RECORD_OVERHEAD}
         * bytes per record plus its key's characters and 32 fingerprint bytes, about 260 bytes for
         * a 36-character key. When it is used up, a request with a new key is refused
         * ({@link DenialReason#IDEMPOTENCY_STORE_FULL}, 503, {@code Retry-After} until the oldest
         * record ends its retention); no record is dropped early.
         *
         * @param bytes at least 1 MiB; 64 MiB by default (about 258,000 records)
         * @return this builder
         */
        public Builder replayMemory(long bytes) {
            this.replayMemory = ReplayRecords.checkMemory(bytes);
            return this;
        }

        /**
         * Sets the share of {@link #replayMemory(long)} one account's records may take. When it is
         * used up, that account's requests with a new key are refused
         * ({@link DenialReason#IDEMPOTENCY_RECORDS_EXHAUSTED}, 429, {@code Retry-After} until that
         * account's oldest record ends its retention); no record is dropped early. The default
         * leaves headroom: it takes {@value InMemoryLedger#DEFAULT_SHARES} accounts at their share
         * to fill the store.
         *
         * @param bytes at least 16 KiB; {@code replayMemory / }{@value InMemoryLedger#DEFAULT_SHARES}
         *     by default (2 MiB: about 8,000 records); never more than {@code replayMemory}
         * @return this builder
         */
        public Builder replayMemoryPerAccount(long bytes) {
            this.replayMemoryPerAccount = ReplayRecords.checkMemoryPerAccount(bytes);
            return this;
        }

        /**
         * Sets the heap the reply bodies kept for replay may take together: each body's bytes, its
         * headers and {@value InMemoryLedger#BODY_OVERHEAD} bytes. When a new body does not fit,
         * older bodies are dropped (their records stay): first those of the account holding the
         * most, while it holds more than its fair share of this budget, then the oldest. A retry
         * whose body was dropped is answered {@code 409 already-processed}: charged once, never
         * run twice. A body larger than the whole budget is not kept.
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
         * refused ({@link DenialReason#IDEMPOTENCY_STORE_FULL}, 503). The memory budgets usually
         * bind first.
         *
         * @param records at least 1,000; 1,000,000 by default
         * @return this builder
         */
        public Builder maxReplayRecords(int records) {
            this.maxReplayRecords = ReplayRecords.checkMaxRecords(records);
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


        private record Seed(Money balance, Set<String> entitlements) {
        }

        private record KeySeed(String accountId, String name) {
        }
    }

    @Override
    public String toString() {
        return "InMemoryLedger[accounts=" + accounts.size() + ", openHolds=" + openHolds.size() + ", units="
                + accounts.values().stream().map(a -> a.currency).collect(Collectors.toCollection(java.util.TreeSet::new))
                + "]";
    }
}
