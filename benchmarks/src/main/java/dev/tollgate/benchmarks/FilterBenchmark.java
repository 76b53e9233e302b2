package dev.tollgate.benchmarks;

import dev.tollgate.HeaderPayerResolver;
import dev.tollgate.Money;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Ticket;
import dev.tollgate.internal.Enforcer;
import dev.tollgate.internal.Policy;
import dev.tollgate.internal.PolicyScanner;
import dev.tollgate.internal.PolicyTable;
import dev.tollgate.internal.RateLimitDecision;
import dev.tollgate.internal.RateLimiter;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.RateLimitListener;
import jakarta.servlet.FilterChain;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Tollgate costs per request inside the filter, without a container: the same engine the
 * servlet filter runs, called with stub requests.
 *
 * <ul>
 *   <li>{@code passThrough}: a request to a servlet with no policy;</li>
 *   <li>{@code rateLimitOnly}: a limited free endpoint (limit check, headers);</li>
 *   <li>{@code limiterDecision}: the local limiter's decision alone;</li>
 *   <li>{@code paidDecision}: policy lookup, payer, local limit, in-memory reserve, the (empty)
 *       endpoint, commit;</li>
 *   <li>{@code engineAdmitSettle}: the same paid call through the engine API an adapter uses
 *       ({@code Engine.admit}, then {@code Ticket.settle}), with nothing written;</li>
 *   <li>{@code render402} and {@code render429}: refusals written as problem details.</li>
 * </ul>
 * Run with {@code -prof gc} for bytes allocated per operation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class FilterBenchmark {

    private Enforcer enforcer;
    private RateLimiter limiter;
    private Policy limitedPolicy;
    private Policy paidPolicy;
    private final FilterChain endpoint = (request, response) -> { };
    private final StubResponse response = new StubResponse();
    private StubRequest free;
    private StubRequest limited;
    private StubRequest paid;
    private StubRequest unpaid;
    private StubRequest exhausted;
    private final Payer payer = new Payer("gold", Payer.Source.API_KEY);
    private InMemoryLedger ledger;
    private final HeaderPayerResolver resolver = new HeaderPayerResolver("X-API-Key", true);
    private final dev.tollgate.spi.Charge charge = new dev.tollgate.spi.Charge("gold", Money.credits("1"), null,
            "GET bench", new dev.tollgate.spi.Idempotency("k", "", false));

    @Setup
    public void setUp() throws Exception {
        PolicyScanner scanner = new PolicyScanner();
        scanner.add("free", BenchServlets.Free.class);
        scanner.add("limited", BenchServlets.Limited.class);
        scanner.add("paid", BenchServlets.Paid.class);
        scanner.add("exhausted", BenchServlets.Exhausted.class);
        PolicyTable table = scanner.build();
        ledger = InMemoryLedger.builder().history(0)
                .account("gold", Money.credits("1000000000000000")).build();
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).build();
        enforcer = new Enforcer(config, table, ledger, new HeaderPayerResolver("X-API-Key", true),
                new ProblemDetailsRenderer(), null, new RateLimitListener() { });
        limiter = enforcer.limiter();
        limitedPolicy = table.lookup("limited", "GET");
        paidPolicy = table.lookup("paid", "GET");
        free = new StubRequest("GET", "free", "10.0.0.1");
        limited = new StubRequest("GET", "limited", "10.0.0.1");
        paid = new StubRequest("GET", "paid", "10.0.0.1").header("X-API-Key", "gold");
        unpaid = new StubRequest("GET", "paid", "10.0.0.1");
        exhausted = new StubRequest("GET", "exhausted", "10.0.0.1");
        call(exhausted); // spend the one request of the day
        call(paid); // confirm the key once, as a running server would have
    }

    private long call(StubRequest request) throws Exception {
        request.reset();
        response.recycle();
        enforcer.filter(request, response, endpoint);
        return response.getStatus() + response.bodyBytes();
    }

    @Benchmark
    public long passThrough() throws Exception {
        return call(free);
    }

    @Benchmark
    public long rateLimitOnly() throws Exception {
        return call(limited);
    }

    @Benchmark
    public RateLimitDecision limiterDecision() {
        return limiter.check(limitedPolicy, limitedPolicy.tierFor(null), limited, payer);
    }

    @Benchmark
    public long paidDecision() throws Exception {
        return call(paid);
    }

    @Benchmark
    public Object engineAdmitSettle() throws Exception {
        paid.reset();
        Admission admission = enforcer.admit(paidPolicy, paid, null);
        return admission instanceof Ticket ticket ? ticket.settle(200, () -> null, true) : admission;
    }

    @Benchmark
    public Object ledgerReserveCommit() {
        dev.tollgate.spi.Reservation r = ledger.reserve(charge);
        return ledger.commit(((dev.tollgate.spi.Reservation.Authorized) r).hold(), null);
    }

    @Benchmark
    public Object payerResolution() throws Exception {
        return resolver.resolve(paid);
    }

    @Benchmark
    public long render402() throws Exception {
        return call(unpaid);
    }

    @Benchmark
    public long render429() throws Exception {
        return call(exhausted);
    }
}
