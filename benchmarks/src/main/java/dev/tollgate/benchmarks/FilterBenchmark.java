package dev.tollgate.benchmarks;

import dev.tollgate.HeaderPayerResolver;
import dev.tollgate.Money;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Endpoint;
import dev.tollgate.engine.Engine;
import dev.tollgate.engine.Settled;
import dev.tollgate.engine.Ticket;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Reservation;
import jakarta.servlet.FilterChain;
import java.util.Map;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What Tollgate costs per request, without a container: {@link jakarta.servlet.Filter#doFilter} of a
 * started {@code TollgateFilter} (what a container calls) with stub requests, or the engine API
 * (what an adapter calls). Public API only, so the figures stay comparable across refactorings.
 *
 * <ul>
 *   <li>{@code passThrough}: a request to a servlet with no policy;</li>
 *   <li>{@code rateLimitOnly}: a limited free endpoint (limit check, headers);</li>
 *   <li>{@code limitedAdmission}: {@code Engine.admit} of a limited free resource method: the local
 *       limiter's decision and the admission around it, nothing written (the limiter alone is not
 *       public API);</li>
 *   <li>{@code paidDecision}: policy lookup, payer, local limit, in-memory reserve, the (empty)
 *       endpoint, commit;</li>
 *   <li>{@code engineAdmitSettle}: a paid resource method through the engine API an adapter uses
 *       ({@code Engine.admit}, then {@code Ticket.settle}), with nothing written;</li>
 *   <li>{@code ledgerReserveCommit} and {@code payerResolution}: the in-memory ledger and the header
 *       payer resolver alone;</li>
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

    private BenchTollgate tollgate;
    private jakarta.servlet.Filter filter;
    private Engine engine;
    private Endpoint limitedMethod;
    private Endpoint paidMethod;
    private final FilterChain endpoint = (request, response) -> { };
    private final StubResponse response = new StubResponse();
    private StubRequest free;
    private StubRequest limited;
    private StubRequest paid;
    private StubRequest unpaid;
    private StubRequest exhausted;
    private InMemoryLedger ledger;
    private final HeaderPayerResolver resolver = new HeaderPayerResolver("X-API-Key", true);
    private final Charge charge = new Charge("gold", Money.credits("1"), null, "GET bench",
            new Idempotency("k", "", false));

    @Setup
    public void setUp() throws Exception {
        ledger = InMemoryLedger.builder().history(0)
                .account("gold", Money.credits("1000000000000000")).build();
        tollgate = BenchTollgate.start(TollgateConfig.builder().ledger(ledger).build(), Map.of(
                "free", BenchServlets.Free.class, "limited", BenchServlets.Limited.class,
                "paid", BenchServlets.Paid.class, "exhausted", BenchServlets.Exhausted.class));
        filter = tollgate.filter();
        engine = tollgate.engine();
        limitedMethod = tollgate.resourceMethod("limited");
        paidMethod = tollgate.resourceMethod("paid");
        free = new StubRequest("GET", "free", "10.0.0.1");
        limited = new StubRequest("GET", "limited", "10.0.0.1");
        paid = new StubRequest("GET", "paid", "10.0.0.1").header("X-API-Key", "gold");
        unpaid = new StubRequest("GET", "paid", "10.0.0.1");
        exhausted = new StubRequest("GET", "exhausted", "10.0.0.1");
        check(call(exhausted), 200, "the one request of the day");
        check(call(exhausted), 429, "an exhausted limit");
        check(call(paid), 200, "a paid call"); // confirms the key once, as a running server would have
        check(call(unpaid), 402, "an unpaid call");
        check(call(free), 200, "a free call");
        check(call(limited), 200, "a limited call");
        delivered(limitedAdmission(), "a limited call through the engine");
        delivered(engineAdmitSettle(), "a paid call through the engine");
    }

    private static void delivered(Object settled, String what) {
        if (!(settled instanceof Settled.Deliver)) {
            throw new IllegalStateException(what + ": " + settled + ", expected a delivery");
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

    /** A benchmark that measured the wrong outcome (a 503 instead of a charge) would mislead. */
    private void check(long ignored, int status, String what) {
        if (response.getStatus() != status) {
            throw new IllegalStateException(what + ": status " + response.getStatus() + ", expected " + status);
        }
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
    public Object limitedAdmission() throws Exception {
        limited.reset();
        Admission admission = engine.admit(limitedMethod, limited, null);
        return admission instanceof Ticket ticket ? ticket.settle(200, () -> null, true) : admission;
    }

    @Benchmark
    public long paidDecision() throws Exception {
        return call(paid);
    }

    @Benchmark
    public Object engineAdmitSettle() throws Exception {
        paid.reset();
        Admission admission = engine.admit(paidMethod, paid, null);
        return admission instanceof Ticket ticket ? ticket.settle(200, () -> null, true) : admission;
    }

    @Benchmark
    public Object ledgerReserveCommit() {
        Reservation r = ledger.reserve(charge);
        return ledger.commit(((Reservation.Authorized) r).hold(), null);
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
