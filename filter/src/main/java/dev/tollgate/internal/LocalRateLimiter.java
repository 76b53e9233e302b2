package dev.tollgate.internal;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.spi.Payer;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.VerboseResult;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.Principal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Rate limits with Bucket4j buckets kept in this JVM, one per (bucket spec, key), in a bounded
 * Caffeine cache: memory stays flat however many keys arrive. A bucket untouched for its longest
 * period is full again, so dropping it then loses nothing; when the size bound forces an earlier
 * eviction, that key simply starts over with a full bucket.
 *
 * <p>Tokens are consumed atomically before the request runs; when one of a policy's buckets
 * rejects, tokens already taken from its other buckets are given back. Thread-safe.
 */
public final class LocalRateLimiter {

    private final Cache<BucketKey, Bucket> buckets;
    private final TimeMeter timeMeter;
    // Indexed by BucketSpec.id(); bucket ids are dense and unique within a policy table.
    private final BucketConfiguration[] configurations;
    private final long[] idleNanos;
    // Indexed by the id of a policy's first bucket: a policy's bucket list is shared by every
    // method that uses it, and no two lists share a first bucket.
    private final String[] policyHeaders;

    /**
     * Creates a limiter for the buckets of a policy table.
     *
     * @param table the policies
     * @param maxBuckets the most buckets kept at once
     * @param timeMeter the clock of the buckets
     */
    public LocalRateLimiter(PolicyTable table, long maxBuckets, TimeMeter timeMeter) {
        this.timeMeter = timeMeter;
        int size = 0;
        for (MethodPolicies mp : table.servlets().values()) {
            for (Policy p : mp.all().values()) {
                for (BucketSpec b : p.buckets()) {
                    size = Math.max(size, b.id() + 1);
                }
            }
        }
        configurations = new BucketConfiguration[size];
        idleNanos = new long[size];
        policyHeaders = new String[size];
        for (MethodPolicies mp : table.servlets().values()) {
            for (Policy p : mp.all().values()) {
                for (BucketSpec b : p.buckets()) {
                    configurations[b.id()] = b.configuration();
                    idleNanos[b.id()] = b.idleTimeout().toNanos();
                }
                if (p.isLimited()) {
                    policyHeaders[p.buckets().get(0).id()] = policyHeader(p.buckets());
                }
            }
        }
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxBuckets)
                .expireAfter(new Expiry<BucketKey, Bucket>() {
                    @Override
                    public long expireAfterCreate(BucketKey key, Bucket value, long currentTime) {
                        return idleNanos[key.bucketId()];
                    }

                    @Override
                    public long expireAfterUpdate(BucketKey key, Bucket value, long currentTime, long currentDuration) {
                        return idleNanos[key.bucketId()];
                    }

                    @Override
                    public long expireAfterRead(BucketKey key, Bucket value, long currentTime, long currentDuration) {
                        return idleNanos[key.bucketId()];
                    }
                })
                .build();
    }

    /**
     * Takes tokens for a request from every bucket of its policy, or from none.
     *
     * @param policy the request's policy; must be {@linkplain Policy#isLimited() limited}
     * @param request the request, for the key
     * @param payer the verified payer, or {@code null} (payer-keyed limits then count the client address)
     * @return the decision with header values
     */
    public RateLimitDecision check(Policy policy, HttpServletRequest request, Payer payer) {
        List<BucketSpec> specs = policy.buckets();
        StringBuilder header = new StringBuilder(48 * specs.size());
        List<RateLimitDecision.Taken> taken = new ArrayList<>(specs.size());
        for (BucketSpec spec : specs) {
            String key = keyOf(spec, request, payer);
            Bucket bucket = buckets.get(new BucketKey(spec.id(), key), this::newBucket);
            VerboseResult<ConsumptionProbe> result = bucket.asVerbose().tryConsumeAndReturnRemaining(spec.tokens());
            io.github.bucket4j.BucketState state = result.getState();
            ConsumptionProbe probe = result.getValue();
            if (!probe.isConsumed()) {
                // Give back what the earlier buckets took, each its own tokens per request.
                refund(taken);
                List<String> violated = new ArrayList<>(1);
                StringBuilder rejectedState = new StringBuilder(48 * specs.size());
                for (BucketSpec s : specs) {
                    boolean thisOne = s == spec;
                    for (int i = 0; i < s.limits().size(); i++) {
                        LimitSpec l = s.limits().get(i);
                        if (thisOne) {
                            long avail = state.getCurrentSize(i);
                            if (avail < s.tokens()) {
                                violated.add(l.name());
                            }
                            appendState(rejectedState, l, avail, state.getRoundingError(i));
                        }
                    }
                }
                long waitNanos = probe.getNanosToWaitForRefill();
                long seconds = Math.max(1, (waitNanos + 999_999_999L) / 1_000_000_000L);
                return new RateLimitDecision(false, Duration.ofSeconds(seconds), violated,
                        policyHeaders[specs.get(0).id()], rejectedState.toString(), List.of());
            }
            taken.add(new RateLimitDecision.Taken(bucket, spec.tokens()));
            for (int i = 0; i < spec.limits().size(); i++) {
                appendState(header, spec.limits().get(i), state.getCurrentSize(i), state.getRoundingError(i));
            }
        }
        return new RateLimitDecision(true, null, List.of(), policyHeaders[specs.get(0).id()],
                header.toString(), taken);
    }

    /**
     * Gives back the tokens an admitted decision took (the request turned out not to count there).
     *
     * @param decision an admitted decision
     */
    public void refund(RateLimitDecision decision) {
        refund(decision.taken());
    }

    private static void refund(List<RateLimitDecision.Taken> taken) {
        for (RateLimitDecision.Taken t : taken) {
            t.bucket().addTokens(t.tokens());
        }
    }

    private Bucket newBucket(BucketKey key) {
        io.github.bucket4j.local.LocalBucketBuilder b = Bucket.builder().withCustomTimePrecision(timeMeter);
        for (io.github.bucket4j.Bandwidth bw : configurations[key.bucketId()].getBandwidths()) {
            b.addLimit(bw);
        }
        return b.build();
    }

    /** {@return how many buckets are held now (approximately)} */
    public long bucketCount() {
        return buckets.estimatedSize();
    }

    /**
     * Appends one {@code RateLimit} item: {@code r} is the whole tokens left, {@code t} the seconds
     * until the bandwidth is full again (rounded up).
     *
     * @param size the bandwidth's whole tokens now
     * @param roundingError Bucket4j's fractional refill progress, in token-nanoseconds
     */
    private static void appendState(StringBuilder sb, LimitSpec l, long size, long roundingError) {
        if (sb.length() > 0) {
            sb.append(", ");
        }
        long periodNanos = l.period().toNanos();
        long missing = Math.max(0, l.requests() - size);
        // Greedy refill adds requests tokens per period: a token takes period/requests. Time to
        // full = (missing * period - progress already made on the next token) / requests.
        java.math.BigInteger tokenNanos = java.math.BigInteger.valueOf(missing).multiply(java.math.BigInteger.valueOf(periodNanos))
                .subtract(java.math.BigInteger.valueOf(missing == 0 ? 0 : Math.max(0, roundingError)));
        long nanos = ceilDiv(tokenNanos, l.requests());
        long t = Math.max(0, (nanos + 999_999_999L) / 1_000_000_000L);
        sb.append('"').append(l.name()).append("\";r=").append(Math.max(0, size)).append(";t=").append(t);
    }

    private static long ceilDiv(java.math.BigInteger a, long b) {
        if (a.signum() <= 0) {
            return 0;
        }
        java.math.BigInteger[] qr = a.divideAndRemainder(java.math.BigInteger.valueOf(b));
        return qr[0].longValue() + (qr[1].signum() > 0 ? 1 : 0);
    }

    private static String policyHeader(List<BucketSpec> specs) {
        StringBuilder sb = new StringBuilder();
        for (BucketSpec s : specs) {
            for (LimitSpec l : s.limits()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append('"').append(l.name()).append("\";q=").append(l.requests()).append(";w=")
                        .append(l.windowSeconds());
            }
        }
        return sb.toString();
    }

    static String keyOf(BucketSpec spec, HttpServletRequest request, Payer payer) {
        KeyBy by = spec.key();
        switch (by) {
            case GLOBAL:
                return "";
            case PAYER:
                return payer != null ? "p:" + payer.accountId() : "ip:" + request.getRemoteAddr();
            case PRINCIPAL: {
                Principal p = request.getUserPrincipal();
                return p != null ? "u:" + p.getName() : "ip:" + request.getRemoteAddr();
            }
            case HEADER: {
                String v = request.getHeader(spec.header());
                if (v == null || v.isEmpty()) {
                    return "ip:" + request.getRemoteAddr();
                }
                return "h:" + (v.length() <= 128 ? v : sha256(v));
            }
            case CLIENT_IP:
            default:
                return "ip:" + request.getRemoteAddr();
        }
    }

    private static String sha256(String v) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(v.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private record BucketKey(int bucketId, String key) {
    }
}
