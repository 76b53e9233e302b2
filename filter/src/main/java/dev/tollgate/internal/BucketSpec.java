package dev.tollgate.internal;

import dev.tollgate.annotations.Count;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.spi.RateLimitKeyResolver;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The limits of one policy that share a key and behaviour: one Bucket4j bucket per distinct key,
 * with one bandwidth per limit, so a request is admitted by all of them or by none.
 *
 * <p>Immutable. Equality is identity: two specs are two sets of buckets, even with equal limits,
 * so the limiter can take specs made at any time (servlets at start-up, JAX-RS resources when
 * their application starts) without a registry.
 */
public final class BucketSpec {

    private final String stableId;
    private final KeyBy key;
    private final String header;
    private final RateLimitKeyResolver resolver;
    private final long tokens;
    private final Count count;
    private final boolean shadow;
    private final StoreFailure onStoreFailure;
    private final List<LimitSpec> limits;
    private final BucketConfiguration configuration;
    private final long idleNanos;

    /**
     * Creates a spec.
     *
     * @param stableId the same on every node running the same code (origin, group and a digest of
     *     the limits), part of every shared bucket's key, so a changed limit gets fresh buckets
     * @param key what requests are counted by
     * @param header the header for {@link KeyBy#HEADER}, else {@code null}
     * @param resolver the resolver for {@link KeyBy#CUSTOM}, else {@code null}
     * @param tokens tokens one request takes
     * @param count which outcomes count
     * @param shadow whether the limits only report
     * @param onStoreFailure what to do when the shared store fails ({@code DEFAULT}: the configured one)
     * @param limits the bandwidths, in declaration order; not empty
     */
    public BucketSpec(String stableId, KeyBy key, String header, RateLimitKeyResolver resolver, long tokens,
                      Count count, boolean shadow, StoreFailure onStoreFailure, List<LimitSpec> limits) {
        this.stableId = Objects.requireNonNull(stableId, "stableId");
        this.key = Objects.requireNonNull(key, "key");
        this.header = header;
        this.resolver = resolver;
        this.tokens = tokens;
        this.count = Objects.requireNonNull(count, "count");
        this.shadow = shadow;
        this.onStoreFailure = Objects.requireNonNull(onStoreFailure, "onStoreFailure");
        this.limits = List.copyOf(limits);
        if (this.limits.isEmpty()) {
            throw new IllegalArgumentException("no limits");
        }
        ConfigurationBuilder b = BucketConfiguration.builder();
        Duration max = Duration.ZERO;
        for (LimitSpec l : this.limits) {
            b.addLimit(Bandwidth.builder().capacity(l.requests()).refillGreedy(l.requests(), l.period())
                    .id(l.name()).build());
            if (l.period().compareTo(max) > 0) {
                max = l.period();
            }
        }
        this.configuration = b.build();
        this.idleNanos = max.toNanos();
    }

    /** {@return the key shared by every node running the same code} */
    public String stableId() {
        return stableId;
    }

    /** {@return what requests are counted by} */
    public KeyBy key() {
        return key;
    }

    /** {@return the header for {@link KeyBy#HEADER}, else {@code null}} */
    public String header() {
        return header;
    }

    /** {@return the resolver for {@link KeyBy#CUSTOM}, else {@code null}} */
    public RateLimitKeyResolver resolver() {
        return resolver;
    }

    /** {@return the tokens one request takes} */
    public long tokens() {
        return tokens;
    }

    /** {@return which outcomes count} */
    public Count count() {
        return count;
    }

    /** {@return whether the limits only report} */
    public boolean shadow() {
        return shadow;
    }

    /** {@return what to do when the shared store fails} */
    public StoreFailure onStoreFailure() {
        return onStoreFailure;
    }

    /** {@return the limits, in declaration order} */
    public List<LimitSpec> limits() {
        return limits;
    }

    /** {@return the Bucket4j configuration: one greedy bandwidth per limit; built once} */
    public BucketConfiguration configuration() {
        return configuration;
    }

    /** {@return how long an untouched bucket takes to refill completely; after that it can be dropped} */
    public Duration idleTimeout() {
        return Duration.ofNanos(idleNanos);
    }

    long idleNanos() {
        return idleNanos;
    }

    @Override
    public String toString() {
        return "BucketSpec[" + stableId + ", " + key + ", " + limits + "]";
    }
}
