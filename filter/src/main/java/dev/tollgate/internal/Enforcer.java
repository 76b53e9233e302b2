package dev.tollgate.internal;

import dev.tollgate.Denial;
import dev.tollgate.Money;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.annotations.KeyBy;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.InvalidCredentialsException;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.PaymentOption;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.Rendering;
import dev.tollgate.spi.Reservation;
import dev.tollgate.spi.Settlement;
import io.github.bucket4j.TimeMeter;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The per-request engine behind the filter: policy lookup, payer, rate limit, reservation, the
 * endpoint, then commit or release, and the refusals in between. One per web application;
 * immutable after construction and thread-safe.
 */
public final class Enforcer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Request attribute holding the policy Tollgate enforced on an earlier dispatch of the request. */
    public static final String HANDLED = "dev.tollgate.handled";

    private static final String IDEMPOTENCY_KEY = "Idempotency-Key";
    /** How long a key the ledger does not know is answered 401 without asking it again. */
    private static final Duration UNKNOWN_KEY_MEMORY = Duration.ofSeconds(10);

    private final TollgateConfig config;
    private final PolicyTable table;
    private final Ledger ledger;
    private final PayerResolver resolver;
    private final DenialRenderer renderer;
    private final ProblemDetailsRenderer fallbackRenderer;
    private final RateLimiter limiter;
    private final String keyPrefix;
    private final AtomicLong keySequence = new AtomicLong();
    private final SettlementRetrier retrier;
    /**
     * Credentials the ledger confirmed within the last minute, with their entitlements when known:
     * counted as themselves, with no look-up.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Known> knownPayers;
    /**
     * Credentials the ledger confirmed within the last 15 minutes (of use): their confirmation is
     * renewed without spending their client address's look-up budget, so a flood of invented keys
     * from a shared address cannot lock out keys already in use there. Only a real key gets in.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> vouchedPayers;
    /**
     * Credentials the ledger said it does not know, for a few seconds: a key repeated is answered
     * {@code 401} again with no look-up and no budget spent. Short, so a new account works soon.
     */
    private final com.github.benmanes.caffeine.cache.Cache<String, Boolean> unknownPayers;

    /**
     * Creates the engine.
     *
     * @param config the configuration
     * @param table the policies
     * @param ledger the ledger
     * @param resolver the payer resolver
     * @param renderer the renderer of refusals
     * @param store the shared rate-limit store, or {@code null} for local buckets
     * @param listener who hears about rate-limit events
     */
    public Enforcer(TollgateConfig config, PolicyTable table, Ledger ledger, PayerResolver resolver,
                    DenialRenderer renderer, dev.tollgate.spi.RateLimitStore store,
                    dev.tollgate.spi.RateLimitListener listener) {
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
     * @param listener who hears about rate-limit events
     * @param namespace the namespace of shared rate-limit keys
     */
    public Enforcer(TollgateConfig config, PolicyTable table, Ledger ledger, PayerResolver resolver,
                    DenialRenderer renderer, dev.tollgate.spi.RateLimitStore store,
                    dev.tollgate.spi.RateLimitListener listener, String namespace) {
        this.config = config;
        this.table = table;
        this.ledger = ledger;
        this.resolver = resolver;
        this.renderer = renderer;
        this.fallbackRenderer = new ProblemDetailsRenderer(config.problemTypeBase());
        this.limiter = new RateLimiter(config.maxBuckets(), timeMeter(config.clock()), store,
                config.onStoreFailure(), ClientAddress.trusting(config.trustedProxies(), config.forwardedHeader()),
                listener, namespace, config.ipv6Prefix());
        this.retrier = new SettlementRetrier(ledger, config);
        // The payer caches run on the configured clock too, so tests move time instead of sleeping.
        com.github.benmanes.caffeine.cache.Ticker ticker = config.clock() == null
                ? com.github.benmanes.caffeine.cache.Ticker.systemTicker()
                : () -> config.clock().millis() * 1_000_000L;
        this.knownPayers = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().ticker(ticker)
                .maximumSize(100_000).expireAfterWrite(Duration.ofMinutes(1)).build();
        this.vouchedPayers = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().ticker(ticker)
                .maximumSize(100_000).expireAfterAccess(Duration.ofMinutes(15)).build();
        this.unknownPayers = com.github.benmanes.caffeine.cache.Caffeine.newBuilder().ticker(ticker)
                .maximumSize(10_000).expireAfterWrite(UNKNOWN_KEY_MEMORY).build();
        byte[] seed = new byte[8];
        new SecureRandom().nextBytes(seed);
        this.keyPrefix = "tg-" + HexFormat.of().formatHex(seed) + "-";
    }

    /** {@return the policies} */
    public PolicyTable table() {
        return table;
    }

    /** {@return how many holds wait for a release the ledger could not take yet} */
    public int pendingReleases() {
        return retrier.pending();
    }

    /** Stops retrying releases; holds still waiting are left to the ledger's expiry. */
    @Override
    public void close() {
        retrier.close();
        limiter.close();
    }

    /** {@return the rate limiter} */
    public RateLimiter limiter() {
        return limiter;
    }

    /**
     * Filters one request.
     *
     * @param request the request
     * @param response the response
     * @param chain the rest of the chain
     * @throws IOException from the chain or when writing a refusal
     * @throws ServletException from the chain
     */
    public void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Policy policy = policyOf(request);
        if (policy == null) {
            if (request.getDispatcherType() == DispatcherType.ASYNC
                    && request.getAttribute(EXCHANGE) instanceof PaidExchange paid) {
                // AsyncContext.dispatch() of a paid request: settled before its response completes.
                paid.dispatch(request, response, chain);
                return;
            }
            if (adapters && request.getDispatcherType() == DispatcherType.REQUEST) {
                // Only the outermost dispatch: an include or forward inside a JAX-RS resource ends
                // before the resource does.
                passWithBackstop(request, response, chain);
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        request.setAttribute(HANDLED, policy);
        enforce(policy, request, response, chain);
    }

    /**
     * Request attribute an adapter sets to a {@link Runnable} while a hold it took waits for
     * settlement; the filter runs it when the request ends without the adapter having settled (an
     * exception no JAX-RS mapper handled skips the response filters). The runnable must release
     * the hold if, and only if, it is still open.
     */
    public static final String UNSETTLED = "dev.tollgate.unsettled";

    /**
     * Request attribute an adapter sets to the {@link Throwable} that broke off a response after its
     * first bytes had left, when its runtime would end that response as if complete (Jersey does):
     * the filter then throws it on to the container, which aborts the response, so the client can
     * tell it is incomplete. Only for a request that ends on the thread that ran the filter.
     */
    public static final String ABORTED = "dev.tollgate.aborted";

    /** Whether an adapter (JAX-RS) may leave holds for the filter to release: see {@link #UNSETTLED}. */
    private volatile boolean adapters;

    /** Servlets whose requests an adapter enforces from its own annotations; configured policies skip them. */
    private final Set<String> adapterServlets = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * Makes the filter watch requests it does not enforce itself for holds an adapter left open
     * (see {@link #UNSETTLED}). Costs one request-attribute read per such request.
     *
     * @param servletName the servlet whose requests the adapter enforces from annotations, so that
     *     configured policies leave them alone (annotations win); {@code null} when unknown
     */
    public void expectAdapters(String servletName) {
        adapters = true;
        if (servletName != null && adapterServlets.add(servletName) && !table.configured().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Configured policies do not apply to servlet {0}: its Jakarta REST"
                    + " resources are governed by their annotations", servletName);
        }
    }

    private void passWithBackstop(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        boolean returned = false;
        try {
            chain.doFilter(request, response);
            returned = true;
        } finally {
            if (returned && request.isAsyncStarted()) {
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        runUnsettled(request);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        runUnsettled(request);
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        runUnsettled(request);
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        event.getAsyncContext().addListener(this);
                    }
                });
            } else {
                runUnsettled(request);
            }
        }
        if (!request.isAsyncStarted() && request.getAttribute(ABORTED) instanceof Throwable cause) {
            request.removeAttribute(ABORTED);
            throw new ServletException("Tollgate: the response was broken off after its first bytes had been sent"
                    + " (and charged); aborting it", cause);
        }
    }

    private static void runUnsettled(HttpServletRequest request) {
        if (request.getAttribute(UNSETTLED) instanceof Runnable r) {
            request.removeAttribute(UNSETTLED);
            r.run();
        }
    }

    /**
     * The policy to enforce on this dispatch, or null. A request is enforced once, on the first
     * dispatch that reaches a covered servlet; a later forward, include or async dispatch to a paid
     * servlet is enforced again only if no payment was enforced before (so a free front controller
     * cannot forward to a paid servlet for nothing).
     */
    private Policy policyOf(HttpServletRequest request) throws ServletException {
        DispatcherType type = request.getDispatcherType();
        if (type == DispatcherType.ERROR) {
            return null;
        }
        // During an include the request's own mapping stays the includer's; the target's is an attribute.
        HttpServletMapping mapping = type == DispatcherType.INCLUDE
                ? (HttpServletMapping) request.getAttribute(jakarta.servlet.RequestDispatcher.INCLUDE_MAPPING)
                : request.getHttpServletMapping();
        if (mapping == null) {
            return null;
        }
        Policy policy = lookup(mapping.getServletName(), request, type);
        if (policy == null) {
            return null;
        }
        Object handled = request.getAttribute(HANDLED);
        if (handled instanceof Policy earlier && (earlier.isPaid() || !policy.isPaid())) {
            return null;
        }
        if (type == DispatcherType.INCLUDE) {
            if (!policy.isPaid()) {
                return null; // an include cannot answer 429 on its own; the including request was limited
            }
            // An included servlet cannot set the status of a refusal: refuse the whole request.
            throw new ServletException("Tollgate: servlet " + policy.servletName() + " requires payment and cannot be"
                    + " included in a request that has not paid (" + policy.origin() + ")");
        }
        return policy;
    }

    /**
     * The annotated policy of the servlet; for a servlet without annotations, the configured one
     * by servlet name or by the container's mapping of the path (never the raw URI).
     */
    private Policy lookup(String servletName, HttpServletRequest request, DispatcherType type) {
        MethodPolicies annotated = table.annotated(servletName);
        if (annotated != null) {
            return annotated.forMethod(request.getMethod());
        }
        PathPolicies configured = table.configured();
        if (configured.isEmpty() || adapterServlets.contains(servletName)) {
            return null;
        }
        String path = null;
        if (configured.hasPaths()) {
            String servletPath;
            String pathInfo;
            if (type == DispatcherType.INCLUDE) {
                servletPath = (String) request.getAttribute(jakarta.servlet.RequestDispatcher.INCLUDE_SERVLET_PATH);
                pathInfo = (String) request.getAttribute(jakarta.servlet.RequestDispatcher.INCLUDE_PATH_INFO);
            } else {
                servletPath = request.getServletPath();
                pathInfo = request.getPathInfo();
            }
            path = pathInfo == null ? servletPath : servletPath == null ? pathInfo : servletPath + pathInfo;
            if (path != null && path.isEmpty()) {
                path = "/";
            }
        }
        return configured.lookup(servletName, path, request.getMethod());
    }

    private void enforce(Policy policy, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Admission a = admit(policy, request, new ServletExchange(request, response), null);
        if (a.answered()) {
            return;
        }
        if (!a.paid()) {
            RateLimitDecision limit = a.limit();
            if (limit == null || !RateLimiter.needsOutcome(limit)) {
                chain.doFilter(request, response);
                return;
            }
            boolean returned = false;
            try {
                chain.doFilter(request, response);
                returned = true;
            } finally {
                settleLimit(limit, request, response, returned);
            }
            return;
        }
        request.setAttribute(Tollgate.PAYER_ATTRIBUTE, a.payer());
        request.setAttribute(Tollgate.HOLD_ATTRIBUTE, a.hold());
        request.setAttribute(Tollgate.BALANCE_ATTRIBUTE, a.balance());
        PaidResponse out = new PaidResponse(response, a.replayable() ? config.maxResponseBytes() : -1,
                "HEAD".equals(request.getMethod()));
        PaidExchange exchange = new PaidExchange(a.hold(), request, response, out, a.replayable(), a.limit());
        exchange.run(new PaidRequest(request, a.body(), out, exchange), out, chain);
    }

    /**
     * Decides a request before its endpoint runs: payer, {@code Idempotency-Key}, rate limits,
     * payment. Refusals and replays go to the exchange as complete answers; rate-limit headers of
     * an admitted request go to it as headers.
     *
     * @param policy the policy of the request
     * @param request the request (its headers, mapping and client address are read)
     * @param exchange where answers and headers go
     * @param entity the request body for fingerprinting when the endpoint reads it from somewhere
     *     else than the servlet request (JAX-RS); {@code null} to use the servlet request's
     * @return what was decided; a paid admission holds a hold that must be settled exactly once
     * @throws IOException if reading the body or writing an answer fails
     * @throws ServletException if the container fails to parse a form or multipart body
     */
    public Admission admit(Policy policy, HttpServletRequest request, Exchange exchange, java.io.InputStream entity)
            throws IOException, ServletException {
        Payer payer;
        try {
            payer = resolver.resolve(request).orElse(null);
        } catch (InvalidCredentialsException e) {
            answer(Denial.of(Denial.Kind.INVALID_CREDENTIALS, e.getMessage()), request, exchange, null);
            return Admission.ANSWERED;
        }

        String idempotencyKey = null;
        if (policy.isPaid()) {
            try {
                idempotencyKey = idempotencyKey(request);
            } catch (IllegalArgumentException e) {
                answer(Denial.of(Denial.Kind.MALFORMED_REQUEST, e.getMessage()), request, exchange, null);
                return Admission.ANSWERED;
            }
        }

        RateLimitDecision limit = null;
        if (policy.isLimited()) {
            limit = limit(policy, payer, request, exchange);
            if (limit == null) {
                return Admission.ANSWERED; // refused (401/429/503) on the way
            }
        }

        if (!policy.isPaid()) {
            return Admission.free(limit);
        }

        PaymentTerms terms = policy.payment();
        if (payer == null) {
            refuse(paymentRequired(terms), request, exchange, limit);
            return Admission.ANSWERED;
        }

        byte[] body = null;
        Idempotency idempotency;
        if (idempotencyKey != null) {
            RequestFingerprint.Result fp;
            try {
                fp = entity == null ? RequestFingerprint.of(request, policy.servletName(), config.maxRequestBytes())
                        : RequestFingerprint.of(request, policy.servletName(), config.maxRequestBytes(), entity);
            } catch (ContentTooLargeException e) {
                refuse(Denial.of(Denial.Kind.CONTENT_TOO_LARGE, "Requests with an Idempotency-Key may carry at most "
                        + config.maxRequestBytes() + " bytes of content."), request, exchange, limit);
                return Admission.ANSWERED;
            }
            body = fp.body();
            idempotency = new Idempotency(idempotencyKey, fp.digest(), true);
        } else {
            idempotency = new Idempotency(keyPrefix + Long.toString(keySequence.incrementAndGet(), 36), "", false);
        }

        Charge charge = new Charge(payer.accountId(), terms.price(), terms.entitlement(), terms.resource(), idempotency);
        Reservation reservation;
        try {
            reservation = ledger.reserve(charge);
        } catch (RuntimeException e) {
            ledgerFailed("reserve", e);
            refuse(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The payment service is unavailable; nothing was charged."
                    + " Retry later.").withRetryAfter(config.ledgerRetryAfter()), request, exchange, limit);
            return Admission.ANSWERED;
        }

        if (!(reservation instanceof Reservation.Denied d && d.reason() == dev.tollgate.spi.DenialReason.UNKNOWN_ACCOUNT)) {
            verified(payer, null);
        }
        if (reservation instanceof Reservation.Authorized authorized) {
            if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                LOG.log(System.Logger.Level.DEBUG, "hold {0} for {1} {2}", authorized.hold().id(), terms.resource(),
                        terms.price());
            }
            return new Admission(authorized.hold(), limit, payer, authorized.balance(), idempotencyKey != null, body);
        } else if (reservation instanceof Reservation.Denied denied) {
            refuse(denial(denied, terms), request, exchange, limit);
        } else if (reservation instanceof Reservation.Replay replay) {
            replay(replay.response(), request, exchange, limit);
            if (limit != null) {
                limiter.settle(limit, replay.response().status() < 400);
            }
        } else if (reservation instanceof Reservation.Conflict conflict) {
            if (conflict.kind() == Reservation.ConflictKind.IN_PROGRESS) {
                Duration after = conflict.retryAfter() == null ? Duration.ofSeconds(1) : conflict.retryAfter();
                refuse(Denial.of(Denial.Kind.IDEMPOTENCY_IN_PROGRESS, "A request with this Idempotency-Key is still"
                        + " being processed; retry after it completes.").withRetryAfter(after), request, exchange, limit);
            } else {
                refuse(Denial.of(Denial.Kind.IDEMPOTENCY_KEY_REUSED, "This Idempotency-Key was already used for a"
                        + " different request (method, path, query or body). Use a new key for a new request."),
                        request, exchange, limit);
            }
        }
        return Admission.ANSWERED;
    }

    /**
     * Checks the rate limits of a request; on refusal sends the answer and returns null.
     *
     * <p>A key the ledger has not confirmed yet is looked up first, and only then counted, as
     * itself. The look-up spends from its client address's look-up budget
     * ({@link RateLimiter#checkKeyLookup}), not from the endpoint's limits: anonymous traffic from
     * the same address cannot starve valid keys, and a flood of invented keys reaches the ledger at
     * most as often as the budget allows. A key the ledger does not know gets {@code 401} (and is
     * remembered as unknown for a few seconds). Renewing the confirmation of a key confirmed in the
     * last minutes spends no budget. Plans need the payer's entitlements, looked up once and cached
     * briefly.
     */
    private RateLimitDecision limit(Policy policy, Payer payer, HttpServletRequest request, Exchange exchange)
            throws IOException {
        Known known = payer == null ? null : known(payer);
        boolean confirmed = known != null || payer != null && !needsConfirmation(payer);
        boolean lookup = payer != null && (policy.keysBy(KeyBy.PAYER) && known == null && needsConfirmation(payer)
                || policy.hasPlans() && (known == null || known.entitlements == null));
        Set<String> entitlements = known == null ? null : known.entitlements;
        if (lookup) {
            RateLimitDecision budget = null;
            if (!confirmed) {
                if (unknownPayers.getIfPresent(payer.accountId()) != null) {
                    answer(Denial.of(Denial.Kind.UNKNOWN_ACCOUNT, "No account matches the credential sent."), request,
                            exchange, null);
                    return null;
                }
                if (vouchedPayers.getIfPresent(payer.accountId()) == null) {
                    budget = limiter.checkKeyLookup(policy, request);
                    if (!budget.admitted()) {
                        refuseLimit(budget, policy, request, exchange);
                        return null;
                    }
                }
            }
            Optional<Account> account = account(payer, request, exchange, budget);
            if (account.isEmpty()) {
                return null;
            }
            confirmed = true;
            entitlements = account.get().entitlements();
        }
        RateLimitDecision limit = limiter.check(policy, policy.tierFor(entitlements), request, confirmed ? payer : null);
        if (!limit.admitted()) {
            refuseLimit(limit, policy, request, exchange);
            return null;
        }
        rateLimitHeaders(limit, exchange::header);
        return limit;
    }

    /** A refusal after the rate-limit check: the request did not succeed, for count modes. */
    private void refuse(Denial denial, HttpServletRequest request, Exchange exchange, RateLimitDecision limit)
            throws IOException {
        answer(denial, request, exchange, limit);
        if (limit != null) {
            limiter.settle(limit, false);
        }
    }

    private void refuseLimit(RateLimitDecision limit, Policy policy, HttpServletRequest request, Exchange exchange)
            throws IOException {
        if (limit.storeRefused()) {
            answer(Denial.of(Denial.Kind.RATE_LIMITER_UNAVAILABLE, "The rate limiter is unavailable. Retry later.")
                    .withRetryAfter(Duration.ofSeconds(1)), request, exchange, limit);
            return;
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "429 {0} {1}: {2}", request.getMethod(), policy.origin(),
                    limit.violatedPolicies());
        }
        long seconds = limit.retryAfter().getSeconds();
        Denial d = new Denial(Denial.Kind.RATE_LIMITED, "Rate limit " + String.join(", ", limit.violatedPolicies())
                + " exceeded; retry in " + seconds + (seconds == 1 ? " second." : " seconds."),
                null, null, null, null, limit.retryAfter(), limit.violatedPolicies(), List.of());
        answer(d, request, exchange, limit);
    }

    private void rateLimitHeaders(RateLimitDecision limit, java.util.function.BiConsumer<String, String> response) {
        TollgateConfig.HeaderStyle style = config.rateLimitHeaders();
        if (limit.states().isEmpty()) {
            return;
        }
        if (style == TollgateConfig.HeaderStyle.STANDARD || style == TollgateConfig.HeaderStyle.BOTH) {
            response.accept("RateLimit-Policy", limit.policyHeader());
            response.accept("RateLimit", limit.stateHeader());
        }
        if (style == TollgateConfig.HeaderStyle.LEGACY || style == TollgateConfig.HeaderStyle.BOTH) {
            RateLimitDecision.LimitState tight = limit.tightest();
            response.accept("X-RateLimit-Limit", Long.toString(tight.quota()));
            response.accept("X-RateLimit-Remaining", Long.toString(tight.remaining()));
            response.accept("X-RateLimit-Reset", Long.toString(tight.resetSeconds()));
        }
    }

    /** Gives back tokens of limits that do not count this outcome (now, or when async processing ends). */
    void settleLimit(RateLimitDecision limit, HttpServletRequest request, HttpServletResponse response,
                     boolean returned) {
        if (limit == null || !RateLimiter.needsOutcome(limit)) {
            return;
        }
        if (returned && request.isAsyncStarted()) {
            request.getAsyncContext().addListener(new AsyncListener() {
                private volatile boolean failed;

                @Override
                public void onComplete(AsyncEvent event) {
                    limiter.settle(limit, !failed && response.getStatus() < 400);
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                    failed = true;
                }

                @Override
                public void onError(AsyncEvent event) {
                    failed = true;
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    event.getAsyncContext().addListener(this);
                }
            });
            return;
        }
        limiter.settle(limit, returned && response.getStatus() < 400);
    }

    /** A payer the ledger confirmed recently, with its entitlements when known. */
    private record Known(Set<String> entitlements) {
    }

    /** Keys and tokens need the ledger's confirmation; container principals are authenticated already. */
    private static boolean needsConfirmation(Payer payer) {
        return payer.source() == Payer.Source.API_KEY || payer.source() == Payer.Source.BEARER_TOKEN;
    }

    private Known known(Payer payer) {
        return knownPayers.getIfPresent(payer.accountId());
    }

    private void verified(Payer payer, Set<String> entitlements) {
        Known current = knownPayers.getIfPresent(payer.accountId());
        if (entitlements != null || current == null) {
            knownPayers.put(payer.accountId(), new Known(entitlements));
        }
        if (needsConfirmation(payer)) {
            vouchedPayers.put(payer.accountId(), Boolean.TRUE);
        }
    }

    private void unknown(Payer payer) {
        if (needsConfirmation(payer)) {
            knownPayers.invalidate(payer.accountId());
            vouchedPayers.invalidate(payer.accountId());
            unknownPayers.put(payer.accountId(), Boolean.TRUE);
        }
    }

    /**
     * Looks up a payer's account, refusing the request when there is none: {@code 401} for an
     * unknown account, {@code 503} when the ledger fails.
     *
     * @param payer the identified payer
     * @param request the request
     * @param response the response; must not be committed
     * @param limit the rate-limit state to report, or {@code null}
     * @return the account, or empty when a refusal was sent
     * @throws IOException if writing the refusal fails
     */
    public Optional<Account> account(Payer payer, HttpServletRequest request, HttpServletResponse response,
                                     RateLimitDecision limit) throws IOException {
        return account(payer, request, new ServletExchange(request, response), limit);
    }

    private Optional<Account> account(Payer payer, HttpServletRequest request, Exchange exchange,
                                      RateLimitDecision limit) throws IOException {
        Optional<Account> account;
        try {
            account = ledger.account(payer.accountId());
        } catch (RuntimeException e) {
            ledgerFailed("account", e);
            answer(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The account service is unavailable. Retry later.")
                    .withRetryAfter(config.ledgerRetryAfter()), request, exchange, limit);
            return Optional.empty();
        }
        if (account.isEmpty()) {
            unknown(payer);
            answer(Denial.of(Denial.Kind.UNKNOWN_ACCOUNT, "No account matches the credential sent."), request, exchange,
                    limit);
        } else {
            verified(payer, account.get().entitlements());
        }
        return account;
    }

    private static String idempotencyKey(HttpServletRequest request) {
        Enumeration<String> values = request.getHeaders(IDEMPOTENCY_KEY);
        if (values == null || !values.hasMoreElements()) {
            return null;
        }
        String raw = values.nextElement();
        if (values.hasMoreElements()) {
            throw new IllegalArgumentException("Send at most one Idempotency-Key header.");
        }
        String key = raw == null ? "" : raw.strip();
        // The IETF draft makes the value a structured-field string ("..."); bare keys are common too.
        if (key.length() >= 2 && key.charAt(0) == '"' && key.charAt(key.length() - 1) == '"') {
            key = key.substring(1, key.length() - 1);
            if (key.indexOf('"') >= 0 || key.indexOf('\\') >= 0) {
                throw new IllegalArgumentException("The Idempotency-Key must not contain quotes or backslashes.");
            }
        }
        if (key.isEmpty()) {
            throw new IllegalArgumentException("The Idempotency-Key header is empty.");
        }
        if (key.indexOf('"') >= 0 || key.indexOf('\\') >= 0) {
            throw new IllegalArgumentException("The Idempotency-Key must not contain quotes or backslashes.");
        }
        if (key.length() > Idempotency.MAX_KEY_LENGTH) {
            throw new IllegalArgumentException("The Idempotency-Key is longer than " + Idempotency.MAX_KEY_LENGTH
                    + " characters.");
        }
        if (!Idempotency.isValidKey(key)) {
            throw new IllegalArgumentException("The Idempotency-Key may only contain printable ASCII characters"
                    + " without spaces.");
        }
        return key;
    }

    private Denial paymentRequired(PaymentTerms terms) {
        StringBuilder detail = new StringBuilder();
        if (!terms.price().isZero()) {
            detail.append("This endpoint costs ").append(amount(terms.price())).append(" per call");
            if (terms.entitlement() != null) {
                detail.append(" and requires the '").append(terms.entitlement()).append("' entitlement");
            }
        } else {
            detail.append("This endpoint requires the '").append(terms.entitlement()).append("' entitlement");
        }
        detail.append(". Send the key of an account that can pay in the ").append(config.apiKeyHeader())
                .append(" header").append(config.bearerTokens() ? " or as Authorization: Bearer <key>." : ".");
        List<PaymentOption> options = List.of(new PaymentOption(PaymentOption.ACCOUNT, terms.price(),
                "Present the key of a funded account.", Map.of("header", config.apiKeyHeader())));
        return new Denial(Denial.Kind.PAYMENT_REQUIRED, detail.toString(), terms.price(), null, terms.entitlement(),
                terms.description(), null, List.of(), options);
    }

    /**
     * An amount as refusal text says it: {@code "1 credit"}, {@code "2 credits"}, {@code "0.5 credits"}.
     * Only a unit spelt as an English plural ("credits", "tokens") loses its "s", and only for exactly one.
     */
    static String amount(Money m) {
        String unit = m.currency();
        if (m.amount().compareTo(java.math.BigDecimal.ONE) == 0 && unit.length() > 1 && unit.endsWith("s")
                && Character.isLowerCase(unit.charAt(0))) {
            unit = unit.substring(0, unit.length() - 1);
        }
        return m.amount().toPlainString() + " " + unit;
    }

    private Denial denial(Reservation.Denied d, PaymentTerms terms) {
        Money price = terms.price();
        switch (d.reason()) {
            case UNKNOWN_ACCOUNT:
                return Denial.of(Denial.Kind.UNKNOWN_ACCOUNT, "No account matches the credential sent.");
            case MISSING_ENTITLEMENT:
                return new Denial(Denial.Kind.ENTITLEMENT_REQUIRED, "This endpoint requires the '" + d.entitlement()
                        + "' entitlement, which this account does not hold.", price.isZero() ? null : price,
                        d.balance(), d.entitlement(), terms.description(), null, List.of(), d.paymentOptions());
            case CURRENCY_MISMATCH:
                return new Denial(Denial.Kind.CURRENCY_MISMATCH, "This endpoint is priced in " + price.currency()
                        + (d.balance() == null ? "" : "; the account is kept in " + d.balance().currency()) + ".",
                        price, d.balance(), null, terms.description(), null, List.of(), d.paymentOptions());
            case IDEMPOTENCY_RECORDS_EXHAUSTED:
                // Refused rather than dropping someone's record early: that record is what keeps a
                // retry from being charged twice.
                return Denial.of(Denial.Kind.IDEMPOTENCY_RECORDS_EXHAUSTED, "This account holds as many"
                        + " Idempotency-Key records as it may; nothing was charged. Retry later, or without an"
                        + " Idempotency-Key.").withRetryAfter(retryAfter(d));
            case IDEMPOTENCY_STORE_FULL:
                return Denial.of(Denial.Kind.IDEMPOTENCY_STORE_FULL, "Idempotency-Key records are at capacity;"
                        + " nothing was charged. Retry later, or without an Idempotency-Key.")
                        .withRetryAfter(retryAfter(d));
            case INSUFFICIENT_FUNDS:
            default:
                return new Denial(Denial.Kind.INSUFFICIENT_FUNDS, "This call costs " + amount(price)
                        + (d.balance() == null ? "" : "; the balance is " + amount(d.balance())) + ".", price, d.balance(),
                        null, terms.description(), null, List.of(), d.paymentOptions());
        }
    }

    private Duration retryAfter(Reservation.Denied d) {
        return d.retryAfter() != null ? d.retryAfter() : config.ledgerRetryAfter();
    }

    private void ledgerFailed(String verb, RuntimeException e) {
        if (e instanceof dev.tollgate.spi.LedgerUnavailableException) {
            LOG.log(System.Logger.Level.WARNING, "Ledger unavailable on " + verb + ": " + e.getMessage());
        } else {
            LOG.log(System.Logger.Level.ERROR, "Ledger " + ledger.getClass().getName() + " failed on " + verb
                    + " (treated as unavailable)", e);
        }
    }

    /**
     * Sends a refusal: the renderer's status, type and body plus Tollgate's protocol headers.
     *
     * @param denial the refusal
     * @param request the request
     * @param response the response; must not be committed
     * @param limit the rate-limit state to report, or {@code null}
     * @throws IOException if writing fails
     */
    public void deny(Denial denial, HttpServletRequest request, HttpServletResponse response, RateLimitDecision limit)
            throws IOException {
        new ServletExchange(request, response).answer(reply(denial, request, limit));
    }

    private void answer(Denial denial, HttpServletRequest request, Exchange exchange, RateLimitDecision limit)
            throws IOException {
        exchange.answer(reply(denial, request, limit));
    }

    /**
     * Renders a refusal: the renderer's status, type, headers and body plus Tollgate's protocol
     * headers ({@code Cache-Control}, {@code Retry-After}, rate-limit state,
     * {@code WWW-Authenticate}), which replace renderer headers of the same name. A failing
     * renderer is logged and replaced by the default problem details.
     *
     * @param denial the refusal
     * @param request the request
     * @param limit the rate-limit state to report, or {@code null}
     * @return the answer to send
     */
    public Reply reply(Denial denial, HttpServletRequest request, RateLimitDecision limit) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "{0} {1} {2}: {3}", denial.status(), request.getMethod(),
                    request.getRequestURI(), denial.kind());
        }
        Rendering r;
        try {
            r = renderer.render(denial, request);
            if (r == null) {
                throw new IllegalStateException("renderer returned null");
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "Renderer " + renderer.getClass().getName()
                    + " failed; sending the default problem details", e);
            r = fallbackRenderer.render(denial, request);
        }
        List<Map.Entry<String, String>> protocol = new ArrayList<>(8);
        protocol.add(Map.entry("Cache-Control", "no-store"));
        if (denial.retryAfter() != null) {
            long s = Math.max(1, denial.retryAfter().getSeconds() + (denial.retryAfter().getNano() > 0 ? 1 : 0));
            protocol.add(Map.entry("Retry-After", Long.toString(s)));
        }
        if (limit != null) {
            rateLimitHeaders(limit, (n, v) -> protocol.add(Map.entry(n, v)));
        }
        if (r.status() == 401) {
            protocol.add(Map.entry("WWW-Authenticate", config.bearerTokens()
                    ? "Bearer realm=\"tollgate\"" : "ApiKey realm=\"tollgate\", header=\"" + config.apiKeyHeader() + "\""));
        }
        List<Map.Entry<String, String>> headers = new ArrayList<>(r.headers().size() + protocol.size());
        for (Map.Entry<String, String> h : r.headers()) {
            if (!named(protocol, h.getKey())) {
                headers.add(h);
            }
        }
        headers.addAll(protocol);
        return new Reply(r.status(), r.contentType(), headers, r.body());
    }

    private static boolean named(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /** The servlet side of an {@link Exchange}: writes to the container's response. */
    private static final class ServletExchange implements Exchange {
        private final HttpServletRequest request;
        private final HttpServletResponse response;

        ServletExchange(HttpServletRequest request, HttpServletResponse response) {
            this.request = request;
            this.response = response;
        }

        @Override
        public void header(String name, String value) {
            response.setHeader(name, value);
        }

        @Override
        public void answer(Reply reply) throws IOException {
            if (response.isCommitted()) {
                LOG.log(System.Logger.Level.WARNING, "Cannot send {0}: the response is already committed",
                        reply.status());
                return;
            }
            response.resetBuffer();
            unreadBody(request, response);
            response.setStatus(reply.status());
            if (reply.contentType() != null) {
                response.setContentType(reply.contentType());
            }
            List<Map.Entry<String, String>> headers = reply.headers();
            for (int i = 0; i < headers.size(); i++) {
                Map.Entry<String, String> h = headers.get(i);
                // The first of a name replaces what the response had; later ones add to it.
                if (named(headers.subList(0, i), h.getKey())) {
                    response.addHeader(h.getKey(), h.getValue());
                } else {
                    response.setHeader(h.getKey(), h.getValue());
                }
            }
            writeBody(request, response, reply.body());
        }
    }

    /** Request bodies up to this size are read and dropped when Tollgate answers without the endpoint. */
    private static final int DRAIN_LIMIT = 64 * 1024;

    /**
     * Deals with a request body nobody will read because Tollgate answers instead of the endpoint.
     * A container that finds unread content after the response may close the connection without
     * warning, and the client's next request on it fails. A small body is read and dropped; for a
     * larger or unsized one an HTTP/1.x response says {@code Connection: close}.
     *
     * @param request the request
     * @param response the response, not committed
     */
    static void unreadBody(HttpServletRequest request, HttpServletResponse response) {
        if (mustCloseAfterAnswer(request, null)) {
            response.setHeader("Connection", "close");
        }
    }

    /**
     * {@return whether a header of a recorded response is repeated by its replays} (framing,
     * per-connection and per-response headers are not)
     *
     * @param name the header name
     */
    public static boolean isReplayedHeader(String name) {
        return PaidResponse.isReplayed(name);
    }

    /**
     * Reads and drops the unread body of a request answered without its endpoint, when it is small
     * and the client is not waiting for {@code 100 Continue}; else tells whether an HTTP/1.x
     * response must say {@code Connection: close}.
     *
     * @param request the request
     * @param body the stream the body is read from, or {@code null} for the servlet request's
     * @return whether the answer must close the connection
     */
    public static boolean mustCloseAfterAnswer(HttpServletRequest request, java.io.InputStream body) {
        long length = request.getContentLengthLong();
        if (length == 0 || length < 0 && request.getHeader("Transfer-Encoding") == null) {
            return false;
        }
        // A client that sent "Expect: 100-continue" waits to be asked for the body: do not ask.
        if (length > 0 && length <= DRAIN_LIMIT && request.getHeader("Expect") == null) {
            try {
                java.io.InputStream in = body != null ? body : request.getInputStream();
                if (in.readNBytes(DRAIN_LIMIT + 1).length <= DRAIN_LIMIT) {
                    return false;
                }
            } catch (IllegalStateException | IOException readerInUseOrClientGone) {
                // fall through: close the connection instead
            }
        }
        String protocol = request.getProtocol();
        return protocol != null && protocol.startsWith("HTTP/1.");
    }

    /**
     * Writes a body Tollgate produced (a refusal or a replay). A {@code HEAD} response gets the
     * length and no bytes: not every container drops them (Payara Micro 6 sends them over h2c).
     */
    private static void writeBody(HttpServletRequest request, HttpServletResponse response, byte[] body)
            throws IOException {
        response.setContentLength(body.length);
        if ("HEAD".equals(request.getMethod())) {
            return;
        }
        ServletOutputStream out;
        try {
            out = response.getOutputStream();
        } catch (IllegalStateException writerInUse) {
            response.getWriter().write(new String(body, StandardCharsets.UTF_8));
            return;
        }
        out.write(body);
    }

    private void replay(RecordedResponse recorded, HttpServletRequest request, Exchange exchange,
                        RateLimitDecision limit) throws IOException {
        if (!recorded.bodyRetained()) {
            answer(Denial.of(Denial.Kind.ALREADY_PROCESSED, "The request with this Idempotency-Key was already"
                    + " processed and charged; its response cannot be replayed."), request, exchange, limit);
            return;
        }
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "replaying {0} for {1}", recorded.status(), request.getRequestURI());
        }
        String contentType = null;
        List<Map.Entry<String, String>> headers = new ArrayList<>(recorded.headers().size() + 1);
        for (Map.Entry<String, String> h : recorded.headers()) {
            if (h.getKey().equalsIgnoreCase("Content-Type")) {
                contentType = h.getValue();
            } else {
                headers.add(h);
            }
        }
        headers.add(Map.entry("Idempotent-Replayed", "true"));
        exchange.answer(new Reply(recorded.status(), contentType, headers, recorded.body()));
    }

    /**
     * Commits the hold of a request whose endpoint gave a billable response.
     *
     * <p>When the commit fails and the response can still be replaced, the hold is released (per
     * the {@link dev.tollgate.spi.Ledger} contract this undoes a commit that took effect, or reports
     * it committed) and the caller must answer with a 503 instead; when the response has left, the
     * charge must follow it and the commit is retried in the background.
     *
     * @param hold the hold
     * @param recorded the response to keep for replays, or {@code null}
     * @param canReplace whether nothing of the response has reached the client yet
     * @return {@code null} to deliver the response; else the detail of the 503 that must replace it
     *     (or, when it cannot be replaced, that is logged)
     */
    public String charge(Hold hold, RecordedResponse recorded, boolean canReplace) {
        Settlement s;
        try {
            s = ledger.commit(hold, recorded);
        } catch (RuntimeException e) {
            ledgerFailed("commit", e);
            if (!canReplace) {
                // The response has left: the charge must follow it. Commit is idempotent.
                LOG.log(System.Logger.Level.WARNING, "Hold {0}: commit failed after the response was sent;"
                        + " retrying it in the background", hold.id());
                retrier.commit(hold, recorded);
                return null;
            }
            // The commit may have taken effect before the failure. Release: per the Ledger
            // contract this undoes such a commit, or reports COMMITTED if it cannot.
            Settlement after;
            try {
                after = ledger.release(hold);
            } catch (RuntimeException again) {
                ledgerFailed("release", again);
                retrier.release(hold);
                after = null;
            }
            if (after == Settlement.COMMITTED) {
                LOG.log(System.Logger.Level.INFO, "Hold {0}: the failed commit had taken effect; delivering",
                        hold.id());
                return null;
            }
            return "The payment service failed while confirming the charge. Retry later; a charge"
                    + " recorded for this request is reversed.";
        }
        if (s != Settlement.COMMITTED) {
            // Most likely the request outlived its hold and the hold expired: not paid for.
            LOG.log(System.Logger.Level.WARNING, "Hold {0} was {1} when its request completed; not charged"
                    + " (raise the ledger''s hold timeout above the longest paid request)", hold.id(), s);
            return "The request outlived its payment hold; nothing was charged. Retry later.";
        }
        return null;
    }

    /**
     * Releases a hold: the endpoint failed or gave a response that is not billable. A release the
     * ledger cannot take now is retried in the background.
     *
     * @param hold the hold
     * @param why for the debug log
     */
    public void release(Hold hold, String why) {
        if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
            LOG.log(System.Logger.Level.DEBUG, "releasing hold {0}: {1}", hold.id(), why);
        }
        try {
            ledger.release(hold);
        } catch (RuntimeException e) {
            ledgerFailed("release", e);
            retrier.release(hold);
        }
    }

    /**
     * {@return whether a response status is charged}
     *
     * @param status the final status
     */
    public boolean isBillable(int status) {
        return config.isBillable(status);
    }

    /**
     * Tells count-mode limits how the request ended; does nothing for limits that count every request.
     *
     * @param limit the decision of the request, or {@code null}
     * @param success whether the request succeeded (status below 400)
     */
    public void settleLimit(RateLimitDecision limit, boolean success) {
        if (limit != null && RateLimiter.needsOutcome(limit)) {
            limiter.settle(limit, success);
        }
    }

    /**
     * The 503 that replaces a response whose charge failed.
     *
     * @param detail from {@link #charge}
     * @param request the request
     * @param limit the rate-limit state to report, or {@code null}
     * @return the answer
     */
    public Reply chargeFailed(String detail, HttpServletRequest request, RateLimitDecision limit) {
        return reply(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, detail).withRetryAfter(config.ledgerRetryAfter()),
                request, limit);
    }

    /**
     * Writes an answer to the container's response, as the filter does: for an adapter that must
     * replace a response its runtime has not sent yet.
     *
     * @param reply the answer
     * @param request the request
     * @param response the container's response; must not be committed
     * @throws IOException if writing fails
     */
    public void send(Reply reply, HttpServletRequest request, HttpServletResponse response) throws IOException {
        new ServletExchange(request, response).answer(reply);
    }

    /** {@return the configuration} */
    public TollgateConfig config() {
        return config;
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

    /** Request attribute holding the {@link PaidExchange} of a paid request, for its async dispatches. */
    private static final String EXCHANGE = "dev.tollgate.internal.exchange";

    /**
     * One paid request between reserve and settlement: commits or releases its hold exactly once,
     * whether the endpoint returns, throws, or goes asynchronous, and before any byte of its
     * response leaves (see {@link PaidResponse}, which calls {@link #open()} at that moment).
     *
     * <p>When the endpoint fails after bytes have left, the charge stands (it was committed when
     * they were let through) and the exception goes on to the container, which aborts the response:
     * the client sees it cut off, not complete.
     */
    private final class PaidExchange implements AsyncListener, PaidResponse.Gate, PaidRequest.CompletionHook {
        private final Hold hold;
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final PaidResponse out;
        private final boolean replayable;
        private final RateLimitDecision limit;
        private final AtomicBoolean settled = new AtomicBoolean();
        private final AtomicBoolean limitSettled = new AtomicBoolean();
        private volatile boolean releasedEarly;
        private volatile boolean replaced;
        /** This listener is on the request's AsyncContext (onStartAsync keeps it on for later cycles). */
        private volatile boolean listening;

        PaidExchange(Hold hold, HttpServletRequest request, HttpServletResponse response, PaidResponse out,
                     boolean replayable, RateLimitDecision limit) {
            this.hold = hold;
            this.request = request;
            this.response = response;
            this.out = out;
            this.replayable = replayable;
            this.limit = limit;
            out.gate(this);
        }

        void run(HttpServletRequest in, HttpServletResponse wrapped, FilterChain chain)
                throws IOException, ServletException {
            request.setAttribute(EXCHANGE, this);
            dispatch(in, wrapped, chain);
        }

        /**
         * Runs the endpoint, or the target of an {@code AsyncContext.dispatch()}, and settles when
         * it returns without going asynchronous (again): before the container may complete the
         * response.
         */
        void dispatch(HttpServletRequest in, HttpServletResponse wrapped, FilterChain chain)
                throws IOException, ServletException {
            if (in.getDispatcherType() == DispatcherType.ASYNC) {
                out.holdAgain(); // this dispatch passes the filter, which settles when it returns
            }
            boolean returned = false;
            try {
                chain.doFilter(in, wrapped);
                returned = true;
            } catch (IOException | ServletException | RuntimeException e) {
                if (!replaced) {
                    throw e;
                }
                // The endpoint failed because its response was replaced (its writes throw): the
                // refusal is the answer.
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "Hold {0}: the endpoint stopped after its response was"
                            + " replaced: {1}", hold.id(), e.toString());
                }
                returned = true;
            } finally {
                if (!returned) {
                    // The endpoint threw, or the client went away while it wrote. If nothing has
                    // left, nothing is billable; else the charge stands and the container aborts.
                    release("the endpoint failed");
                    out.discard();
                    settleLimitOnce(false);
                }
            }
            if (request.isAsyncStarted()) {
                // Settled by AsyncContext.complete() through PaidRequest, or else by this listener.
                // complete() cannot take effect before this dispatch returns, so the listener is
                // always in place in time (a later startAsync() adds it again: onStartAsync).
                if (!listening) { // startAsync() bypassed PaidRequest (see started)
                    listening = true;
                    request.getAsyncContext().addListener(this);
                }
                return;
            }
            settle(true);
        }

        /**
         * Listens from the start of the asynchronous cycle, ahead of the endpoint's own listeners:
         * a timeout must release the hold before an application's {@code onTimeout} writes its
         * fallback (which would otherwise be charged as it goes out).
         */
        @Override
        public void started(jakarta.servlet.AsyncContext context) {
            if (!listening) {
                listening = true;
                context.addListener(this);
            }
        }

        /** Called by {@link PaidRequest} when the endpoint completes asynchronous processing. */
        @Override
        public void beforeComplete() {
            try {
                settle(!response.isCommitted());
            } catch (IOException e) {
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "Could not send the response of hold {0}: {1}", hold.id(), e);
                }
            }
        }

        /** Count modes see the final outcome: after a commit failure may have turned a 200 into a 503. */
        private void settleLimitOnce(boolean success) {
            if (limit != null && limitSettled.compareAndSet(false, true)) {
                limiter.settle(limit, success);
            }
        }

        /** The first bytes of the response must leave: settle now. */
        @Override
        public boolean open() throws IOException {
            return decide(!response.isCommitted());
        }

        private void settle(boolean canRewrite) throws IOException {
            // Under the response's lock: a timeout on a container thread sees either nothing decided
            // yet or the whole decision with its bytes passed on (PaidResponse#lock).
            synchronized (out.lock()) {
                try {
                    decide(canRewrite);
                } finally {
                    try {
                        out.release();
                    } finally {
                        settleLimitOnce(!releasedEarly && response.getStatus() < 400);
                    }
                }
            }
        }

        /** Commits or releases, once; {@return false when the response was replaced by a refusal} */
        private boolean decide(boolean canRewrite) throws IOException {
            int status = response.getStatus();
            if (!config.isBillable(status)) {
                release("status " + status);
                return true;
            } else if (settled.compareAndSet(false, true)) {
                return commit(canRewrite);
            } else if (releasedEarly) {
                // An async timeout or error released the hold; what the application answers after
                // it (its fallback) passes through uncharged: the response is already open.
                return true;
            }
            return !replaced;
        }

        private boolean commit(boolean canRewrite) throws IOException {
            RecordedResponse recorded = replayable ? out.record(canRewrite || out.outputUsed()) : null;
            String refusal = charge(hold, recorded, canRewrite && !response.isCommitted());
            return refusal == null || !refuse(canRewrite, refusal);
        }

        /** Replaces the unpaid result with a 503 if nothing has reached the client yet; {@return whether it did} */
        private boolean refuse(boolean canRewrite, String detail) throws IOException {
            if (canRewrite && !response.isCommitted()) {
                replaced = true;
                out.abandon();
                response.reset();
                deny(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, detail).withRetryAfter(config.ledgerRetryAfter()),
                        request, response, limit);
                return true;
            }
            LOG.log(System.Logger.Level.ERROR, "Hold {0}: the response had already been sent when the charge"
                    + " failed; it was delivered uncharged", hold.id());
            return false;
        }

        private void release(String why) {
            if (settled.compareAndSet(false, true)) {
                Enforcer.this.release(hold, why);
            }
        }


        @Override
        public void onComplete(AsyncEvent event) throws IOException {
            synchronized (out.lock()) {
                // The container has completed the response: bytes still held here never reached
                // the client (complete() or an ASYNC dispatch bypassed the filter). Never charge
                // for a response emptied that way.
                AsyncWarnings.check(out, hold.id());
                if (out.holdsBody()) {
                    release("the response completed without the bytes held for it");
                    out.discard();
                }
                settle(false);
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            endedEarly("asynchronous processing timed out");
        }

        @Override
        public void onError(AsyncEvent event) throws IOException {
            endedEarly("asynchronous processing failed: " + event.getThrowable());
        }

        /**
         * A timeout or error: if nothing is decided yet, release the hold and let the response
         * through uncharged (the held bytes and whatever the application writes next, such as the
         * fallback of its own listener). If a charge was committed, its bytes must reach the
         * client rather than be replaced by the container's error page: commit the response.
         */
        private void endedEarly(String why) throws IOException {
            try {
                synchronized (out.lock()) {
                    if (!settled.get()) {
                        releasedEarly = true;
                        release(why);
                        out.release();
                    } else if (out.opened() && !response.isCommitted()) {
                        response.flushBuffer();
                    }
                }
            } finally {
                settleLimitOnce(false);
            }
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
