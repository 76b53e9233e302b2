package dev.tollgate.benchmarks;

import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.internal.ClientAddress;
import dev.tollgate.internal.Policy;
import dev.tollgate.internal.PolicyScanner;
import dev.tollgate.internal.PolicyTable;
import dev.tollgate.internal.RateLimiter;
import dev.tollgate.spi.RateLimitListener;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Heap held by per-key rate-limit state as distinct keys arrive: Tollgate's local limiter (a bounded
 * cache, 100,000 buckets by default) next to an unbounded map of buckets, the pattern that runs
 * homegrown limiters out of memory. One million distinct client addresses each send one request;
 * the used heap after a full GC is printed at checkpoints. Run with a fixed heap, for example
 * {@code -Xmx1g}.
 */
public final class BoundedMemory {

    private BoundedMemory() {
    }

    public static void main(String[] args) {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        PolicyScanner scanner = new PolicyScanner();
        scanner.add("limited", BenchServlets.Limited.class);
        PolicyTable table = scanner.build();
        Policy policy = table.lookup("limited", "GET");

        int[] checkpoints = {100_000, 250_000, 500_000, 750_000, total};
        long[] tollgate = new long[checkpoints.length];
        long[] buckets = new long[checkpoints.length];
        long[] unbounded = new long[checkpoints.length];

        // Each structure alone, one after the other, so the heap holds only it.
        long base = usedAfterGc();
        RateLimiter limiter = new RateLimiter(100_000, TimeMeter.SYSTEM_MILLISECONDS, null, StoreFailure.LOCAL,
                ClientAddress.trusting(""), new RateLimitListener() { });
        int done = 0;
        for (int c = 0; c < checkpoints.length; c++) {
            for (; done < checkpoints[c]; done++) {
                limiter.check(policy, policy.tierFor(null), new StubRequest("GET", "limited", address(done)), null);
            }
            tollgate[c] = usedAfterGc() - base;
            buckets[c] = limiter.bucketCount();
        }
        limiter = null;

        base = usedAfterGc();
        ConcurrentMap<String, Bucket> naive = new ConcurrentHashMap<>();
        done = 0;
        for (int c = 0; c < checkpoints.length; c++) {
            for (; done < checkpoints[c]; done++) {
                naive.computeIfAbsent("ip:" + address(done), k -> Bucket.builder()
                        .addLimit(Bandwidth.builder().capacity(1_000_000_000L)
                                .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)).build()).build())
                        .tryConsume(1);
            }
            unbounded[c] = usedAfterGc() - base;
        }

        System.out.println("| distinct keys | Tollgate local limiter: heap | buckets kept | unbounded map of buckets: heap |");
        System.out.println("|---|---|---|---|");
        for (int c = 0; c < checkpoints.length; c++) {
            System.out.printf(Locale.ROOT, "| %,d | %s MiB | %,d | %s MiB |%n", checkpoints[c], mib(tollgate[c]),
                    buckets[c], mib(unbounded[c]));
        }
        if (naive.size() != total || limiter != null) {
            throw new IllegalStateException("keep the map reachable until measured");
        }
    }

    private static String address(int i) {
        return (i >> 24 & 255) + "." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.0f", bytes / 1024.0 / 1024.0);
    }
}
