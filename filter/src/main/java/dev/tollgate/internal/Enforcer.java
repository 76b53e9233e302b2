package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Answer;
import dev.tollgate.engine.Endpoint;
import dev.tollgate.engine.Engine;
import dev.tollgate.engine.Ticket;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.RateLimitStore;
import io.github.bucket4j.TimeMeter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The engine of one web application: the admission pipeline (payer, {@code Idempotency-Key}, rate
 * limits, payment) as small steps that return decisions, wired once; the servlet filter's face on
 * it ({@link #filter}); and the {@link Engine} API for other adapters. Immutable after construction
 * and thread-safe.
 */
@SuppressWarnings("deprecation")
public final class Enforcer implements Engine, AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Request attribute of an adapter's backstop: see {@link Engine#backstop}. */
    public static final String UNSETTLED = Backstop.UNSETTLED;

    /** Request attribute with the payer of an admitted paid request (see {@code Tollgate.PAYER_ATTRIBUTE}). */
    public static final String PAYER_ATTRIBUTE = "dev.tollgate.payer";

    /** Request attribute with the hold of an admitted paid request. */
    public static final String HOLD_ATTRIBUTE = "dev.tollgate.hold";

    /** Request attribute with the payer's available balance after the hold. */
    public static final String BALANCE_ATTRIBUTE = "dev.tollgate.balance";

    private final Map<dev.tollgate.spi.payment.PaymentScheme<?, ?>, List<dev.tollgate.spi.payment.Terms>>
            schemeEndpoints;
    private final TollgateConfig config;
    private final PolicyTable table;
    private final RateLimiter limiter;
    private final Reservations reservations;
    private final PayerIdentification payers;
    private final RateLimitStep limits;
    private final AnswerRenderer answers;
    private final AdmissionPipeline pipeline;
    private final DispatchRules dispatch;
    private final ServletAdapter servlet;
    private final ResourcePolicies resources = new ResourcePolicies();
    private final MeteringCheck metering;

    /**
     * Creates the engine.
     *
     * @param config the configuration
     * @param table the policies
     * @param ledger the ledger
     * @param resolver the payer resolver
     * @param renderer the renderer of refusals
     * @param store the shared rate-limit store, or {@code null} for local buckets
     * @param listener who hears about rate-limit events (deprecated)
     */
    public Enforcer(TollgateConfig config, PolicyTable table, Ledger ledger, PayerResolver resolver,
                    DenialRenderer renderer, RateLimitStore store, RateLimitListener listener) {
        this(config, table, ledger, resolver, renderer, store, listener, "/");
    }

    /**
     * Creates the engine.
     *
     * @param config the configuration
     * @param table the policies
     * @param ledger the ledger
     * @param resolver the payer resolver
     * @param renderer the renderer of refusals
     * @param store the shared rate-limit store, or {@code null} for local buckets
     * @param listener who hears about rate-limit events (deprecated)
     * @param namespace the namespace of shared rate-limit keys
     */
    public Enforcer(TollgateConfig config, PolicyTable table, Ledger ledger, PayerResolver resolver,
                    DenialRenderer renderer, RateLimitStore store, RateLimitListener listener, String namespace) {
        this(config, table, ledger, resolver, renderer, store, listener, namespace, config.paymentSchemes());
    }

    /**
     * Creates the engine.
     *
     * @param config the configuration
     * @param table the policies
     * @param ledger the ledger
     * @param resolver the payer resolver
     * @param renderer the renderer of refusals
     * @param store the shared rate-limit store, or {@code null} for local buckets
     * @param listener who hears about rate-limit events (deprecated)
     * @param namespace the namespace of shared rate-limit keys
     * @param schemes the payment schemes found besides the built-in account scheme; those that
     *     {@value TollgateConfig#SCHEMES} names are accepted
     * @throws IllegalStateException if {@value TollgateConfig#SCHEMES} names a scheme not found
     */
    public Enforcer(TollgateConfig config, PolicyTable table, Ledger ledger, PayerResolver resolver,
                    DenialRenderer renderer, RateLimitStore store, RateLimitListener listener, String namespace,
                    java.util.Collection<? extends dev.tollgate.spi.payment.PaymentScheme<?, ?>> schemes) {
        this(config, table, ledger, resolver, renderer, store, namespace, schemes,
                EventSink.of(List.of(EventSink.adapt(listener)), config.clock()));
    }

    /**
     * Creates the engine.
     *
     * @param config the configuration
     * @param table the policies
     * @param ledger the ledger
     * @param resolver the payer resolver
     * @param renderer the renderer of refusals
     * @param store the shared rate-limit store, or {@code null} for local buckets
     * @param namespace the namespace of shared rate-limit keys
     * @param schemes the payment schemes found besides the built-in account scheme; those that
     *     {@value TollgateConfig#SCHEMES} names are accepted
     * @param events who hears each decision, or {@code null} when nobody listens
     * @throws IllegalStateException if {@value TollgateConfig#SCHEMES} names a scheme not found
     */
    public Enforcer(TollgateConfig config, PolicyTable table, Ledger ledger, PayerResolver resolver,
                    DenialRenderer renderer, RateLimitStore store, String namespace,
                    java.util.Collection<? extends dev.tollgate.spi.payment.PaymentScheme<?, ?>> schemes,
                    EventSink events) {
        this.config = config;
        this.table = table;
        this.metering = new MeteringCheck(ledger);
        metering.check(table);
        this.limiter = new RateLimiter(config.maxBuckets(), timeMeter(config.clock()), store,
                config.onStoreFailure(), ClientAddress.trusting(config.trustedProxies(), config.forwardedHeader()),
                events, namespace, config.ipv6Prefix());
        this.reservations = new Reservations(ledger, config, events);
        this.payers = new PayerIdentification(config, resolver, ledger, reservations);
        this.limits = new RateLimitStep(limiter, payers);
        this.answers = new AnswerRenderer(config, renderer);
        PaymentSchemes paymentSchemes = new PaymentSchemes(config, new AccountScheme(config, payers, reservations),
                schemes);
        List<Policy> policies = new java.util.ArrayList<>(table.configured().all());
        table.servlets().values().forEach(m -> policies.addAll(m.all().values()));
        paymentSchemes.check(policies);
        this.schemeEndpoints = paymentSchemes.endpoints(policies);
        this.pipeline = new AdmissionPipeline(config, limiter, payers, limits, paymentSchemes, answers, events);
        this.dispatch = new DispatchRules(table);
        this.servlet = new ServletAdapter(this, dispatch, config, events);
    }

    /**
     * {@return the terms of the servlet endpoints and configured policies that accept each payment
     * scheme besides the account scheme, for {@link dev.tollgate.spi.payment.PaymentScheme#start}}
     */
    public Map<dev.tollgate.spi.payment.PaymentScheme<?, ?>, List<dev.tollgate.spi.payment.Terms>> schemeEndpoints() {
        return schemeEndpoints;
    }

    /** {@return the policies} */
    public PolicyTable table() {
        return table;
    }

    /** {@return the rate limiter} */
    public RateLimiter limiter() {
        return limiter;
    }

    /** {@return how many holds wait for a release the ledger could not take yet} */
    public int pendingReleases() {
        return reservations.pendingReleases();
    }

    /** Stops retrying releases; holds still waiting are left to the ledger's expiry. */
    @Override
    public void close() {
        reservations.close();
        limiter.close();
    }

    /**
     * Filters one request: the servlet adapter.
     *
     * @param request the request
     * @param response the response
     * @param chain the rest of the chain
     * @throws IOException from the chain or when writing a refusal
     * @throws ServletException from the chain
     */
    public void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        servlet.filter(request, response, chain);
    }

    @Override
    public void expectAdapters(String servletName) {
        dispatch.expectAdapters(servletName);
    }

    @Override
    public Admission admit(Endpoint endpoint, HttpServletRequest request, InputStream entity)
            throws IOException, ServletException {
        List<Map.Entry<String, String>> headers = new ArrayList<>(4);
        return pipeline.admit(policy(endpoint), request, entity, (n, v) -> headers.add(Map.entry(n, v)), headers);
    }

    /**
     * Admits a request for the servlet adapter.
     *
     * @param response receives headers before any answer (rate-limit state), as the endpoint's
     *     response would
     */
    Admission admit(Policy policy, HttpServletRequest request, HttpServletResponse response)
            throws IOException, ServletException {
        return pipeline.admit(policy, request, null, response::setHeader, null);
    }

    /**
     * Identifies the caller's account for an endpoint that is not priced but needs to know who
     * calls; sends {@code 401} or {@code 503} itself when there is none.
     *
     * @param request the request
     * @param response the response; must not be committed
     * @return the account, or empty when a refusal was sent
     * @throws IOException if writing the refusal fails
     */
    public Optional<Account> requireAccount(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        Payer payer;
        try {
            payer = payers.resolve(request);
        } catch (InvalidCredentialsException e) {
            send(Refusals.invalidCredentials(e.getMessage()), request, response);
            return Optional.empty();
        }
        if (payer == null) {
            send(Refusals.accountNeeded(config), request, response);
            return Optional.empty();
        }
        PayerIdentification.Lookup lookup = payers.account(payer);
        if (lookup.refusal() != null) {
            send(lookup.refusal(), request, response);
            return Optional.empty();
        }
        return Optional.of(lookup.account());
    }

    /**
     * Sends a refusal the way Tollgate sends its own.
     *
     * @param denial the refusal
     * @param request the request
     * @param response the response; must not be committed
     * @throws IOException if writing fails
     */
    public void send(Denial denial, HttpServletRequest request, HttpServletResponse response) throws IOException {
        ResponseWriter.write(answers.render(denial, request, null), request, response);
    }

    // ------------------------------------------------------------------ the Engine API for adapters

    @Override
    public Optional<Endpoint> policyFor(Class<?> resourceClass, Method method) {
        return Optional.ofNullable(metering.check(resources.lookup(resourceClass, method)));
    }

    @Override
    public Answer refusal(Denial denial, HttpServletRequest request) {
        return answers.render(denial, request, null);
    }

    @Override
    public Optional<Endpoint> coveredBy(HttpServletRequest request, Endpoint endpoint) {
        return Optional.ofNullable(DispatchRules.coveredBy(request, policy(endpoint)));
    }

    @Override
    public void enforced(HttpServletRequest request, Endpoint endpoint) {
        DispatchRules.enforced(request, policy(endpoint));
    }

    @Override
    public void backstop(HttpServletRequest request, Ticket ticket) {
        request.setAttribute(Backstop.UNSETTLED,
                (Runnable) () -> ticket.abandon("the request ended without a response from the resource"));
    }

    @Override
    public void abortResponse(HttpServletRequest request, Throwable cause) {
        request.setAttribute(Backstop.ABORTED, cause);
    }

    /**
     * Implements {@link Engine#mustCloseAfterAnswer}.
     *
     * @param request the request
     * @param body the body stream, or {@code null}
     * @return whether to close
     */
    public static boolean mustCloseAfterAnswer(HttpServletRequest request, InputStream body) {
        return ResponseWriter.mustCloseAfterAnswer(request, body);
    }

    /**
     * Implements {@link Engine#write}.
     *
     * @param answer the answer
     * @param request the request
     * @param response the response
     * @throws IOException if writing fails
     */
    public static void write(Answer answer, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        ResponseWriter.write(answer, request, response);
    }

    /**
     * Implements {@link Engine#isReplayedHeader}.
     *
     * @param name the header name
     * @return whether replays repeat it
     */
    public static boolean isReplayedHeader(String name) {
        return PaidResponse.isReplayed(name);
    }

    @Override
    public int maxResponseBytes() {
        return config.maxResponseBytes();
    }

    private static Policy policy(Endpoint endpoint) {
        if (endpoint instanceof Policy p) {
            return p;
        }
        throw new IllegalArgumentException("not an endpoint of this engine: " + endpoint);
    }

    private static TimeMeter timeMeter(Clock clock) {
        if (clock == null) {
            return TimeMeter.SYSTEM_MILLISECONDS;
        }
        return new TimeMeter() {
            @Override
            public long currentTimeNanos() {
                return clock.millis() * 1_000_000L;
            }

            @Override
            public boolean isWallClockBased() {
                return true;
            }
        };
    }
}
