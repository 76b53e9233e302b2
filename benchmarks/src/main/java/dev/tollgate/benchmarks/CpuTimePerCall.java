package dev.tollgate.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A second signal for {@link FilterBenchmark} on a shared, busy machine: the CPU time this thread
 * spends per call ({@link ThreadMXBean#getCurrentThreadCpuTime()}), which, unlike JMH's wall-clock
 * time, does not count the time the thread waits for a core that another process holds. Calls the
 * benchmark's own methods (set-up included), so it compiles against any version of the class that
 * has them; that lets the same file be compiled against an older checkout and run side by side.
 *
 * <p>Usage: {@code CpuTimePerCall <benchmark> [calls per batch, default 2000000] [batches, default 7]};
 * prints each batch's nanoseconds per call, then the minimum and median. The first two batches are
 * warm-up. Not thread-safe; single thread by design.
 */
public final class CpuTimePerCall {

    private CpuTimePerCall() {
    }

    /**
     * Runs one benchmark method.
     *
     * @param args the method name ({@code passThrough}, {@code rateLimitOnly} or {@code paidDecision}),
     *     then optionally the calls per batch and the number of batches
     * @throws Exception if set-up or a call fails
     */
    public static void main(String[] args) throws Exception {
        String name = args[0];
        int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2_000_000;
        int batches = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        FilterBenchmark b = new FilterBenchmark();
        b.setUp();
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long sink = 0;
        List<Double> measured = new ArrayList<>();
        for (int batch = 0; batch < batches + 2; batch++) {
            long start = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < calls; i++) {
                sink += switch (name) {
                    case "passThrough" -> b.passThrough();
                    case "rateLimitOnly" -> b.rateLimitOnly();
                    case "paidDecision" -> b.paidDecision();
                    default -> throw new IllegalArgumentException("unknown benchmark " + name);
                };
            }
            double perCall = (threads.getCurrentThreadCpuTime() - start) / (double) calls;
            if (batch >= 2) {
                measured.add(perCall);
            }
        }
        List<Double> sorted = new ArrayList<>(measured);
        sorted.sort(null);
        System.out.printf(Locale.ROOT, "%s cpu ns/call: min %.1f median %.1f batches %s (sink %d)%n", name,
                sorted.get(0), sorted.get(sorted.size() / 2), measured.stream()
                        .map(d -> String.format(Locale.ROOT, "%.1f", d)).toList(), sink % 10);
        System.exit(0); // no tear-down: older versions of the benchmark have none; the JVM ends here
    }
}
