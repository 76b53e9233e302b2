package dev.tollgate.benchmarks;

import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.micrometer.TollgateMetrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.FilterChain;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What events and metrics cost on the paid path, in one run: {@link FilterBenchmark#paidDecision}'s
 * request (policy, payer, local limit, in-memory reserve, empty endpoint, commit) through a
 * {@code TollgateFilter} with no event listener ({@code none}), and with a {@link TollgateMetrics}
 * listener on a {@link SimpleMeterRegistry} ({@code simple}) or a {@link PrometheusMeterRegistry}
 * ({@code prometheus}). A paid call emits four events (reserve timed, admitted, commit timed,
 * charged). Also {@code passThrough} and {@code render402}, to show that paths without a charge
 * stay where they were. Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class EventsBenchmark {

    @Param({"none", "simple", "prometheus"})
    public String listener;

    private BenchTollgate tollgate;
    private jakarta.servlet.Filter filter;
    private final FilterChain endpoint = (request, response) -> { };
    private final StubResponse response = new StubResponse();
    private StubRequest paid;
    private StubRequest unpaid;
    private StubRequest free;
    private TollgateMetrics metrics;

    @Setup
    public void setUp() throws Exception {
        InMemoryLedger ledger = InMemoryLedger.builder().history(0)
                .account("gold", Money.credits("1000000000000000")).build();
        TollgateConfig.Builder config = TollgateConfig.builder().ledger(ledger);
        switch (listener) {
            case "none" -> metrics = null;
            case "simple" -> metrics = new TollgateMetrics(new SimpleMeterRegistry());
            case "prometheus" -> metrics = new TollgateMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
            default -> throw new IllegalArgumentException("listener " + listener);
        }
        if (metrics != null) {
            config.eventListener(metrics);
        }
        tollgate = BenchTollgate.start(config.build(), Map.of("free", BenchServlets.Free.class,
                "paid", BenchServlets.Paid.class));
        filter = tollgate.filter();
        paid = new StubRequest("GET", "paid", "10.0.0.1").header("X-API-Key", "gold");
        unpaid = new StubRequest("GET", "paid", "10.0.0.1");
        free = new StubRequest("GET", "free", "10.0.0.1");
        check(paid, 200);
        check(unpaid, 402);
        check(free, 200);
        if (metrics != null && metrics.charged("credits").signum() <= 0) {
            throw new IllegalStateException("the metrics listener heard no charge");
        }
    }

    private void check(StubRequest request, int status) throws Exception {
        call(request);
        if (response.getStatus() != status) {
            throw new IllegalStateException(request + ": status " + response.getStatus() + ", expected " + status);
        }
    }

    @TearDown
    public void tearDown() {
        tollgate.close();
    }

    private long call(StubRequest request) throws Exception {
        request.reset();
        response.recycle();
        filter.doFilter(request, response, endpoint);
        return response.getStatus() + response.bodyBytes();
    }

    @Benchmark
    public long paidDecision() throws Exception {
        return call(paid);
    }

    @Benchmark
    public long render402() throws Exception {
        return call(unpaid);
    }

    @Benchmark
    public long passThrough() throws Exception {
        return call(free);
    }
}
