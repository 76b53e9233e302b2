package dev.tollgate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.annotations.Count;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.RateLimitStore;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketState;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import io.github.bucket4j.local.LocalBucketBuilder;
import jakarta.servlet.http.HttpServletRequest;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate limits with Bucket4j: one bucket per (bucket spec, key), with one bandwidth per limit.
 *
 * <p>Buckets live in this JVM, in a bounded Caffeine cache (memory stays flat however many keys
 * arrive; a bucket untouched for its longest period is full again, so dropping it then loses
 * nothing, and a bucket evicted earlier by the size bound simply starts over full), or, with a
 * {@link RateLimitStore}, in PostgreSQL or Redis through Bucket4j's {@code ProxyManager}, shared by
 * every node. When the store fails or times out, each limit's {@link StoreFailure} policy decides;
 * after a failure the store is left alone for a second (requests get the policy at once instead of
 * each waiting for a timeout), then tried again, so it recovers without a restart.
 *
 * <p>Tokens are taken atomically before the request runs; when one bucket of a policy refuses,
 * tokens taken from its other buckets are given back. Shadow buckets are checked after the enforced
 * ones and never refuse. Thread-safe.
 */
public final class RateLimiter {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");
    /** How long a failed store is left alone; timed by {@code timeMeter}, so tests move time instead of sleeping. */
    private static final long STORE_BACKOFF_NANOS = Duration.ofSeconds(1).toNanos();

    /** The name of the per-address budget for ledger look-ups of unconfirmed keys, in headers and bodies. */
    public static final String KEY_LOOKUPS = "key-lookups";
    /** Ledger look-ups of keys not confirmed yet, per client address and minute. */
    public static final int KEY_LOOKUPS_PER_MINUTE = 30;
    private static final BucketSpec KEY_LOOKUP_SPEC = new BucketSpec("tollgate:" + KEY_LOOKUPS, KeyBy.CLIENT_IP, null,
            null, 1, Count.ALL, false, StoreFailure.LOCAL,
            List.of(new LimitSpec(KEY_LOOKUPS, KEY_LOOKUPS_PER_MINUTE, Duration.ofMinutes(1))));
    private static final String KEY_LOOKUP_POLICY = LimitTier.policyHeader(List.of(KEY_LOOKUP_SPEC));
    /**
     * Ledger look-ups of keys not confirmed yet from addresses whose own budget is spent, per node
     * and minute (burst as large), shared by every address.
     */
    public static final int KEY_LOOKUP_OVERFLOW_PER_MINUTE = 60;

    private final Cache<BucketKey, Bucket> local;
    private final Cache<BucketKey, Bucket> remote;
    private final RateLimitStore store;
    private final StoreFailure defaultOnFailure;
    private final ClientAddress clientAddress;
    /** Who hears limits exceeded and store calls; {@code null} when nobody listens. */
    private final EventSink events;
    private final TimeMeter timeMeter;
    /** Non-zero while the store is considered down: when to let one request try it again. */
    private volatile long storeRetryAt;
    private final java.util.concurrent.atomic.AtomicBoolean probing = new java.util.concurrent.atomic.AtomicBoolean();
    private volatile long lastStoreLog;
    private final String namespace;
    private final int ipv6Prefix;
    private final long storeTimeoutNanos;
    /** Runs store calls so a request thread never waits past the deadline, whatever the client does. */
    private final java.util.concurrent.ThreadPoolExecutor storeCalls;
    private final Stats stats = new Stats();
    /**
     * The node's overflow for key look-ups ({@link #checkKeyLookup}). A field, not a cache entry:
     * flooding the bucket cache must not evict it and so hand out a fresh one.
     */
    private final Bucket keyLookupOverflow;

    /**
     * Creates a limiter. It takes the buckets of any policy it is asked to check.
     *
     * @param maxBuckets the most buckets kept in memory (local ones, and shared-bucket proxies)
     * @param timeMeter the clock of local buckets
     * @param store the shared store, or {@code null} for local buckets
     * @param defaultOnFailure the policy of limits that say {@link StoreFailure#DEFAULT}
     * @param clientAddress how client addresses are found
     * @param events who hears about events, or {@code null}
     */
    public RateLimiter(long maxBuckets, TimeMeter timeMeter, RateLimitStore store,
                       StoreFailure defaultOnFailure, ClientAddress clientAddress, EventSink events) {
        this(maxBuckets, timeMeter, store, defaultOnFailure, clientAddress, events, "", 64);
    }

    /**
     * Creates a limiter. It takes the buckets of any policy it is asked to check.
     *
     * @param maxBuckets the most buckets kept in memory (local ones, and shared-bucket proxies)
     * @param timeMeter the clock of local buckets
     * @param store the shared store, or {@code null} for local buckets
     * @param defaultOnFailure the policy of limits that say {@link StoreFailure#DEFAULT}
     * @param clientAddress how client addresses are found
     * @param events who hears about events, or {@code null}
     * @param namespace part of every shared key, so applications sharing a store keep apart
     * @param ipv6Prefix how many leading bits of an IPv6 client address make its key (64: one bucket per /64)
     */
    public RateLimiter(long maxBuckets, TimeMeter timeMeter, RateLimitStore store,
                       StoreFailure defaultOnFailure, ClientAddress clientAddress, EventSink events,
                       String namespace, int ipv6Prefix) {
        this.namespace = namespace;
        this.ipv6Prefix = ipv6Prefix;
        this.storeTimeoutNanos = store == null ? 0 : store.requestTimeout().toNanos();
        this.storeCalls = store == null ? null : new java.util.concurrent.ThreadPoolExecutor(0, 64, 30,
                java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "tollgate-ratelimit-store");
                    t.setDaemon(true);
                    return t;
                });
        this.timeMeter = timeMeter;
        this.store = store;
        this.defaultOnFailure = defaultOnFailure;
        this.clientAddress = clientAddress;
        this.events = events;
        // Cache upkeep on the calling thread: handing it to the common pool wakes a pool thread
        // (a futex call) every few reads, more than the upkeep itself costs on a request's path.
        this.local = Caffeine.newBuilder().executor(Runnable::run)
                .maximumSize(maxBuckets).expireAfter(new IdleExpiry()).build();
        this.remote = store == null ? null : Caffeine.newBuilder().executor(Runnable::run)
                .maximumSize(maxBuckets).expireAfter(new IdleExpiry()).build();
        this.keyLookupOverflow = Bucket.builder().withCustomTimePrecision(timeMeter)
                .addLimit(Bandwidth.builder().capacity(KEY_LOOKUP_OVERFLOW_PER_MINUTE)
                        .refillGreedy(KEY_LOOKUP_OVERFLOW_PER_MINUTE, Duration.ofMinutes(1)).build())
                .build();
    }

    /** {@return the client address resolver} */
    public ClientAddress clientAddress() {
        return clientAddress;
    }

    /** {@return a snapshot of the counters} */
    public Stats stats() {
        return stats;
    }

    /**
     * Takes tokens for a request from every bucket of its tier, or from none.
     *
     * @param policy the request's policy
     * @param tier the tier of the payer
     * @param request the request, for the key
     * @param payer the confirmed payer, or {@code null} (payer-keyed limits then count the client address)
     * @return the decision
     */
    public RateLimitDecision check(Policy policy, LimitTier tier, HttpServletRequest request, Payer payer) {
        List<BucketSpec> specs = tier.buckets();
        List<RateLimitDecision.LimitState> states = new ArrayList<>(specs.size() * 2);
        List<RateLimitDecision.Taken> taken = new ArrayList<>(specs.size());
        List<String> shadowViolations = List.of();
        Duration shadowRetry = null;
        for (int s = 0; s < specs.size(); s++) { // indexed: no iterator per request
            BucketSpec spec = specs.get(s);
            String key = keyOf(spec, request, payer);
            Consumption c = consume(spec, key);
            if (c == Consumption.REFUSED_BY_STORE) {
                refund(taken);
                stats.storeRefused.incrementAndGet();
                return new RateLimitDecision(false, true, null, List.of(), List.of(), tier.policyHeader(), List.of(),
                        List.of());
            }
            if (c == Consumption.ADMITTED_BLIND) {
                continue; // fail-open: admitted without a state to report
            }
            ConsumptionProbe probe = c.probe;
            int firstState = states.size();
            List<String> violated = List.of(); // a list only when a limit is exceeded
            if (c.result == null) {
                // One bandwidth: the plain probe has all we report (no state copy to allocate).
                LimitSpec l = spec.limits().get(0);
                long size = probe.getRemainingTokens();
                if (!probe.isConsumed()) {
                    violated = List.of(l.name());
                }
                long reset = (probe.getNanosToWaitForReset() + 999_999_999L) / 1_000_000_000L;
                states.add(new RateLimitDecision.LimitState(l.name(), l.requests(), l.windowSeconds(), Math.max(0, size),
                        Math.max(0, reset)));
            } else {
                BucketState state = c.result.getState();
                for (int i = 0; i < spec.limits().size(); i++) {
                    LimitSpec l = spec.limits().get(i);
                    long size = state.getCurrentSize(i);
                    if (!probe.isConsumed() && size < spec.tokens()) {
                        violated = violated.isEmpty() ? new ArrayList<>(2) : violated;
                        violated.add(l.name());
                    }
                    states.add(new RateLimitDecision.LimitState(l.name(), l.requests(), l.windowSeconds(),
                            Math.max(0, size), resetSeconds(l, size, state.getRoundingError(i))));
                }
            }
            Duration retry = probe.isConsumed() ? null : Duration.ofSeconds(
                    Math.max(1, (probe.getNanosToWaitForRefill() + 999_999_999L) / 1_000_000_000L));
            if (probe.isConsumed()) {
                taken.add(new RateLimitDecision.Taken(c.bucket, spec.tokens(), spec.count(), firstState,
                        states.size()));
            } else if (spec.shadow()) {
                shadowViolations = shadowViolations.isEmpty() ? new ArrayList<>() : shadowViolations;
                shadowViolations.addAll(violated);
                shadowRetry = shadowRetry == null || retry.compareTo(shadowRetry) > 0 ? retry : shadowRetry;
            } else {
                // Give back what the earlier buckets took, each its own tokens per request, and
                // report their state as it is after the refund.
                refund(taken);
                for (RateLimitDecision.Taken t : taken) {
                    for (int i = t.firstState(); i < t.endState(); i++) {
                        RateLimitDecision.LimitState st = states.get(i);
                        states.set(i, new RateLimitDecision.LimitState(st.name(), st.quota(), st.windowSeconds(),
                                Math.min(st.quota(), st.remaining() + t.tokens()), st.resetSeconds()));
                    }
                }
                stats.rejected.incrementAndGet();
                event(policy, violated, false, retry);
                return new RateLimitDecision(false, false, retry, violated, List.of(), tier.policyHeader(), states,
                        List.of());
            }
        }
        if (!shadowViolations.isEmpty()) {
            stats.shadowExceeded.incrementAndGet();
            LOG.log(System.Logger.Level.INFO, "Shadow limit(s) {0} exceeded on {1} {2}; admitted", shadowViolations,
                    policy.method(), policy.origin());
            event(policy, shadowViolations, true, shadowRetry);
        }
        stats.admitted.incrementAndGet();
        return new RateLimitDecision(true, false, null, List.of(), shadowViolations, tier.policyHeader(), states, taken);
    }

    /**
     * Takes one token for a ledger look-up of a key not confirmed yet: from its client address's
     * budget (its /64 for IPv6), {@value #KEY_LOOKUPS_PER_MINUTE} a minute, or, when that is spent,
     * from this node's overflow, {@value #KEY_LOOKUP_OVERFLOW_PER_MINUTE} a minute for every address
     * together. Both refill greedily and live in this JVM: they guard this node's calls to the
     * ledger, and a shared store's failure must not open or close them.
     *
     * <p>The caller gives the token back with {@link #keyConfirmed} when the ledger knows the key,
     * so only keys the ledger does not know (or look-ups that fail) spend either budget. Valid keys
     * are then never refused for the look-ups of other valid keys, and invented keys can block a
     * new key only by spending the address's budget <em>and</em> the node's overflow, that is by
     * costing the ledger over {@value #KEY_LOOKUP_OVERFLOW_PER_MINUTE} look-ups a minute. The bound,
     * which holds whatever the clients do (tokens are taken before the look-up, so concurrent
     * requests cannot overshoot): per node, at most {@value #KEY_LOOKUPS_PER_MINUTE} look-ups at once
     * and then one every 2 s per address, plus {@value #KEY_LOOKUP_OVERFLOW_PER_MINUTE} at once and
     * then one a second for all addresses together. Memory: one small bucket per address, in the
     * bounded bucket cache, and one overflow bucket.
     *
     * @param policy the request's policy, for the listener
     * @param request the request, for its client address
     * @return the decision (its {@code taken} names the bucket the token came from); refused means 429
     *         with the limit {@value #KEY_LOOKUPS} and the address's budget in the headers
     */
    public RateLimitDecision checkKeyLookup(Policy policy, HttpServletRequest request) {
        Bucket bucket = local.get(new BucketKey(KEY_LOOKUP_SPEC, address(request)), this::newLocalBucket);
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        LimitSpec l = KEY_LOOKUP_SPEC.limits().get(0);
        long reset = (probe.getNanosToWaitForReset() + 999_999_999L) / 1_000_000_000L;
        List<RateLimitDecision.LimitState> states = List.of(new RateLimitDecision.LimitState(l.name(), l.requests(),
                l.windowSeconds(), Math.max(0, probe.getRemainingTokens()), Math.max(0, reset)));
        if (probe.isConsumed()) {
            return new RateLimitDecision(true, false, null, List.of(), List.of(), KEY_LOOKUP_POLICY, states,
                    List.of(new RateLimitDecision.Taken(bucket, 1, Count.ALL, 0, 1)));
        }
        ConsumptionProbe overflow = keyLookupOverflow.tryConsumeAndReturnRemaining(1);
        if (overflow.isConsumed()) {
            return new RateLimitDecision(true, false, null, List.of(), List.of(), KEY_LOOKUP_POLICY, states,
                    List.of(new RateLimitDecision.Taken(keyLookupOverflow, 1, Count.ALL, 0, 1)));
        }
        // Either bucket may refill first; say the sooner.
        long wait = Math.min(probe.getNanosToWaitForRefill(), overflow.getNanosToWaitForRefill());
        Duration retry = Duration.ofSeconds(Math.max(1, (wait + 999_999_999L) / 1_000_000_000L));
        stats.rejected.incrementAndGet();
        event(policy, List.of(KEY_LOOKUPS), false, retry);
        return new RateLimitDecision(false, false, retry, List.of(KEY_LOOKUPS), List.of(), KEY_LOOKUP_POLICY, states,
                List.of());
    }

    /**
     * Gives back the token of a key look-up the ledger answered with an account: only keys it does
     * not know spend the look-up budgets.
     *
     * @param lookup the admitted decision of {@link #checkKeyLookup}, or {@code null} (nothing taken)
     */
    public void keyConfirmed(RateLimitDecision lookup) {
        if (lookup != null) {
            refund(lookup.taken());
        }
    }

    /**
     * Gives back the tokens of requests whose outcome does not count.
     *
     * @param decision an admitted decision
     * @param success whether the request succeeded (status below 400, no exception)
     */
    public void settle(RateLimitDecision decision, boolean success) {
        for (RateLimitDecision.Taken t : decision.taken()) {
            if (t.count() == Count.SUCCESSES && !success || t.count() == Count.FAILURES && success) {
                giveBack(t);
            }
        }
    }

    /** {@return whether any bucket of a decision counts only some outcomes} */
    public static boolean needsOutcome(RateLimitDecision decision) {
        for (RateLimitDecision.Taken t : decision.taken()) {
            if (t.count() != Count.ALL) {
                return true;
            }
        }
        return false;
    }

    /**
     * Gives back every token an admitted decision took (the request turned out not to count there).
     *
     * @param decision an admitted decision
     */
    public void refund(RateLimitDecision decision) {
        refund(decision.taken());
    }

    private void refund(List<RateLimitDecision.Taken> taken) {
        for (RateLimitDecision.Taken t : taken) {
            giveBack(t);
        }
    }

    private void giveBack(RateLimitDecision.Taken t) {
        if (storeCalls != null && !(t.bucket() instanceof io.github.bucket4j.local.LocalBucket)) {
            // A shared bucket: never make the request wait for a refund.
            try {
                storeCalls.execute(() -> {
                    try {
                        t.bucket().addTokens(t.tokens());
                    } catch (RuntimeException e) {
                        LOG.log(System.Logger.Level.DEBUG, "A refund to the store was lost: " + e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.log(System.Logger.Level.DEBUG, "A refund to the store was dropped: every store thread is busy");
            }
            return;
        }
        t.bucket().addTokens(t.tokens());
    }

    private void event(Policy policy, List<String> names, boolean shadow, Duration retry) {
        EventSink sink = events;
        if (sink != null) {
            sink.emit(shadow ? new TollgateEvent.ShadowLimited(sink.now(), policy.servletName(), policy.method(), names,
                    retry) : new TollgateEvent.Limited(sink.now(), policy.servletName(), policy.method(), names, retry));
        }
    }

    // ------------------------------------------------------------------ buckets

    /** The result of trying to take tokens from one bucket. */
    private static final class Consumption {
        static final Consumption REFUSED_BY_STORE = new Consumption(null, null, null);
        static final Consumption ADMITTED_BLIND = new Consumption(null, null, null);
        final Bucket bucket;
        final ConsumptionProbe probe;
        /** Per-bandwidth state, only for buckets with several bandwidths. */
        final VerboseResult<ConsumptionProbe> result;

        Consumption(Bucket bucket, ConsumptionProbe probe, VerboseResult<ConsumptionProbe> result) {
            this.bucket = bucket;
            this.probe = probe;
            this.result = result;
        }

        static Consumption of(Bucket bucket, BucketSpec spec) {
            if (spec.limits().size() == 1) {
                return new Consumption(bucket, bucket.tryConsumeAndReturnRemaining(spec.tokens()), null);
            }
            VerboseResult<ConsumptionProbe> r = bucket.asVerbose().tryConsumeAndReturnRemaining(spec.tokens());
            return new Consumption(bucket, r.getValue(), r);
        }
    }

    private Consumption consume(BucketSpec spec, String key) {
        if (store != null) {
            long retryAt = storeRetryAt;
            if (retryAt != 0) {
                // Down: every request gets the failure policy at once, except one probe after the back-off.
                if (timeMeter.currentTimeNanos() - retryAt < 0 || !probing.compareAndSet(false, true)) {
                    return onStoreFailure(spec, key, null);
                }
                try {
                    Consumption c = remote(spec, key);
                    storeRetryAt = 0;
                    LOG.log(System.Logger.Level.INFO, "Rate-limit store {0} answers again", store.name());
                    return c;
                } catch (RuntimeException e) {
                    storeRetryAt = timeMeter.currentTimeNanos() + STORE_BACKOFF_NANOS;
                    return onStoreFailure(spec, key, e);
                } finally {
                    probing.set(false);
                }
            }
            try {
                return remote(spec, key);
            } catch (RuntimeException e) {
                storeRetryAt = timeMeter.currentTimeNanos() + STORE_BACKOFF_NANOS;
                return onStoreFailure(spec, key, e);
            }
        }
        return Consumption.of(local.get(new BucketKey(spec, key), this::newLocalBucket), spec);
    }

    /** One store call, timed for the listeners when there are any. */
    private Consumption remote(BucketSpec spec, String key) {
        EventSink sink = events;
        if (sink == null) {
            return callStore(spec, key);
        }
        long start = System.nanoTime();
        boolean failed = true;
        try {
            Consumption c = callStore(spec, key);
            failed = false;
            return c;
        } finally {
            sink.emit(new TollgateEvent.StoreCall(sink.now(), store.name(), System.nanoTime() - start, failed));
        }
    }

    /** One store call, on a store thread, waited for at most the store's request timeout. */
    private Consumption callStore(BucketSpec spec, String key) {
        Bucket bucket = remote.get(new BucketKey(spec, key), k -> store.proxyManager().builder()
                .build(sharedKey(spec, key), spec::configuration));
        java.util.concurrent.Future<Consumption> call;
        try {
            call = storeCalls.submit(() -> Consumption.of(bucket, spec));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IllegalStateException("every store thread is busy (the store is slow)", e);
        }
        try {
            return call.get(storeTimeoutNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            call.cancel(true);
            throw new IllegalStateException("no answer within " + store.requestTimeout().toMillis() + " ms", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.cancel(true);
            throw new IllegalStateException("interrupted while waiting for the store", e);
        }
    }

    private Consumption onStoreFailure(BucketSpec spec, String key, RuntimeException cause) {
        StoreFailure policy = spec.onStoreFailure() == StoreFailure.DEFAULT ? defaultOnFailure : spec.onStoreFailure();
        if (spec.shadow() && policy == StoreFailure.CLOSED) {
            policy = StoreFailure.OPEN; // a shadow limit only reports; it never refuses
        }
        if (cause != null) {
            storeFailed(cause, policy);
        }
        switch (policy) {
            case OPEN:
                stats.failedOpen.incrementAndGet();
                return Consumption.ADMITTED_BLIND;
            case CLOSED:
                stats.failedClosed.incrementAndGet();
                return Consumption.REFUSED_BY_STORE;
            case LOCAL:
            default:
                stats.localFallbacks.incrementAndGet();
                return Consumption.of(local.get(new BucketKey(spec, key), this::newLocalBucket), spec);
        }
    }

    private void storeFailed(RuntimeException cause, StoreFailure policy) {
        stats.storeFailures.incrementAndGet();
        long now = System.nanoTime();
        if (now - lastStoreLog > Duration.ofSeconds(10).toNanos()) {
            lastStoreLog = now;
            LOG.log(System.Logger.Level.WARNING, "Rate-limit store " + store.name() + " failed (" + cause
                    + "); applying " + policy + " until it answers (logged at most every 10 s)");
        }
        EventSink sink = events;
        if (sink != null) {
            sink.emit(new TollgateEvent.StoreFailed(sink.now(), store.name(), policy, cause));
        }
    }

    private Bucket newLocalBucket(BucketKey key) {
        LocalBucketBuilder b = Bucket.builder().withCustomTimePrecision(timeMeter);
        for (Bandwidth bw : key.spec().configuration().getBandwidths()) {
            b.addLimit(bw);
        }
        return b.build();
    }

    /** {@code tg:<namespace>:<limit>:<digest of the key>}: no API key, token or header value in clear. */
    private String sharedKey(BucketSpec spec, String key) {
        return "tg:" + namespace + ":" + spec.stableId() + ":" + digest(namespace + "\n" + key);
    }

    private static String digest(String v) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(v.getBytes(StandardCharsets.UTF_8));
            return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(d, 18));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Seconds until a bandwidth is full again, rounded up (greedy refill: a token every period/requests). */
    private static long resetSeconds(LimitSpec l, long size, long roundingError) {
        long missing = Math.max(0, l.requests() - size);
        if (missing == 0) {
            return 0;
        }
        // (missing * period - progress already made on the next token, in token-nanoseconds) / requests
        BigInteger tokenNanos = BigInteger.valueOf(missing).multiply(BigInteger.valueOf(l.period().toNanos()))
                .subtract(BigInteger.valueOf(Math.max(0, roundingError)));
        if (tokenNanos.signum() <= 0) {
            return 0;
        }
        BigInteger[] qr = tokenNanos.divideAndRemainder(BigInteger.valueOf(l.requests()));
        long nanos = qr[0].longValue() + (qr[1].signum() > 0 ? 1 : 0);
        return (nanos + 999_999_999L) / 1_000_000_000L;
    }

    String keyOf(BucketSpec spec, HttpServletRequest request, Payer payer) {
        switch (spec.key()) {
            case GLOBAL:
                return "*";
            case PAYER:
                return payer != null ? "p:" + bounded(payer.accountId()) : address(request);
            case PRINCIPAL: {
                Principal p = request.getUserPrincipal();
                return p != null && p.getName() != null && !p.getName().isEmpty() ? "u:" + bounded(p.getName())
                        : address(request);
            }
            case HEADER: {
                String v = request.getHeader(spec.header());
                return v == null || v.isBlank() ? address(request) : "h:" + bounded(v.strip());
            }
            case CUSTOM: {
                String v;
                try {
                    v = spec.resolver().key(request, payer);
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "RateLimitKeyResolver " + spec.resolver().getClass().getName()
                            + " failed; counting by client address: " + e);
                    v = null;
                }
                return v == null || v.isBlank() ? address(request) : "c:" + bounded(v);
            }
            case CLIENT_IP:
            default:
                return address(request);
        }
    }

    private String address(HttpServletRequest request) {
        String a = clientAddress.of(request);
        if (a != null && a.indexOf(':') >= 0 && ipv6Prefix < 128) {
            // One bucket per IPv6 network (a /64 by default): a host can pick any of 2^64 addresses.
            byte[] b = ClientAddress.Cidr.literal(a);
            if (b != null && b.length == 16) {
                for (int bit = ipv6Prefix; bit < 128; bit++) {
                    b[bit >> 3] &= (byte) ~(0x80 >>> (bit & 7));
                }
                return "ip6:" + ClientAddress.Cidr.format(b) + "/" + ipv6Prefix;
            }
        }
        return "ip:" + a;
    }

    /** Long values (header contents, tokens) are hashed, so keys stay short. */
    private static String bounded(String v) {
        if (v.length() <= 128) {
            return v;
        }
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(v.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Stops the store threads. */
    public void close() {
        if (storeCalls != null) {
            storeCalls.shutdownNow();
        }
    }

    /** {@return how many local buckets are held now (approximately)} */
    public long bucketCount() {
        return local.estimatedSize();
    }

    /** A bucket: its spec (by identity) and the key it counts. */
    private record BucketKey(BucketSpec spec, String key) {
    }

    private final class IdleExpiry implements Expiry<BucketKey, Bucket> {
        @Override
        public long expireAfterCreate(BucketKey key, Bucket value, long currentTime) {
            return key.spec().idleNanos();
        }

        @Override
        public long expireAfterUpdate(BucketKey key, Bucket value, long currentTime, long currentDuration) {
            return key.spec().idleNanos();
        }

        @Override
        public long expireAfterRead(BucketKey key, Bucket value, long currentTime, long currentDuration) {
            return key.spec().idleNanos();
        }
    }

    /** Counters, for monitoring and tests. Thread-safe. */
    public static final class Stats {
        final AtomicLong admitted = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong shadowExceeded = new AtomicLong();
        final AtomicLong storeFailures = new AtomicLong();
        final AtomicLong failedOpen = new AtomicLong();
        final AtomicLong failedClosed = new AtomicLong();
        final AtomicLong storeRefused = new AtomicLong();
        final AtomicLong localFallbacks = new AtomicLong();

        /** {@return requests admitted} */
        public long admitted() {
            return admitted.get();
        }

        /** {@return requests refused with 429} */
        public long rejected() {
            return rejected.get();
        }

        /** {@return requests that exceeded only shadow limits} */
        public long shadowExceeded() {
            return shadowExceeded.get();
        }

        /** {@return failures of the shared store} */
        public long storeFailures() {
            return storeFailures.get();
        }

        /** {@return bucket checks admitted blind because the store failed (policy OPEN)} */
        public long failedOpen() {
            return failedOpen.get();
        }

        /** {@return bucket checks refused because the store failed (policy CLOSED)} */
        public long failedClosed() {
            return failedClosed.get();
        }

        /** {@return bucket checks counted locally because the store failed (policy LOCAL)} */
        public long localFallbacks() {
            return localFallbacks.get();
        }
    }
}
