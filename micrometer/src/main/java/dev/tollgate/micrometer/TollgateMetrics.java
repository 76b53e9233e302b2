package dev.tollgate.micrometer;

import dev.tollgate.Denial;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * Turns Tollgate's events into Micrometer meters: requests by outcome, amounts charged, open holds,
 * ledger and rate-limit store latency. Register it as an event listener:
 *
 * <pre>{@code
 * MeterRegistry registry = ...; // Prometheus, OTLP, JMX...
 * TollgateConfig.builder().eventListener(new TollgateMetrics(registry))
 * // or, before the filter starts:
 * servletContext.setAttribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE, new TollgateMetrics(registry));
 * }</pre>
 *
 * <h2>Meters</h2>
 * Names follow Micrometer's conventions (dot-separated, lower case; each registry renders them in
 * its own style, Prometheus as shown). Tags have few values: endpoint names are servlet or
 * resource names; no tag ever carries an account id, a key or a hold id.
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name (Prometheus)</th><th>type</th><th>tags</th><th>counts</th></tr>
 *   <tr><td>{@value #REQUESTS} ({@code tollgate_requests_total})</td><td>counter</td>
 *       <td>{@code outcome}, {@code endpoint}, {@code problem.type}, {@code scheme}</td>
 *       <td>requests by outcome: {@code charged}, {@code released},
 *       {@code refused}, {@code limited}, {@code passed}, {@code replayed}; {@code problem.type}
 *       (Prometheus: {@code problem_type}) is the refusal's problem type slug (such as
 *       {@code insufficient-funds}; {@code rate-limited} for {@code limited}), {@code scheme} the
 *       payment scheme of charged and released requests; {@code none} where it does not
 *       apply</td></tr>
 *   <tr><td>{@value #CHARGED} ({@code tollgate_charged_total})</td><td>function counter</td>
 *       <td>{@code currency}, {@code endpoint}, {@code scheme}</td><td>the amount charged, summed
 *       exactly (as a {@code BigDecimal}) and shown as the nearest double</td></tr>
 *   <tr><td>{@value #RELEASES} ({@code tollgate_releases_total})</td><td>counter</td>
 *       <td>{@code reason}, {@code endpoint}, {@code scheme}</td><td>holds released, by reason
 *       ({@code not_billable}, {@code failed}, {@code abandoned}, {@code charge_failed})</td></tr>
 *   <tr><td>{@value #ADMITTED} ({@code tollgate_admitted_total})</td><td>counter</td>
 *       <td>{@code endpoint}, {@code scheme}</td><td>paid requests whose payment was held</td></tr>
 *   <tr><td>{@value #OPEN_HOLDS} ({@code tollgate_holds_open})</td><td>gauge</td><td></td>
 *       <td>holds placed and not yet committed or released</td></tr>
 *   <tr><td>{@value #SHADOW_LIMITED} ({@code tollgate_shadow_limited_total})</td><td>counter</td>
 *       <td>{@code endpoint}</td><td>requests a shadow limit would have refused</td></tr>
 *   <tr><td>{@value #LEDGER_CALLS} ({@code tollgate_ledger_calls_seconds})</td><td>timer</td>
 *       <td>{@code operation} ({@code reserve}, {@code commit}, {@code release}), {@code scheme},
 *       {@code result} ({@code success}, {@code failure})</td><td>ledger and payment-scheme calls
 *       on request threads</td></tr>
 *   <tr><td>{@value #LEDGER_FAILURES} ({@code tollgate_ledger_failures_total})</td><td>counter</td>
 *       <td>{@code operation}, {@code scheme}</td><td>ledger and payment-scheme failures</td></tr>
 *   <tr><td>{@value #STORE_CALLS} ({@code tollgate_store_calls_seconds})</td><td>timer</td>
 *       <td>{@code store}, {@code result}</td><td>calls to a shared rate-limit store</td></tr>
 *   <tr><td>{@value #STORE_FAILURES} ({@code tollgate_store_failures_total})</td><td>counter</td>
 *       <td>{@code store}, {@code applied} ({@code open}, {@code closed}, {@code local})</td>
 *       <td>store failures and the policy applied</td></tr>
 *   <tr><td>{@value #SETTLEMENT_RETRIES} ({@code tollgate_settlement_retries_total})</td>
 *       <td>counter</td><td>{@code operation}, {@code result}</td><td>background attempts to
 *       settle a hold the ledger could not settle during its request</td></tr>
 * </table>
 * Counters count from the moment this listener was registered (Tollgate's start). Meters appear at
 * their first event.
 *
 * <h2>Observations</h2>
 * Given an {@link ObservationRegistry} ({@link #TollgateMetrics(MeterRegistry, ObservationRegistry)}),
 * each paid request whose payment is held becomes an observation named {@value #PAID_CALL}, started
 * when the hold is placed (as a child of the request's current observation, if any) and stopped
 * when it is committed or released, with the low-cardinality key values {@code endpoint},
 * {@code scheme} and {@code outcome}. With Micrometer Tracing's OpenTelemetry bridge, each is a
 * span. At most {@value #MAX_OPEN_OBSERVATIONS} are open at once; beyond that, paid requests are
 * not observed (the meters still count them).
 *
 * <p>Thread-safe. Each event costs a map look-up or two and no allocation beyond the look-up keys.
 */
public final class TollgateMetrics implements TollgateListener {

    /** Requests by outcome: {@value}. */
    public static final String REQUESTS = "tollgate.requests";
    /** Amounts charged: {@value}. */
    public static final String CHARGED = "tollgate.charged";
    /** Holds released, by reason: {@value}. */
    public static final String RELEASES = "tollgate.releases";
    /** Paid requests admitted with a hold: {@value}. */
    public static final String ADMITTED = "tollgate.admitted";
    /** Open holds: {@value}. */
    public static final String OPEN_HOLDS = "tollgate.holds.open";
    /** Requests over a shadow limit: {@value}. */
    public static final String SHADOW_LIMITED = "tollgate.shadow.limited";
    /** Ledger call latency: {@value}. */
    public static final String LEDGER_CALLS = "tollgate.ledger.calls";
    /** Ledger failures: {@value}. */
    public static final String LEDGER_FAILURES = "tollgate.ledger.failures";
    /** Rate-limit store call latency: {@value}. */
    public static final String STORE_CALLS = "tollgate.store.calls";
    /** Rate-limit store failures: {@value}. */
    public static final String STORE_FAILURES = "tollgate.store.failures";
    /** Background settlement attempts: {@value}. */
    public static final String SETTLEMENT_RETRIES = "tollgate.settlement.retries";
    /** The observation of a paid call: {@value}. */
    public static final String PAID_CALL = "tollgate.paid.call";
    /** The most paid-call observations open at once: {@value}. */
    public static final int MAX_OPEN_OBSERVATIONS = 100_000;

    private static final String NONE = "none";

    private final MeterRegistry registry;
    private final ObservationRegistry observations;
    private final Map<Object, Counter> counters = new ConcurrentHashMap<>();
    private final Map<Object, Timer> timers = new ConcurrentHashMap<>();
    private final Map<ChargedKey, AtomicReference<BigDecimal>> charged = new ConcurrentHashMap<>();
    private final AtomicLong openHolds = new AtomicLong();
    private final Map<String, Observation> open = new ConcurrentHashMap<>();

    /**
     * Keeps meters in this registry.
     *
     * @param registry the registry
     */
    public TollgateMetrics(MeterRegistry registry) {
        this(registry, ObservationRegistry.NOOP);
    }

    /**
     * Keeps meters in this registry and observes paid calls in the other.
     *
     * @param registry the registry of meters
     * @param observations the registry of observations ({@link ObservationRegistry#NOOP} for none)
     */
    public TollgateMetrics(MeterRegistry registry, ObservationRegistry observations) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.observations = Objects.requireNonNull(observations, "observations");
        Gauge.builder(OPEN_HOLDS, openHolds, AtomicLong::get)
                .description("Holds placed and not yet committed or released")
                .register(registry);
    }

    private record RequestKey(String outcome, String endpoint, String problemType, String scheme) {
    }

    private record ChargedKey(String currency, String endpoint, String scheme) {
    }

    private record TaggedKey(String name, String a, String b, String c) {
    }

    @Override
    public void onEvent(TollgateEvent event) {
        if (event instanceof TollgateEvent.Charged c) {
            request("charged", c.endpoint(), NONE, c.scheme());
            charged.computeIfAbsent(new ChargedKey(c.currency(), c.endpoint(), c.scheme()), this::chargedSum)
                    .accumulateAndGet(c.amount().amount(), BigDecimal::add);
            openHolds.decrementAndGet();
            stop(c.holdId(), "charged");
        } else if (event instanceof TollgateEvent.Released r) {
            request("released", r.endpoint(), NONE, r.scheme());
            counter(new TaggedKey(RELEASES, r.reason().tag(), r.endpoint(), r.scheme()), k -> Counter.builder(RELEASES)
                    .description("Holds released, by reason")
                    .tags("reason", k.a(), "endpoint", k.b(), "scheme", k.c()).register(registry)).increment();
            openHolds.decrementAndGet();
            stop(r.holdId(), "released");
        } else if (event instanceof TollgateEvent.Admitted a) {
            openHolds.incrementAndGet();
            counter(new TaggedKey(ADMITTED, a.endpoint(), a.scheme(), ""), k -> Counter.builder(ADMITTED)
                    .description("Paid requests whose payment was held")
                    .tags("endpoint", k.a(), "scheme", k.b()).register(registry)).increment();
            start(a);
        } else if (event instanceof TollgateEvent.Refused r) {
            request("refused", r.endpoint(), r.problemType(), NONE);
        } else if (event instanceof TollgateEvent.Limited l) {
            request("limited", l.endpoint(), Denial.Kind.RATE_LIMITED.slug(), NONE);
        } else if (event instanceof TollgateEvent.Passed p) {
            request("passed", p.endpoint(), NONE, NONE);
        } else if (event instanceof TollgateEvent.Replayed r) {
            request("replayed", r.endpoint(), NONE, NONE);
        } else if (event instanceof TollgateEvent.ShadowLimited s) {
            counter(new TaggedKey(SHADOW_LIMITED, s.endpoint(), "", ""), k -> Counter.builder(SHADOW_LIMITED)
                    .description("Requests a shadow limit would have refused")
                    .tags("endpoint", k.a()).register(registry)).increment();
        } else if (event instanceof TollgateEvent.LedgerCall c) {
            timer(new TaggedKey(LEDGER_CALLS, c.operation().tag(), c.scheme(), result(c.failed())),
                    k -> Timer.builder(LEDGER_CALLS).description("Ledger and payment-scheme calls on request threads")
                            .tags("operation", k.a(), "scheme", k.b(), "result", k.c()).register(registry))
                    .record(c.nanos(), TimeUnit.NANOSECONDS);
        } else if (event instanceof TollgateEvent.LedgerFailed f) {
            counter(new TaggedKey(LEDGER_FAILURES, f.operation().tag(), f.scheme(), ""),
                    k -> Counter.builder(LEDGER_FAILURES).description("Ledger and payment-scheme failures")
                            .tags("operation", k.a(), "scheme", k.b()).register(registry)).increment();
        } else if (event instanceof TollgateEvent.StoreCall c) {
            timer(new TaggedKey(STORE_CALLS, c.store(), result(c.failed()), ""),
                    k -> Timer.builder(STORE_CALLS).description("Calls to the shared rate-limit store")
                            .tags("store", k.a(), "result", k.b()).register(registry))
                    .record(c.nanos(), TimeUnit.NANOSECONDS);
        } else if (event instanceof TollgateEvent.StoreFailed f) {
            counter(new TaggedKey(STORE_FAILURES, f.store(), f.applied().name().toLowerCase(java.util.Locale.ROOT), ""),
                    k -> Counter.builder(STORE_FAILURES).description("Rate-limit store failures")
                            .tags("store", k.a(), "applied", k.b()).register(registry)).increment();
        } else if (event instanceof TollgateEvent.SettlementRetried s) {
            counter(new TaggedKey(SETTLEMENT_RETRIES, s.operation().tag(), result(!s.succeeded()), ""),
                    k -> Counter.builder(SETTLEMENT_RETRIES).description("Background attempts to settle a hold")
                            .tags("operation", k.a(), "result", k.b()).register(registry)).increment();
        }
    }

    /**
     * {@return the exact amount charged in a currency since this listener started, over every
     * endpoint and scheme}
     *
     * @param currency the currency, such as {@code credits}
     */
    public BigDecimal charged(String currency) {
        BigDecimal sum = BigDecimal.ZERO;
        for (Map.Entry<ChargedKey, AtomicReference<BigDecimal>> e : charged.entrySet()) {
            if (e.getKey().currency().equals(currency)) {
                sum = sum.add(e.getValue().get());
            }
        }
        return sum;
    }

    /** {@return how many holds are open now} */
    public long openHolds() {
        return openHolds.get();
    }

    private static String result(boolean failed) {
        return failed ? "failure" : "success";
    }

    private void request(String outcome, String endpoint, String problemType, String scheme) {
        counters.computeIfAbsent(new RequestKey(outcome, endpoint, problemType, scheme), k -> Counter.builder(REQUESTS)
                .description("Requests by Tollgate's outcome")
                .tags(Tags.of("outcome", outcome, "endpoint", endpoint, "problem.type", problemType, "scheme", scheme))
                .register(registry)).increment();
    }

    private Counter counter(TaggedKey key, Function<TaggedKey, Counter> create) {
        return counters.computeIfAbsent(key, k -> create.apply((TaggedKey) k));
    }

    private Timer timer(TaggedKey key, Function<TaggedKey, Timer> create) {
        return timers.computeIfAbsent(key, k -> create.apply((TaggedKey) k));
    }

    private AtomicReference<BigDecimal> chargedSum(ChargedKey key) {
        AtomicReference<BigDecimal> sum = new AtomicReference<>(BigDecimal.ZERO);
        FunctionCounter.builder(CHARGED, sum, s -> s.get().doubleValue())
                .description("Amount charged, summed exactly")
                .tags("currency", key.currency(), "endpoint", key.endpoint(), "scheme", key.scheme())
                .register(registry);
        return sum;
    }

    private void start(TollgateEvent.Admitted a) {
        if (observations.isNoop() || open.size() >= MAX_OPEN_OBSERVATIONS) {
            return;
        }
        Observation o = Observation.createNotStarted(PAID_CALL, observations)
                .contextualName("tollgate " + a.endpoint())
                .lowCardinalityKeyValue("endpoint", a.endpoint())
                .lowCardinalityKeyValue("scheme", a.scheme())
                .start();
        open.put(a.holdId(), o);
    }

    private void stop(String holdId, String outcome) {
        if (open.isEmpty()) {
            return;
        }
        Observation o = open.remove(holdId);
        if (o != null) {
            o.lowCardinalityKeyValue("outcome", outcome).stop();
        }
    }
}
