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
 * @param id a number unique within the policy table, part of every local bucket's cache key
 * @param stableId the same on every node running the same code (origin, group and a digest of the
 *     limits), part of every shared bucket's key, so a changed limit gets fresh buckets
 * @param key what requests are counted by
 * @param header the header for {@link KeyBy#HEADER}, else {@code null}
 * @param resolver the resolver for {@link KeyBy#CUSTOM}, else {@code null}
 * @param tokens tokens one request takes
 * @param count which outcomes count
 * @param shadow whether the limits only report
 * @param onStoreFailure what to do when the shared store fails ({@code DEFAULT}: the configured one)
 * @param limits the bandwidths, in declaration order
 */
public record BucketSpec(int id, String stableId, KeyBy key, String header, RateLimitKeyResolver resolver, long tokens,
                         Count count, boolean shadow, StoreFailure onStoreFailure, List<LimitSpec> limits) {

    // Copies the limits and requires the non-null components.
    public BucketSpec {
        Objects.requireNonNull(stableId, "stableId");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(count, "count");
        Objects.requireNonNull(onStoreFailure, "onStoreFailure");
        limits = List.copyOf(limits);
        if (limits.isEmpty()) {
            throw new IllegalArgumentException("no limits");
        }
    }

    /** {@return the Bucket4j configuration: one greedy bandwidth per limit} */
    public BucketConfiguration configuration() {
        ConfigurationBuilder b = BucketConfiguration.builder();
        for (LimitSpec l : limits) {
            b.addLimit(Bandwidth.builder().capacity(l.requests()).refillGreedy(l.requests(), l.period())
                    .id(l.name()).build());
        }
        return b.build();
    }

    /** {@return how long an untouched bucket takes to refill completely; after that it can be dropped} */
    public Duration idleTimeout() {
        Duration max = Duration.ZERO;
        for (LimitSpec l : limits) {
            if (l.period().compareTo(max) > 0) {
                max = l.period();
            }
        }
        return max;
    }
}
