package dev.tollgate.benchmarks;

import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Endpoint;
import dev.tollgate.engine.Engine;
import dev.tollgate.engine.Ticket;
import dev.tollgate.ledger.InMemoryLedger;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Heap held by per-key rate-limit state as distinct keys arrive: Tollgate's local limiter (a bounded
 * cache, 100,000 buckets by default) next to an unbounded map of buckets, the pattern that runs
 * homegrown limiters out of memory. One million distinct client addresses each send one request
 * ({@code Engine.admit} of a limited free resource method keyed by client address, then its
 * settlement: public API only); the used heap after a full GC, above that of the freshly started
 * Tollgate, is printed at checkpoints. Run with a fixed heap, for example {@code -Xmx1g}.
 */
public final class BoundedMemory {

    private BoundedMemory() {
    }

    public static void main(String[] args) throws Exception {
        int total = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        int[] checkpoints = java.util.stream.IntStream.concat(
                java.util.stream.IntStream.of(100_000, 250_000, 500_000, 750_000).filter(n -> n < total),
                java.util.stream.IntStream.of(total)).toArray();
        long[] tollgate = new long[checkpoints.length];
        long[] unbounded = new long[checkpoints.length];

        // Each structure alone, one after the other, so the heap holds only it.
        TollgateConfig config = TollgateConfig.builder().ledger(InMemoryLedger.builder().build()).build();
        try (BenchTollgate started = BenchTollgate.start(config, Map.of("limited", BenchServlets.Limited.class))) {
            Engine engine = started.engine();
            Endpoint limited = started.resourceMethod("limited");
            long base = usedAfterGc();
            int done = 0;
            for (int c = 0; c < checkpoints.length; c++) {
                for (; done < checkpoints[c]; done++) {
                    Admission a = engine.admit(limited, new StubRequest("GET", "limited", address(done)), null);
                    if (!(a instanceof Ticket t)) {
                        throw new IllegalStateException("request " + done + " was refused");
                    }
                    t.settle(200, () -> null, true);
                }
                tollgate[c] = usedAfterGc() - base;
            }
            if (started.tollgate().rateLimitStats().admitted() < total) {
                throw new IllegalStateException("not every request was counted");
            }
        }

        long base = usedAfterGc();
        ConcurrentMap<String, Bucket> naive = new ConcurrentHashMap<>();
        int done = 0;
        for (int c = 0; c < checkpoints.length; c++) {
            for (; done < checkpoints[c]; done++) {
                naive.computeIfAbsent("ip:" + address(done), k -> Bucket.builder()
                        .addLimit(Bandwidth.builder().capacity(1_000_000_000L)
                                .refillGreedy(1_000_000_000L, Duration.ofSeconds(1)).build()).build())
                        .tryConsume(1);
            }
            unbounded[c] = usedAfterGc() - base;
        }

        System.out.println("| distinct keys | Tollgate local limiter: heap | unbounded map of buckets: heap |");
        System.out.println("|---|---|---|");
        for (int c = 0; c < checkpoints.length; c++) {
            System.out.printf(Locale.ROOT, "| %,d | %s MiB | %s MiB |%n", checkpoints[c], mib(tollgate[c]),
                    mib(unbounded[c]));
        }
        if (naive.size() != total) {
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
