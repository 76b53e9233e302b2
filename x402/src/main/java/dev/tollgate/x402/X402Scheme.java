package dev.tollgate.x402;

import dev.tollgate.Denial;
import dev.tollgate.spi.Hold;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.RecordedResponse;
import dev.tollgate.spi.payment.ClaimStore;
import dev.tollgate.spi.payment.Committed;
import dev.tollgate.spi.payment.MalformedCredentialException;
import dev.tollgate.spi.payment.Offer;
import dev.tollgate.spi.payment.PaymentScheme;
import dev.tollgate.spi.payment.Reserved;
import dev.tollgate.spi.payment.SchemeContext;
import dev.tollgate.spi.payment.Terms;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The x402 payment scheme ({@value #NAME}): per-request payments in an EIP-3009 token (USDC),
 * signed offline by the client and verified and settled by an x402 facilitator.
 *
 * <ul>
 *   <li><b>402.</b> {@code PAYMENT-REQUIRED} (v2: base64 JSON with {@code accepts}), a
 *       {@code payment-options} entry, and the v1 members {@code x402Version}, {@code error} and
 *       {@code accepts} in the problem body, so v1 and v2 clients pay from one answer.</li>
 *   <li><b>Credential.</b> {@code PAYMENT-SIGNATURE} (v2) or {@code X-PAYMENT} (v1), decoded
 *       strictly by {@link X402Codec}: anything malformed is a {@code 400}.</li>
 *   <li><b>Reserve.</b> Local checks first (the chosen requirement is this endpoint's; recipient,
 *       amount, validity window on the injected clock, at least {@code min(maxTimeoutSeconds, 30 s)}
 *       left); then the authorization (network, token, payer and nonce, whatever the version) is
 *       claimed atomically in the {@link ClaimStore}, so one payment serves one request however many
 *       copies of it arrive at once; then the facilitator's {@code /verify}. A facilitator that
 *       fails or cannot be reached is a {@code 502}, and the claim is released.</li>
 *   <li><b>Commit.</b> {@code /settle} before any byte of the response leaves; the response gets
 *       {@code PAYMENT-RESPONSE} ({@code X-PAYMENT-RESPONSE} for v1) and {@code Cache-Control:
 *       private}. A refusal is a {@code 402} with {@code PAYMENT-RESPONSE {success:false,
 *       errorReason}} only when the failure is definite (no transaction named, no earlier attempt
 *       of unknown outcome). {@code settlement_pending}, a timeout or a 5xx is retried once; an
 *       outcome still unknown, a failure after such an attempt, a failure naming a transaction, or a
 *       success that contradicts the payment (network, transaction hash, payer) is answered
 *       {@code 503} with {@code Retry-After}; the claim is kept, so the payment is not served again
 *       while its outcome is unknown.</li>
 *   <li><b>Release.</b> A response that is not billable settles nothing and frees the claim.</li>
 * </ul>
 *
 * <p>Configuration: {@link #builder()} in code, or (found by {@code ServiceLoader}) the
 * {@code tollgate.x402.*} parameters listed in {@link X402Parameters}; per endpoint, {@link X402}.
 * {@link #start} checks every servlet endpoint that accepts x402 and asks the facilitator's
 * {@code /supported} whether it can settle on each network: an endpoint it cannot serve stops the
 * deployment, naming the endpoint. Jakarta REST resources are checked on first use (a bad one
 * answers {@code 503} and logs why).
 *
 * <p>Thread-safe. {@link #close()} does nothing that needs waiting for.
 */
public final class X402Scheme implements PaymentScheme<X402Payment, X402Scheme.Claim>, AutoCloseable {

    /** The scheme's name in {@code tollgate.schemes} and {@code @RequiresPayment(schemes)}: {@value}. */
    public static final String NAME = "x402";
    /** The facilitator's reason for a broadcast whose receipt was not seen yet: {@value}. */
    public static final String SETTLEMENT_PENDING = "settlement_pending";

    private static final System.Logger LOG = System.getLogger(X402Scheme.class.getName());
    /** Marks the supported kinds as the facilitator's answer (not a kind). */
    private static final String ANSWERED = "answered";
    /**
     * The longest an authorization is required to stay valid from now (when the endpoint's
     * {@code maxTimeoutSeconds} is longer): time for the endpoint to run and for {@code /settle}.
     */
    static final Duration MIN_VALIDITY = Duration.ofSeconds(30);
    /** A transaction hash as a settlement names it. */
    private static final java.util.regex.Pattern TRANSACTION = java.util.regex.Pattern.compile("0x[0-9a-fA-F]{64}");
    /** How far past its timeout a client may date an authorization (clock skew between client and server). */
    private static final Duration MAX_SKEW = Duration.ofMinutes(10);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);

    /**
     * A payment reserved for one call: what commit and release need. Immutable.
     *
     * @param payment the decoded payment
     * @param route the endpoint's terms
     * @param requirement the requirement sent to the facilitator (v2, or v1 for a v1 payment)
     * @param paymentIdKey the claim key of its payment identifier, or {@code null}
     */
    public record Claim(X402Payment payment, X402Route route, JsonObject requirement, String paymentIdKey) {
    }

    private volatile X402Settings settings;
    private final Map<String, Object> routes = new ConcurrentHashMap<>();

    /** Creates a scheme configured from {@code tollgate.x402.*} parameters at {@link #start}; for {@code ServiceLoader}. */
    public X402Scheme() {
        this.settings = null;
    }

    private X402Scheme(X402Settings settings) {
        this.settings = settings;
    }

    /** {@return a builder for a scheme configured in code} */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * A scheme that is named but out of service: it offers nothing, and a request that carries an
     * x402 payment is answered {@code 503} with this reason. For an application that accepts x402
     * only when it is configured (never free: an endpoint that accepts nothing else answers {@code 503}).
     *
     * @param reason why, for logs (such as "TOLLGATE_X402_FACILITATOR is not set")
     * @return the scheme
     */
    public static X402Scheme disabled(String reason) {
        return new X402Scheme(X402Settings.disabled(reason));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public void start(SchemeContext context) {
        if (settings == null) {
            settings = X402Parameters.read(context.parameters(), context.clock(), !context.endpoints().isEmpty());
        }
        settings = settings.started(context);
        X402Settings s = settings;
        if (s.disabledReason() != null) {
            if (!context.endpoints().isEmpty()) {
                LOG.log(System.Logger.Level.WARNING, "x402 is out of service ({0}); {1} endpoint(s) accept it and refuse"
                        + " x402 payments with 503", s.disabledReason(), context.endpoints().size());
            }
            return;
        }
        if (context.endpoints().isEmpty()) {
            // Only Jakarta REST resources (read on first use) may accept x402: ask now, and again on
            // first use if the facilitator cannot be reached yet.
            try {
                ensureSupported(s);
            } catch (IllegalStateException e) {
                LOG.log(System.Logger.Level.WARNING, "x402: {0}; asked again when an endpoint is first used",
                        e.getMessage());
            }
            return;
        }
        ensureSupported(s);
        for (Terms t : context.endpoints()) {
            route(t); // throws, naming the endpoint
        }
        LOG.log(System.Logger.Level.INFO, "x402: {0} endpoint(s) through {1}", context.endpoints().size(),
                s.facilitator().redactedBases());
    }

    /**
     * Asks the facilitator's {@code /supported} once (until it has answered).
     *
     * @throws IllegalStateException if it cannot be asked
     */
    private static void ensureSupported(X402Settings s) {
        if (!s.supported().isEmpty()) {
            return;
        }
        synchronized (s.supported()) {
            if (s.supported().isEmpty()) {
                try {
                    Set<String> kinds = s.facilitator().supported();
                    s.supported().addAll(kinds);
                    s.supported().add(ANSWERED); // even an empty answer is not asked for again
                } catch (Facilitator.FacilitatorException e) {
                    throw new IllegalStateException("cannot check what the x402 facilitator supports: "
                            + e.getMessage(), e);
                }
            }
        }
    }

    private static void checkSupported(X402Route r, X402Settings s) {
        if (!s.supported().contains("2:" + X402Route.EXACT + ":" + r.network())) {
            throw new IllegalStateException(r.resource() + ": the x402 facilitator " + s.facilitator().redactedBases()
                    + " does not support the exact scheme on " + r.network() + " (x402 v2); it supports "
                    + s.supported().stream().filter(k -> !k.equals(ANSWERED)).sorted().toList());
        }
    }

    /**
     * The endpoint's x402 terms, resolved once and cached (the cache is bounded by the
     * application's endpoints, not by requests).
     *
     * @throws IllegalArgumentException naming the endpoint, if its terms are invalid
     */
    X402Route route(Terms terms) {
        X402Settings s = settings;
        try {
            ensureSupported(s);
        } catch (IllegalStateException e) {
            throw new IllegalArgumentException(e.getMessage(), e); // not cached: asked again next time
        }
        String key = terms.resource() + "|" + terms.price() + "|" + terms.declaredOn();
        Object cached = routes.computeIfAbsent(key, k -> {
            try {
                X402Route r = X402Routes.resolve(terms, s);
                checkSupported(r, s);
                return r;
            } catch (RuntimeException e) {
                return e;
            }
        });
        if (cached instanceof RuntimeException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        return (X402Route) cached;
    }

    @Override
    public Offer offer(Terms terms) {
        X402Settings s = settings;
        if (s == null || s.disabledReason() != null || terms.entitlement() != null) {
            return Offer.NONE;
        }
        X402Route r;
        try {
            r = route(terms);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "x402 cannot offer " + terms.resource() + ": " + e.getMessage());
            return Offer.NONE;
        }
        return X402Offers.offer(r, terms, null, s);
    }


    @Override
    public X402Payment credential(HttpServletRequest request) throws MalformedCredentialException {
        List<String> v2 = Collections.list(request.getHeaders(X402Codec.PAYMENT_SIGNATURE));
        List<String> v1 = Collections.list(request.getHeaders(X402Codec.X_PAYMENT));
        if (v2.isEmpty() && v1.isEmpty()) {
            return null;
        }
        if (v2.size() + v1.size() > 1) {
            throw new MalformedCredentialException("Send one payment: one " + X402Codec.PAYMENT_SIGNATURE + " or one "
                    + X402Codec.X_PAYMENT + " header.");
        }
        return v2.isEmpty() ? X402Codec.decodePayment(X402Codec.X_PAYMENT, v1.get(0))
                : X402Codec.decodePayment(X402Codec.PAYMENT_SIGNATURE, v2.get(0));
    }

    @Override
    public Reserved<Claim> reserve(X402Payment payment, Terms terms, Idempotency idempotency) {
        X402Settings s = settings;
        if (s == null || s.disabledReason() != null) {
            return new Reserved.Refused<>(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE,
                    "x402 payments are not accepted by this server now; nothing was charged."));
        }
        if (terms.entitlement() != null) {
            return new Reserved.Refused<>(Denial.of(Denial.Kind.ENTITLEMENT_REQUIRED, "An x402 payment cannot grant the"
                    + " '" + terms.entitlement() + "' entitlement; use an account that holds it."));
        }
        X402Route r;
        try {
            r = route(terms);
        } catch (IllegalArgumentException e) {
            LOG.log(System.Logger.Level.ERROR, "x402 cannot serve " + terms.resource() + ": " + e.getMessage());
            return new Reserved.Refused<>(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE,
                    "This endpoint's x402 terms are misconfigured; nothing was charged."));
        }
        Duration minValidity = minValidity(r);
        String mismatch = X402Routes.mismatch(payment, r, s.clock().instant(), minValidity, MAX_SKEW);
        if (mismatch != null) {
            String why = mismatch.equals("authorization_expired") ? ": it must stay valid (validBefore) at least "
                    + minValidity.toSeconds() + " s from now, for the endpoint to run and the payment to settle" : "";
            return declined(terms, r, s, mismatch, "This payment does not match what the endpoint asks for ("
                    + mismatch + why + "); pay the requirement offered in " + X402Codec.PAYMENT_REQUIRED + ".");
        }
        if (payment.version() == 1 && !X402Offers.v1Supported(r, s)) {
            return declined(terms, r, s, "unsupported_network", "This endpoint takes v2 payments only ("
                    + X402Codec.PAYMENT_SIGNATURE + ").");
        }
        if (payment.paymentId() == null && r.paymentIdentifierRequired()) {
            return new Reserved.Refused<>(Denial.of(Denial.Kind.MALFORMED_REQUEST, "This endpoint requires a"
                    + " payment-identifier (extensions.payment-identifier.info.id, 16 to 128 of A-Z a-z 0-9 _ -)."));
        }
        Instant now = s.clock().instant();
        Instant authLapses = Instant.ofEpochSecond(payment.validBefore()).plus(Duration.ofMinutes(1));
        String pidKey = null;
        if (payment.paymentId() != null) {
            pidKey = "pid:" + payment.paymentId();
            // Held like the authorization while in progress; kept for the retention once spent.
            ClaimStore.Claim c = s.store().claim(pidKey, payment.digest(), now, authLapses);
            if (!c.claimed()) {
                return paymentIdTaken(c, payment);
            }
        }
        String authKey = payment.authorizationKey(r.asset().address());
        ClaimStore.Claim c;
        try {
            c = s.store().claim(authKey, payment.digest(), now, authLapses);
        } catch (RuntimeException e) {
            releaseQuietly(s, pidKey);
            throw e;
        }
        if (!c.claimed()) {
            releaseQuietly(s, pidKey);
            return switch (c.state()) {
                case IN_PROGRESS -> new Reserved.Refused<>(Denial.of(Denial.Kind.IDEMPOTENCY_IN_PROGRESS,
                        "This payment is being used by another request; it pays for one call only."));
                case UNKNOWN -> new Reserved.Refused<>(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The settlement of"
                        + " this payment has not finished; do not pay again for this call yet.").withRetryAfter(RETRY_AFTER));
                case SPENT -> declined(terms, r, s, "payment_already_used", "This payment was already used; it pays"
                        + " for one call only.");
            };
        }
        JsonObject requirement = payment.version() == 2 ? r.requirement()
                : r.requirementV1(X402Offers.url(terms.request(), s));
        Facilitator.Verification v;
        try {
            v = s.facilitator().verify(payment.version(), payment.raw(), requirement);
        } catch (Facilitator.FacilitatorException e) {
            releaseQuietly(s, authKey);
            releaseQuietly(s, pidKey);
            LOG.log(System.Logger.Level.WARNING, "x402 verify for {0} failed: {1}", terms.resource(), e.getMessage());
            return new Reserved.Refused<>(Denial.of(Denial.Kind.PAYMENT_PROVIDER_FAILED, "The x402 facilitator could"
                    + " not check this payment; nothing was charged. Try again later."));
        } catch (RuntimeException e) {
            // Nothing moved: free the claims so that the payment can be sent again.
            releaseQuietly(s, authKey);
            releaseQuietly(s, pidKey);
            throw e;
        }
        if (v.valid() && v.payer() != null && !v.payer().equalsIgnoreCase(payment.from())) {
            // The facilitator checked something else than this payment: trust neither answer, and
            // keep the payment from being used again until its claim lapses.
            LOG.log(System.Logger.Level.WARNING, "x402 verify for {0} names payer {1}, the payment is from {2};"
                    + " the payment is held as unknown", terms.resource(), bounded(v.payer()), payment.from());
            markUnknown(s, authKey, pidKey);
            return new Reserved.Refused<>(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The x402 facilitator's answer"
                    + " does not match this payment; nothing was charged. Do not pay again for this call yet.")
                    .withRetryAfter(RETRY_AFTER));
        }
        if (!v.valid()) {
            releaseQuietly(s, authKey);
            releaseQuietly(s, pidKey);
            String reason = v.invalidReason() == null ? "invalid_payment" : v.invalidReason();
            return declined(terms, r, s, reason, "The x402 facilitator refused this payment (" + reason + ").");
        }
        Claim claim = new Claim(payment, r, requirement, pidKey);
        Hold hold = new Hold("x402-" + payment.nonce().substring(2, 18), payment.from(), X402Offers.money(r),
                Instant.ofEpochSecond(payment.validBefore()));
        return new Reserved.Held<>(claim, hold, null, null, pidKey != null);
    }

    /** {@return how long an authorization must stay valid: the endpoint's timeout, at most {@link #MIN_VALIDITY}} */
    static Duration minValidity(X402Route r) {
        return Duration.ofSeconds(Math.min(r.maxTimeoutSeconds(), MIN_VALIDITY.toSeconds()));
    }

    /** A facilitator's string for a log line: at most 80 printable ASCII characters. */
    static String bounded(String text) {
        if (text == null) {
            return "null";
        }
        String t = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static void markUnknown(X402Settings s, String authKey, String pidKey) {
        try {
            s.store().unknown(authKey);
            if (pidKey != null) {
                s.store().unknown(pidKey);
            }
        } catch (RuntimeException e) {
            // Still taken: a claim left in progress lapses like an unknown one.
            LOG.log(System.Logger.Level.WARNING, "x402 could not mark a claim unknown: {0}", e.toString());
        }
    }

    private static String authKey(Claim claim) {
        return claim.payment().authorizationKey(claim.route().asset().address());
    }

    /**
     * {@return why a settlement that says it succeeded cannot be trusted, or {@code null}} It must
     * name the endpoint's network (its v1 name for a v1 payment), a transaction hash, and no payer
     * other than the payment's.
     */
    static String contradiction(Facilitator.Settlement result, X402Payment p, X402Route r) {
        String expected = p.version() == 1 ? X402Networks.v1Name(r.network()) : r.network();
        if (result.network() == null || !(result.network().equals(expected) || result.network().equals(r.network()))) {
            return "it names network " + bounded(result.network()) + ", not " + expected;
        }
        if (!TRANSACTION.matcher(result.transaction()).matches()) {
            return "it names no transaction hash (" + bounded(result.transaction()) + ")";
        }
        if (result.payer() != null && !result.payer().equalsIgnoreCase(p.from())) {
            return "it names payer " + bounded(result.payer()) + ", not " + p.from();
        }
        return null;
    }

    private Reserved<Claim> paymentIdTaken(ClaimStore.Claim c, X402Payment payment) {
        if (!c.digest().equals(payment.digest())) {
            return new Reserved.Refused<>(Denial.of(Denial.Kind.IDEMPOTENCY_KEY_REUSED, "This payment-identifier was"
                    + " used with another payment."));
        }
        if (c.state() == ClaimStore.State.SPENT) {
            return c.response() != null ? new Reserved.Replayed<>(c.response())
                    : new Reserved.Refused<>(Denial.of(Denial.Kind.ALREADY_PROCESSED, "This payment was settled and"
                            + " served; its response was not kept, so it cannot be sent again."));
        }
        if (c.state() == ClaimStore.State.UNKNOWN) {
            return new Reserved.Refused<>(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE, "The settlement of this payment"
                    + " has not finished; do not pay again for this call yet.").withRetryAfter(RETRY_AFTER));
        }
        return new Reserved.Refused<>(Denial.of(Denial.Kind.IDEMPOTENCY_IN_PROGRESS, "A request with this"
                + " payment-identifier is in progress."));
    }

    private Reserved<Claim> declined(Terms terms, X402Route r, X402Settings s, String reason, String detail) {
        Offer offer = X402Offers.offer(r, terms, reason, s);
        return new Reserved.Refused<>(new Denial(Denial.Kind.PAYMENT_DECLINED, detail, terms.price(), null, null,
                terms.description(), null, List.of(), offer.options(), offer.members()), offer.headers());
    }

    private static void releaseQuietly(X402Settings s, String key) {
        if (key == null) {
            return;
        }
        try {
            s.store().release(key);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "x402 could not free a claim ({0}); it lapses by itself", e.toString());
        }
    }

    @Override
    public Committed commit(Claim claim, RecordedResponse recorded, boolean canReplace) {
        X402Settings s = settings;
        X402Payment p = claim.payment();
        Facilitator.Settlement result = null;
        String unknown = null;
        for (int attempt = 0; attempt < 2 && result == null; attempt++) {
            try {
                Facilitator.Settlement answer = s.facilitator().settle(p.version(), p.raw(), claim.requirement());
                if (!answer.success() && SETTLEMENT_PENDING.equals(answer.errorReason())) {
                    unknown = "settlement pending";
                } else {
                    result = answer;
                }
            } catch (Facilitator.FacilitatorException e) {
                unknown = e.getMessage();
            }
        }
        String responseHeader = p.version() == 2 ? X402Codec.PAYMENT_RESPONSE : X402Codec.X_PAYMENT_RESPONSE;
        String problem;
        if (result == null) {
            problem = unknown + ", twice";
        } else if (!result.success() && unknown != null) {
            // The first attempt may have gone through: a refusal of the retry (such as the nonce
            // being used) says nothing about it.
            problem = unknown + ", then the retry failed (" + result.errorReason() + ")";
        } else if (!result.success() && !result.transaction().isEmpty()) {
            problem = "it failed (" + result.errorReason() + ") but names transaction " + bounded(result.transaction())
                    + ", which may still be mined";
        } else if (result.success()) {
            problem = contradiction(result, p, claim.route());
        } else {
            problem = null;
        }
        if (problem != null) {
            LOG.log(System.Logger.Level.WARNING, "x402 settlement of {0} for {1} is unknown: {2}; the payment is held"
                    + " until its claim lapses", p.from(), claim.route().resource(), problem);
            markUnknown(s, authKey(claim), claim.paymentIdKey());
            return new Committed.Unknown("The payment was sent for settlement and its outcome is not known yet;"
                    + " do not pay again for this call.");
        }
        if (!result.success()) {
            releaseQuietly(s, authKey(claim));
            releaseQuietly(s, claim.paymentIdKey());
            String reason = result.errorReason() == null ? "settlement_failed" : result.errorReason();
            JsonObject answer = X402Codec.settlement(false, reason, "", p.network(), p.from());
            return new Committed.Declined("The x402 facilitator did not settle this payment (" + reason + ").",
                    List.of(Map.entry(responseHeader, X402Codec.encode(answer))));
        }
        Instant now = s.clock().instant();
        try {
            s.store().spend(authKey(claim), null,
                    Instant.ofEpochSecond(p.validBefore()).plus(Duration.ofMinutes(1)));
            if (claim.paymentIdKey() != null) {
                s.store().spend(claim.paymentIdKey(), recorded, now.plus(s.paymentIdRetention()));
            }
        } catch (RuntimeException e) {
            // Paid on chain: deliver. The claim stays in progress until it lapses, so the payment is
            // still not served again; only a payment-identifier retry cannot be answered from the record.
            LOG.log(System.Logger.Level.WARNING, "x402 paid, but its claim could not be marked spent: {0}",
                    e.toString());
        }
        JsonObject answer = X402Codec.settlement(true, null, result.transaction(), p.network(), p.from());
        return new Committed.Paid(List.of(Map.entry(responseHeader, X402Codec.encode(answer)),
                Map.entry("Cache-Control", "private")));
    }

    @Override
    public void release(Claim claim, String why) {
        X402Settings s = settings;
        releaseQuietly(s, authKey(claim));
        releaseQuietly(s, claim.paymentIdKey());
    }

    @Override
    public void close() {
        // Nothing to stop: the HTTP client's threads are daemons and idle ones end by themselves.
    }


    /**
     * Builds a scheme in code. The facilitator URL and the receiving address are required; the rest
     * have the defaults of {@link X402Parameters}. Not thread-safe; the scheme it builds is.
     */
    public static final class Builder {
        private final List<URI> facilitators = new ArrayList<>();
        private Duration connectTimeout = X402Parameters.DEFAULT_CONNECT_TIMEOUT;
        private Duration requestTimeout = X402Parameters.DEFAULT_REQUEST_TIMEOUT;
        private final Map<String, String> authHeaders = new LinkedHashMap<>();
        private String network = X402Parameters.DEFAULT_NETWORK;
        private X402Asset asset;
        private String payTo;
        private int maxTimeoutSeconds = X402Parameters.DEFAULT_MAX_TIMEOUT_SECONDS;
        private Duration paymentIdRetention = X402Parameters.DEFAULT_PAYMENT_ID_RETENTION;
        private ClaimStore store;
        private Clock clock;
        private String resourceBaseUrl;

        private Builder() {
        }

        /**
         * Adds a facilitator base URL; several are tried in order when one cannot be reached.
         *
         * @param url such as {@code https://x402.org/facilitator}
         * @return this builder
         */
        public Builder facilitator(String url) {
            facilitators.add(URI.create(url));
            return this;
        }

        /**
         * @param timeout how long to wait for a connection to the facilitator (default 2 s)
         * @return this builder
         */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * @param timeout how long one facilitator call may take, answer included (default 15 s)
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Adds a header sent with every facilitator call (such as {@code Authorization}); never logged.
         *
         * @param name the header name
         * @param value its value
         * @return this builder
         */
        public Builder authHeader(String name, String value) {
            authHeaders.put(name, value);
            return this;
        }

        /**
         * @param caip2 the default network (default {@code eip155:84532}, Base Sepolia)
         * @return this builder
         */
        public Builder network(String caip2) {
            this.network = caip2;
            return this;
        }

        /**
         * @param asset the default token (default: the network's USDC when known)
         * @return this builder
         */
        public Builder asset(X402Asset asset) {
            this.asset = asset;
            return this;
        }

        /**
         * @param address the default receiving address
         * @return this builder
         */
        public Builder payTo(String address) {
            this.payTo = address;
            return this;
        }

        /**
         * @param seconds the default time a signed payment may take to settle (default 60)
         * @return this builder
         */
        public Builder maxTimeoutSeconds(int seconds) {
            this.maxTimeoutSeconds = seconds;
            return this;
        }

        /**
         * @param retention how long a payment-identifier's response is kept for retries (default 1 day)
         * @return this builder
         */
        public Builder paymentIdRetention(Duration retention) {
            this.paymentIdRetention = retention;
            return this;
        }

        /**
         * @param store where claims and payment-identifier records live (default: in memory)
         * @return this builder
         */
        public Builder store(ClaimStore store) {
            this.store = store;
            return this;
        }

        /**
         * @param clock the clock for validity windows and record expiry (default: Tollgate's)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        /**
         * @param url the public {@code scheme://host[:port]} of resource URLs in offers, such as
         *     {@code https://api.example.com} (default: the address each request came in on; the
         *     {@code Host} header is never used)
         * @return this builder
         */
        public Builder resourceBaseUrl(String url) {
            this.resourceBaseUrl = url;
            return this;
        }

        /**
         * {@return the scheme}
         *
         * @throws IllegalArgumentException if a value is missing or invalid
         */
        public X402Scheme build() {
            Facilitator f = new Facilitator(facilitators, connectTimeout, requestTimeout, authHeaders);
            X402Settings s = X402Parameters.settings(f, network, asset, payTo, maxTimeoutSeconds, paymentIdRetention,
                    store, clock, resourceBaseUrl);
            return new X402Scheme(s);
        }
    }
}
