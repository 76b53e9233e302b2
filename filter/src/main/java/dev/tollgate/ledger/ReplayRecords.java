package dev.tollgate.ledger;

import dev.tollgate.Money;
import dev.tollgate.spi.DenialReason;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Reservation;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * The idempotency records kept in this JVM, shared by {@link InMemoryLedger} and the
 * {@link BalanceLedger}'s in-memory store ({@link MemoryHoldStore}), so both bound them the same way.
 *
 * <p>A record (key, request fingerprint, status, expiry) is never dropped before its retention
 * ends: it is what keeps a retry from running and being charged a second time. Records are small
 * and bounded at admission ({@link ReplayBudget}: {@value #RECORD_OVERHEAD} bytes plus the key and
 * 32 fingerprint bytes each, against the payer's share and the whole budget). A refused key is told
 * when the payer's (429) or the store's (503) oldest record ends its retention.
 *
 * <p>Reply bodies kept for replay have their own budget. When a new body does not fit, older
 * bodies are dropped, never their records: first the oldest of the payer holding the most bodies
 * while it holds more than its fair share (the budget divided among the payers holding bodies),
 * then the oldest of all. A retry whose body was dropped is replayed as "not retained" (409
 * already-processed): charged once, never run twice.
 *
 * <p>Thread-safe: each (payer, key) changes atomically in one map; keeping or dropping a body takes
 * one short lock shared by all payers. Never blocks on I/O. Times are epoch milliseconds from the
 * caller's clock.
 */
final class ReplayRecords {

    private static final System.Logger LOG = System.getLogger(ReplayRecords.class.getName());

    /**
     * The heap one record takes beyond its key's characters and its fingerprint's bytes, without
     * a body: the map entry and its table slot, the key object and its byte array header, the
     * record with its fingerprint array header, and its nodes in the commit-order queues.
     * {@code ReplayRecordHeapTest} measured 247 bytes in all for a record with a 36-character key
     * and no body (64-bit JVM, compressed pointers), counted as 260: this figure, with the key and
     * the 32 fingerprint bytes, is an upper bound with some margin.
     */
    static final int RECORD_OVERHEAD = 192;

    /**
     * How many payers at their default share it takes to fill the record budget. More than a few
     * heavy payers: the shares must not add up to the whole store, or a handful of them lock every
     * other payer out of new keys for a whole retention.
     */
    static final int DEFAULT_SHARES = 32;

    /**
     * The heap a kept body takes beyond its bytes and headers: the response object, the array
     * and list headers, and its nodes in the two body queues.
     */
    static final int BODY_OVERHEAD = 128;

    /** Heap per recorded header beyond its characters: the entry and two string objects with arrays. */
    private static final int HEADER_OVERHEAD = 112;

    private final ConcurrentHashMap<Key, KeyRecord> records = new ConcurrentHashMap<>();
    /** Completed records in commit order, so records past their retention are dropped oldest first. */
    private final ConcurrentLinkedQueue<Completed> completedOrder = new ConcurrentLinkedQueue<>();
    /** Bytes and slots charged by the records, bodies apart (each payer's share is in its {@link Payer}). */
    private final ReplayBudget budget;
    private final long bodyMemory;
    /** Guards the kept bodies: {@link #bodyBytes}, the body queues and each payer's body count. */
    private final Object bodyLock = new Object();
    private long bodyBytes; // guarded by bodyLock
    /** Records with a kept body, in commit order. Guarded by bodyLock. */
    private final ArrayDeque<Completed> bodyOrder = new ArrayDeque<>();
    /** Payers with at least one kept body. Guarded by bodyLock. */
    private final Set<Payer> bodyHolders = new HashSet<>();

    // The bounds both ledgers' builders accept, in one place so they cannot drift apart.

    /** {@return {@code bytes}, if it can be the heap of all records (at least 1 MiB)} */
    static long checkMemory(long bytes) {
        if (bytes < 1024 * 1024) {
            throw new IllegalArgumentException("replayMemory must be at least 1 MiB: " + bytes);
        }
        return bytes;
    }

    /** {@return {@code bytes}, if it can be one account's share of the records (at least 16 KiB)} */
    static long checkMemoryPerAccount(long bytes) {
        if (bytes < 16 * 1024) {
            throw new IllegalArgumentException("replayMemoryPerAccount must be at least 16 KiB: " + bytes);
        }
        return bytes;
    }

    /** {@return {@code bytes}, if it can be the heap of the reply bodies (zero or more)} */
    static long checkBodyMemory(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("replayBodyMemory must not be negative: " + bytes);
        }
        return bytes;
    }

    /** {@return {@code records}, if it can be the most records kept (at least 1,000)} */
    static int checkMaxRecords(int records) {
        if (records < 1000) {
            throw new IllegalArgumentException("maxReplayRecords must be at least 1000: " + records);
        }
        return records;
    }

    /** {@return {@code d}, if it is a positive duration for the setting {@code name}} */
    static java.time.Duration positive(java.time.Duration d, String name) {
        java.util.Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive: " + d);
        }
        return d;
    }

    /**
     * @param memory bytes all records may take, bodies apart
     * @param memoryPerPayer bytes one payer's records may take, or 0 for {@code memory / }{@value #DEFAULT_SHARES}
     * @param maxRecords how many records are kept at most
     * @param bodyMemory bytes all kept bodies may take (0 keeps none)
     */
    ReplayRecords(long memory, long memoryPerPayer, int maxRecords, long bodyMemory) {
        this.budget = new ReplayBudget(memory, memoryPerPayer > 0 ? memoryPerPayer : memory / DEFAULT_SHARES,
                maxRecords);
        this.bodyMemory = bodyMemory;
    }

    /**
     * Looks a client key up and, when it is new (or its record stale), admits a record for it and
     * starts the request, in one atomic step per (payer, key): two concurrent retries can never
     * both start.
     *
     * @param payer the payer's bookkeeping
     * @param key the client key
     * @param fingerprint the request's fingerprint
     * @param now the current time (epoch milliseconds)
     * @param holdOpen whether the hold of a record in progress is still open; called inside the
     *     atomic step, so it must not touch these records
     * @param price the price, reported in a refusal
     * @param noCompletedRecord the Retry-After of a refusal when no completed record ends sooner
     *     (only records in progress: they end with their holds)
     * @param start starts the request; an {@link Reservation.Authorized} answer claims the key for
     *     its hold, any other leaves the key free. Called inside the atomic step
     * @return a {@link Reservation.Conflict}, {@link Reservation.Replay} or {@link Reservation.Denied}
     *     (budget used up) without starting, or what {@code start} answered
     */
    Reservation claim(Payer payer, String key, String fingerprint, long now, Predicate<String> holdOpen,
                      Money price, Duration noCompletedRecord, Function<Key, Reservation> start) {
        // Drop records past their retention first (never inside compute(): it would nest map updates).
        trim(now);
        Key k = new Key(payer, key);
        byte[] fp = fingerprintBytes(fingerprint);
        Reservation[] outcome = new Reservation[1];
        records.compute(k, (kk, existing) -> {
            if (existing instanceof InProgress p && holdOpen.test(p.holdId)) {
                boolean same = Arrays.equals(p.fingerprint, fp);
                outcome[0] = new Reservation.Conflict(
                        same ? Reservation.ConflictKind.IN_PROGRESS : Reservation.ConflictKind.KEY_REUSED,
                        same ? Duration.ofSeconds(1) : null);
                return existing;
            }
            if (existing instanceof Completed c && now < c.expiresAt) {
                outcome[0] = Arrays.equals(c.fingerprint, fp) ? new Reservation.Replay(c.response())
                        : new Reservation.Conflict(Reservation.ConflictKind.KEY_REUSED, null);
                return existing;
            }
            if (existing != null) {
                forget(existing); // stale (expired or abandoned): replaced or removed below
            }
            long cost = RECORD_OVERHEAD + kk.key.length + fp.length;
            DenialReason full = budget.acquire(payer.recordBytes, cost, true);
            if (full != null) {
                outcome[0] = new Reservation.Denied(full, price, null, null, List.of(),
                        full == DenialReason.IDEMPOTENCY_STORE_FULL ? untilOldestRecordExpires(now, noCompletedRecord)
                                : untilOldestRecordExpires(payer, now, noCompletedRecord));
                return null;
            }
            Reservation r = start.apply(kk);
            outcome[0] = r;
            if (r instanceof Reservation.Authorized a) {
                return new InProgress(fp, a.hold().id(), cost, payer);
            }
            budget.forget(payer.recordBytes, cost);
            return null;
        });
        if (outcome[0] instanceof Reservation.Denied d && (d.reason() == DenialReason.IDEMPOTENCY_RECORDS_EXHAUSTED
                || d.reason() == DenialReason.IDEMPOTENCY_STORE_FULL)) {
            LOG.log(System.Logger.Level.DEBUG, "Idempotency-Key refused: {0}", d.reason());
        }
        return outcome[0];
    }

    /**
     * Turns a key's record in progress for this hold into the replayable one, atomically: a
     * concurrent retry sees either "in progress" or "replay", never a gap. Call it before the hold
     * leaves its open set. Then drops the records past their retention.
     *
     * @param key the key the hold claimed
     * @param holdId the hold
     * @param response the response to replay, or null to forget the key
     * @param now the current time (epoch milliseconds)
     * @param expiresAt when the record ends its retention (epoch milliseconds)
     */
    void complete(Key key, String holdId, RecordedResponse response, long now, long expiresAt) {
        Completed[] stored = new Completed[1];
        records.computeIfPresent(key, (k, r) -> {
            if (r instanceof InProgress p && p.holdId.equals(holdId)) {
                if (response == null) {
                    forget(p);
                    return null;
                }
                stored[0] = new Completed(k, p.fingerprint, expiresAt, response.status(), p.cost);
                if (response.bodyRetained()) {
                    // The record above is what keeps a retry from running twice; the body only
                    // lets it be replayed, so it lives in its own budget and may be dropped.
                    keepBody(stored[0], response);
                }
                return stored[0];
            }
            return r;
        });
        if (stored[0] != null) {
            completedOrder.add(stored[0]);
            Payer payer = key.payer;
            synchronized (payer.completedLock) {
                payer.completed.addLast(stored[0]);
            }
        }
        trim(now);
    }

    /**
     * Frees a key whose hold was released, expired or abandoned, if it is still in progress for
     * that hold.
     *
     * @param key the key the hold claimed
     * @param holdId the hold
     */
    void forgetInProgress(Key key, String holdId) {
        records.computeIfPresent(key, (k, r) -> {
            if (r instanceof InProgress p && p.holdId.equals(holdId)) {
                forget(r);
                return null;
            }
            return r;
        });
    }

    /** {@return the hold whose request holds this key in progress, or null} */
    String holdInProgress(Payer payer, String key) {
        return records.get(new Key(payer, key)) instanceof InProgress p ? p.holdId : null;
    }

    /**
     * Drops completed records past their retention, oldest first; only those.
     *
     * @param now the current time (epoch milliseconds)
     */
    void trim(long now) {
        for (Completed head; (head = completedOrder.peek()) != null; ) {
            if (!head.gone && now < head.expiresAt) {
                break;
            }
            if (completedOrder.remove(head)) {
                Completed expired = head;
                records.computeIfPresent(head.key, (k, v) -> {
                    if (v == expired) {
                        forget(v);
                        return null;
                    }
                    return v;
                });
                Payer payer = head.key.payer;
                synchronized (payer.completedLock) {
                    payer.pruneCompleted();
                }
            }
        }
    }

    // ---------------------------------------------------------------- internals

    /** Gives back what a record that leaves the map charged, its body included; once per removal. */
    private void forget(KeyRecord record) {
        if (record instanceof Completed c) {
            c.gone = true;
            releaseBody(c);
        }
        budget.forget(record.payer().recordBytes, record.cost());
    }

    /** The 503's Retry-After: until the oldest record of the whole store ends its retention. */
    private Duration untilOldestRecordExpires(long now, Duration otherwise) {
        for (Completed head : completedOrder) {
            if (!head.gone) {
                return until(head.expiresAt, now);
            }
        }
        return otherwise;
    }

    /** The 429's Retry-After: until this payer's oldest record ends its retention. */
    private Duration untilOldestRecordExpires(Payer payer, long now, Duration otherwise) {
        synchronized (payer.completedLock) {
            payer.pruneCompleted();
            Completed head = payer.completed.peekFirst();
            return head == null ? otherwise : until(head.expiresAt, now);
        }
    }

    private static Duration until(long epochMillis, long now) {
        long ms = epochMillis - now;
        // Whole seconds, rounded up, so a retry at Retry-After finds the record gone.
        return Duration.ofSeconds(Math.max(1, (ms + 999) / 1000));
    }

    /**
     * Keeps a committed record's body within {@link #bodyMemory}, making room by dropping other
     * bodies: first the oldest of the payer that holds the most, while it holds more than its fair
     * share (the budget divided among the payers holding bodies, counting this one), then the
     * oldest of all. A body larger than the whole budget is not kept. Dropping a body never drops
     * its record.
     */
    private void keepBody(Completed record, RecordedResponse response) {
        long cost = bodyCost(response);
        if (cost > bodyMemory || cost > Integer.MAX_VALUE) {
            return;
        }
        Payer payer = record.key.payer;
        synchronized (bodyLock) {
            while (bodyBytes + cost > bodyMemory) {
                Completed victim = bodyVictim(payer, cost);
                if (victim == null) {
                    return; // cannot happen while the counts are right; never loop on it
                }
                dropBody(victim);
            }
            record.body = response;
            record.bodyCost = (int) cost;
            bodyBytes += cost;
            if (payer.bodyBytes == 0) {
                bodyHolders.add(payer);
            }
            payer.bodyBytes += cost;
            payer.bodies.addLast(record);
            bodyOrder.addLast(record);
        }
    }

    /** The body to drop next; bodyLock held and some body kept (the budget is over-full). */
    private Completed bodyVictim(Payer incoming, long incomingCost) {
        for (Completed c; (c = bodyOrder.peekFirst()) != null && c.body == null; ) {
            bodyOrder.pollFirst();
        }
        long holders = bodyHolders.size() + (incoming.bodyBytes == 0 ? 1 : 0);
        long fairShare = bodyMemory / holders;
        Payer heaviest = null;
        long most = 0;
        for (Payer p : bodyHolders) {
            p.pruneBodies();
            long bytes = p.bodyBytes + (p == incoming ? incomingCost : 0);
            if (bytes > most && !p.bodies.isEmpty()) {
                heaviest = p;
                most = bytes;
            }
        }
        if (heaviest != null && most > fairShare) {
            return heaviest.bodies.peekFirst();
        }
        return bodyOrder.peekFirst();
    }

    /** Drops one kept body (its record stays); bodyLock held. */
    private void dropBody(Completed record) {
        if (record.body == null) {
            return;
        }
        record.body = null;
        Payer payer = record.key.payer;
        bodyBytes -= record.bodyCost;
        payer.bodyBytes -= record.bodyCost;
        // Bodies leave oldest first, except the heaviest payer's, which leave from its own head:
        // clearing dropped entries off both heads keeps the queues as long as the kept bodies.
        payer.pruneBodies();
        for (Completed c; (c = bodyOrder.peekFirst()) != null && c.body == null; ) {
            bodyOrder.pollFirst();
        }
        if (payer.bodyBytes == 0) {
            bodyHolders.remove(payer);
        }
    }

    /** Gives back a leaving record's body, if it still has one. */
    private void releaseBody(Completed record) {
        if (record.body != null) {
            synchronized (bodyLock) {
                dropBody(record);
            }
        }
    }

    private static long bodyCost(RecordedResponse r) {
        long bytes = BODY_OVERHEAD + r.bodyLength();
        for (Map.Entry<String, String> h : r.headers()) {
            // Two bytes per character: header values are not always Latin-1.
            bytes += HEADER_OVERHEAD + 2L * (h.getKey().length() + h.getValue().length());
        }
        return bytes;
    }

    /**
     * The fingerprint as bytes: a hex SHA-256 (what the filter sends) decoded to its 32 bytes; any
     * other string digested to 32 bytes, so a record's size does not depend on what a ledger
     * caller passes. Equal strings give equal bytes; different ones collide only as SHA-256 does.
     */
    static byte[] fingerprintBytes(String fingerprint) {
        if (fingerprint.length() == 64) {
            byte[] out = new byte[32];
            boolean hex = true;
            for (int i = 0; i < 32 && hex; i++) {
                int hi = Character.digit(fingerprint.charAt(2 * i), 16);
                int lo = Character.digit(fingerprint.charAt(2 * i + 1), 16);
                hex = hi >= 0 && lo >= 0 && !Character.isUpperCase(fingerprint.charAt(2 * i))
                        && !Character.isUpperCase(fingerprint.charAt(2 * i + 1));
                out[i] = (byte) (hi << 4 | lo);
            }
            if (hex) {
                return out;
            }
        }
        try {
            return java.security.MessageDigest.getInstance("SHA-256")
                    .digest(fingerprint.getBytes(StandardCharsets.UTF_8));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    // ---------------------------------------------------------------- types

    /**
     * One payer's record bookkeeping: its share of the record budget, its completed records in
     * commit order (for its 429's Retry-After) and its kept bodies. Keys compare payers by identity,
     * so a caller keeps one per account.
     */
    static final class Payer {
        /** Bytes this payer's records charge against its share (bodies apart). */
        final AtomicLong recordBytes = new AtomicLong();
        /** Guards {@link #completed}. */
        final Object completedLock = new Object();
        /**
         * This payer's completed records in commit order (the head expires first). Replaced when
         * it empties, since an ArrayDeque never gives back the array a burst grew.
         */
        ArrayDeque<Completed> completed = new ArrayDeque<>();
        /** Bytes of this payer's kept bodies; guarded by bodyLock. */
        long bodyBytes;
        /** This payer's records with a kept body, in commit order; guarded by bodyLock, replaced when empty. */
        ArrayDeque<Completed> bodies = new ArrayDeque<>();
        private final int hash;

        /** @param id the account id (only its hash is kept) */
        Payer(String id) {
            this.hash = id.hashCode();
        }

        /** Drops the completed records that left the map off the head; completedLock held. */
        void pruneCompleted() {
            for (Completed c; (c = completed.peekFirst()) != null && c.gone; ) {
                completed.pollFirst();
            }
            if (completed.isEmpty()) {
                completed = new ArrayDeque<>();
            }
        }

        /** Drops the dropped bodies off the head; bodyLock held. */
        void pruneBodies() {
            for (Completed c; (c = bodies.peekFirst()) != null && c.body == null; ) {
                bodies.pollFirst();
            }
            if (bodies.isEmpty()) {
                bodies = new ArrayDeque<>();
            }
        }
    }

    /** (payer, key); the key kept as its ASCII bytes, which saves a string object per record. */
    static final class Key {
        final Payer payer;
        final byte[] key;
        private final int hash;

        Key(Payer payer, String key) {
            this.payer = payer;
            this.key = key.getBytes(StandardCharsets.US_ASCII); // keys are printable ASCII (Idempotency)
            this.hash = 31 * payer.hash + Arrays.hashCode(this.key);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && k.payer == payer && Arrays.equals(k.key, key);
        }

        @Override
        public int hashCode() {
            return hash;
        }
    }

    private sealed interface KeyRecord permits InProgress, Completed {
        /** {@return the bytes this record charges against its payer's share and the record budget} */
        long cost();

        Payer payer();
    }

    private record InProgress(byte[] fingerprint, String holdId, long cost, Payer payer) implements KeyRecord {
    }

    /**
     * A committed request's record. Its key, fingerprint, status and expiry stay until its
     * retention ends; its body ({@link #body}) may be dropped earlier under the body budget.
     */
    private static final class Completed implements KeyRecord {
        final Key key;
        final byte[] fingerprint;
        final long expiresAt; // epoch milliseconds
        final int status;
        final int cost;
        /** The response to replay, or null when no body is kept (then a retry gets 409). */
        volatile RecordedResponse body;
        /** What the body charged to the body budget; nonzero once it was kept. Guarded by bodyLock. */
        int bodyCost;
        /** Set once the record left the map, so the order queues can skip it. */
        volatile boolean gone;

        Completed(Key key, byte[] fingerprint, long expiresAt, int status, long cost) {
            this.key = key;
            this.fingerprint = fingerprint;
            this.expiresAt = expiresAt;
            this.status = status;
            this.cost = (int) cost;
        }

        @Override
        public long cost() {
            return cost;
        }

        @Override
        public Payer payer() {
            return key.payer;
        }

        RecordedResponse response() {
            RecordedResponse r = body;
            return r != null ? r : new RecordedResponse(status, List.of(), new byte[0], false);
        }
    }
}
