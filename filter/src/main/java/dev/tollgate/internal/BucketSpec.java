package dev.tollgate.internal;

import dev.tollgate.annotations.KeyBy;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.BucketConfiguration;
import io.github.bucket4j.ConfigurationBuilder;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The limits of one policy that share a key: one Bucket4j bucket per distinct key, with one
 * bandwidth per limit, so a request is admitted by all of them or by none.
 *
 * @param id a number unique within the policy table, part of every bucket's cache key
 * @param key what requests are counted by
 * @param header the header for {@link KeyBy#HEADER}, else {@code null}
 * @param tokens tokens one request takes
 * @param limits the bandwidths, in declaration order
 */
public record BucketSpec(int id, KeyBy key, String header, long tokens, List<LimitSpec> limits) {

    // Validates and copies.
    public BucketSpec {
        Objects.requireNonNull(key, "key");
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
