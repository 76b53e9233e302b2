package dev.tollgate;

import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.spi.events.TollgateListener;
import dev.tollgate.spi.payment.PaymentScheme;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The immutable configuration of a {@link TollgateFilter}: one small settings object per concern,
 * composed by the one {@link Builder}. Every way of configuring Tollgate ends here: the programmatic
 * builder, {@code web.xml} filter init-params, servlet-context init-params and a
 * {@code tollgate.properties} resource all go through {@link Builder#apply(Map)} and the same setters,
 * and each settings object checks its own values (a refusal names the parameter and the value).
 *
 * <h2>Parameters</h2>
 * Each settings class lists its parameters, with defaults and meaning:
 * <ul>
 *   <li>{@link RegistrationSettings}: {@value #ENABLED}, {@value #AUTO_REGISTER};</li>
 *   <li>{@link ComponentSettings}: {@value #LEDGER}, {@value #ACCOUNTS}, {@value #PAYER_RESOLVER},
 *       {@value #RENDERER}, {@value #RATE_LIMIT_STORE}, {@value #RATE_LIMIT_LISTENER};</li>
 *   <li>{@link PaymentSettings}: {@value #SCHEMES};</li>
 *   <li>{@link EventSettings}: {@value #EVENT_LISTENERS};</li>
 *   <li>{@link IdentificationSettings}: {@value #API_KEY_HEADER}, {@value #BEARER_TOKENS};</li>
 *   <li>{@link BillingSettings}: {@value #BILLABLE_STATUSES}, {@value #LEDGER_RETRY_AFTER},
 *       {@value #BALANCE_HEADER};</li>
 *   <li>{@link IdempotencySettings}: {@value #MAX_REQUEST_BYTES}, {@value #MAX_RESPONSE_BYTES};</li>
 *   <li>{@link RateLimitSettings}: {@value #MAX_BUCKETS}, {@value #RATE_LIMIT_HEADERS},
 *       {@value #ON_STORE_FAILURE}, {@value #RATE_LIMIT_NAMESPACE}, {@value #IPV6_PREFIX};</li>
 *   <li>{@link ProxySettings}: {@value #TRUSTED_PROXIES}, {@value #FORWARDED_HEADER};</li>
 *   <li>{@link ProblemSettings}: {@value #PROBLEM_TYPE_BASE};</li>
 *   <li>{@link PolicySettings}: {@value #POLICIES} and {@code tollgate.policy.<id>.<attribute>};</li>
 *   <li>{@link TimeSettings}: the clock and the scheduler, set in code only.</li>
 * </ul>
 * Optional modules (ledgers, rate-limit stores) read parameters of their own, which they declare
 * through {@link dev.tollgate.spi.ParameterNames}; see each module's documentation. Any other
 * parameter starting with {@code tollgate.} fails start-up, so a typo never goes unseen.
 *
 * <p>Immutable and thread-safe.
 */
public final class TollgateConfig {

    /** Parameter {@value}: see {@link RegistrationSettings}. */
    public static final String ENABLED = RegistrationSettings.ENABLED;
    /** Parameter {@value}: see {@link RegistrationSettings}. */
    public static final String AUTO_REGISTER = RegistrationSettings.AUTO_REGISTER;
    /** Parameter {@value}: see {@link ComponentSettings}. */
    public static final String LEDGER = ComponentSettings.LEDGER;
    /** Parameter {@value}: see {@link ComponentSettings}. */
    public static final String ACCOUNTS = ComponentSettings.ACCOUNTS;
    /** Parameter {@value}: see {@link ComponentSettings}. */
    public static final String PAYER_RESOLVER = ComponentSettings.PAYER_RESOLVER;
    /** Parameter {@value}: see {@link ComponentSettings}. */
    public static final String RENDERER = ComponentSettings.RENDERER;
    /** Parameter {@value}: see {@link ComponentSettings}. */
    public static final String RATE_LIMIT_STORE = ComponentSettings.RATE_LIMIT_STORE;
    /** Parameter {@value}: see {@link ComponentSettings}. */
    public static final String RATE_LIMIT_LISTENER = ComponentSettings.RATE_LIMIT_LISTENER;
    /** Parameter {@value}: see {@link PaymentSettings}. */
    public static final String SCHEMES = PaymentSettings.SCHEMES;
    /** Parameter {@value}: see {@link EventSettings}. */
    public static final String EVENT_LISTENERS = EventSettings.LISTENERS;
    /** Parameter {@value}: see {@link IdentificationSettings}. */
    public static final String API_KEY_HEADER = IdentificationSettings.API_KEY_HEADER;
    /** Parameter {@value}: see {@link IdentificationSettings}. */
    public static final String BEARER_TOKENS = IdentificationSettings.BEARER_TOKENS;
    /** Parameter {@value}: see {@link BillingSettings}. */
    public static final String BILLABLE_STATUSES = BillingSettings.BILLABLE_STATUSES;
    /** Parameter {@value}: see {@link BillingSettings}. */
    public static final String LEDGER_RETRY_AFTER = BillingSettings.LEDGER_RETRY_AFTER;
    /** Parameter {@value}: see {@link BillingSettings}. */
    public static final String BALANCE_HEADER = BillingSettings.BALANCE_HEADER;
    /** Parameter {@value}: see {@link IdempotencySettings}. */
    public static final String MAX_REQUEST_BYTES = IdempotencySettings.MAX_REQUEST_BYTES;
    /** Parameter {@value}: see {@link IdempotencySettings}. */
    public static final String MAX_RESPONSE_BYTES = IdempotencySettings.MAX_RESPONSE_BYTES;
    /** Parameter {@value}: see {@link RateLimitSettings}. */
    public static final String MAX_BUCKETS = RateLimitSettings.MAX_BUCKETS;
    /** Parameter {@value}: see {@link RateLimitSettings}. */
    public static final String RATE_LIMIT_HEADERS = RateLimitSettings.HEADERS;
    /** Parameter {@value}: see {@link RateLimitSettings}. */
    public static final String ON_STORE_FAILURE = RateLimitSettings.ON_STORE_FAILURE;
    /** Parameter {@value}: see {@link RateLimitSettings}. */
    public static final String RATE_LIMIT_NAMESPACE = RateLimitSettings.NAMESPACE;
    /** Parameter {@value}: see {@link RateLimitSettings}. */
    public static final String IPV6_PREFIX = RateLimitSettings.IPV6_PREFIX;
    /** Parameter {@value}: see {@link ProxySettings}. */
    public static final String TRUSTED_PROXIES = ProxySettings.TRUSTED_PROXIES;
    /** Parameter {@value}: see {@link ProxySettings}. */
    public static final String FORWARDED_HEADER = ProxySettings.FORWARDED_HEADER;
    /** Parameter {@value}: see {@link ProblemSettings}. */
    public static final String PROBLEM_TYPE_BASE = ProblemSettings.PROBLEM_TYPE_BASE;
    /** The default prefix of problem type URIs: {@value}. */
    public static final String DEFAULT_PROBLEM_TYPE_BASE = ProblemSettings.DEFAULT_PROBLEM_TYPE_BASE;
    /** Parameter {@value}: see {@link PolicySettings}. */
    public static final String POLICIES = PolicySettings.POLICIES;
    /** Prefix of parameters that configure one policy each: {@code tollgate.policy.<id>.<attribute>}. */
    public static final String POLICY_PREFIX = PolicySettings.POLICY_PREFIX;

    /** Which rate-limit headers limited responses carry. */
    public enum HeaderStyle {
        /** {@code RateLimit-Policy} and {@code RateLimit} (draft-ietf-httpapi-ratelimit-headers-10). */
        STANDARD,
        /** {@code X-RateLimit-Limit}, {@code X-RateLimit-Remaining}, {@code X-RateLimit-Reset} (seconds). */
        LEGACY,
        /** Both. */
        BOTH,
        /** None ({@code Retry-After} is still sent with 429). */
        NONE
    }

    private final RegistrationSettings registration;
    private final ComponentSettings components;
    private final PaymentSettings payments;
    private final EventSettings events;
    private final IdentificationSettings identification;
    private final BillingSettings billing;
    private final IdempotencySettings idempotency;
    private final RateLimitSettings rateLimits;
    private final ProxySettings proxies;
    private final ProblemSettings problems;
    private final PolicySettings policies;
    private final TimeSettings time;

    private TollgateConfig(Builder b) {
        this.registration = b.registration;
        this.components = b.components;
        this.payments = b.payments;
        this.events = b.events;
        this.identification = b.identification;
        this.billing = b.billing;
        this.idempotency = b.idempotency;
        this.rateLimits = b.rateLimits;
        this.proxies = b.proxies;
        this.problems = b.problems;
        this.policies = b.policies.withEntries(b.policyEntries);
        this.time = b.time;
    }

    /** {@return a builder with every default} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return whether Tollgate runs and registers itself} */
    public RegistrationSettings registration() { return registration; }
    /** {@return the extension points given in code or named by parameters} */
    public ComponentSettings components() { return components; }
    /** {@return which payment schemes priced endpoints accept} */
    public PaymentSettings payments() { return payments; }
    /** {@return who hears Tollgate's events} */
    public EventSettings events() { return events; }
    /** {@return how the built-in resolver finds API keys} */
    public IdentificationSettings identification() { return identification; }
    /** {@return which outcomes are charged and the Retry-After of ledger outages} */
    public BillingSettings billing() { return billing; }
    /** {@return the bounds of idempotent requests} */
    public IdempotencySettings idempotency() { return idempotency; }
    /** {@return how rate limits keep buckets and what limited responses say} */
    public RateLimitSettings rateLimits() { return rateLimits; }
    /** {@return which reverse proxies may name the client} */
    public ProxySettings proxies() { return proxies; }
    /** {@return how problem types are named} */
    public ProblemSettings problems() { return problems; }
    /** {@return the policies from configuration} */
    public PolicySettings policySettings() { return policies; }
    /** {@return Tollgate's clock and scheduler} */
    public TimeSettings time() { return time; }

    // The accessors below predate the settings objects; each reads one value of one of them.

    /** {@return whether Tollgate enforces anything} */
    public boolean enabled() { return registration.enabled(); }
    /** {@return the ledger instance given to the builder, or {@code null} to discover one} */
    public Ledger ledger() { return components.ledger(); }
    /** {@return the ledger class name, or {@code null}} */
    public String ledgerClass() { return components.ledgerClass(); }
    /** {@return the accounts resource of the in-memory ledger, or {@code null}} */
    public String accountsResource() { return components.accountsResource(); }
    /** {@return the payer resolver given to the builder, or {@code null} for the class or the default} */
    public PayerResolver payerResolver() { return components.payerResolver(); }
    /** {@return the payer resolver class name, or {@code null}} */
    public String payerResolverClass() { return components.payerResolverClass(); }
    /** {@return the renderer given to the builder, or {@code null} for the class or the default} */
    public DenialRenderer renderer() { return components.renderer(); }
    /** {@return the renderer class name, or {@code null}} */
    public String rendererClass() { return components.rendererClass(); }
    /** {@return the rate-limit store given to the builder, or {@code null}} */
    public RateLimitStore rateLimitStore() { return components.rateLimitStore(); }
    /** {@return the rate-limit store class name, or {@code null}} */
    public String rateLimitStoreClass() { return components.rateLimitStoreClass(); }
    /** {@return the rate-limit listener given to the builder, or {@code null}} */
    public RateLimitListener rateLimitListener() { return components.rateLimitListener(); }
    /** {@return the rate-limit listener class name, or {@code null}} */
    public String rateLimitListenerClass() { return components.rateLimitListenerClass(); }
    /** {@return the names of the payment schemes priced endpoints accept, in order} */
    public List<String> schemes() { return payments.schemes(); }
    /** {@return the payment schemes given to the builder, besides those {@code ServiceLoader} finds} */
    public List<PaymentScheme<?, ?>> paymentSchemes() { return payments.paymentSchemes(); }
    /** {@return the API key header} */
    public String apiKeyHeader() { return identification.apiKeyHeader(); }
    /** {@return whether bearer tokens identify payers} */
    public boolean bearerTokens() { return identification.bearerTokens(); }
    /**
     * {@return whether a response status commits the hold}
     *
     * @param status the status
     */
    public boolean isBillable(int status) { return billing.isBillable(status); }
    /** {@return the billable statuses as configured, such as {@code 2xx}} */
    public String billableStatuses() { return billing.billableStatuses(); }
    /** {@return the Retry-After of 503 responses} */
    public Duration ledgerRetryAfter() { return billing.ledgerRetryAfter(); }
    /** {@return the largest body of a request with an Idempotency-Key} */
    public int maxRequestBytes() { return idempotency.maxRequestBytes(); }
    /** {@return the largest response body kept for replay} */
    public int maxResponseBytes() { return idempotency.maxResponseBytes(); }
    /** {@return the most rate-limit buckets kept in memory} */
    public long maxBuckets() { return rateLimits.maxBuckets(); }
    /** {@return which rate-limit headers limited responses carry} */
    public HeaderStyle rateLimitHeaders() { return rateLimits.headers(); }
    /** {@return what limits with {@code onStoreFailure = DEFAULT} do when the store fails} */
    public StoreFailure onStoreFailure() { return rateLimits.onStoreFailure(); }
    /** {@return the namespace of shared rate-limit keys, or {@code null} for the context path} */
    public String rateLimitNamespace() { return rateLimits.namespace(); }
    /** {@return the IPv6 prefix length that keys client addresses} */
    public int ipv6Prefix() { return rateLimits.ipv6Prefix(); }
    /** {@return the trusted proxies as configured (empty for none)} */
    public String trustedProxies() { return proxies.trustedProxies(); }
    /** {@return whether the trusted proxies write {@code Forwarded} (else {@code X-Forwarded-For})} */
    public boolean forwardedHeader() { return proxies.forwardedHeader(); }
    /** {@return the prefix of problem type URIs} */
    public String problemTypeBase() { return problems.problemTypeBase(); }
    /** {@return the resource holding configured policies, or {@code null}} */
    public String policiesResource() { return policies.resource(); }
    /** {@return configured policies given as parameters: {@code <id>.<attribute>} to value} */
    public Map<String, String> policies() { return policies.entries(); }
    /** {@return Tollgate's clock, or {@code null} for the system clock; see {@link TimeSettings}} */
    public Clock clock() { return time.clock(); }
    /** {@return the scheduler of settlement retries, or {@code null} for Tollgate's own thread} */
    public ScheduledExecutorService scheduler() { return time.scheduler(); }

    /**
     * Builds a {@link TollgateConfig}: keeps one settings object per concern and replaces it at each
     * setter, so a setter fails at once with an {@link IllegalArgumentException} naming the parameter
     * and the value (what each value may be is documented on its settings class), or with a
     * {@link NullPointerException} for a {@code null} instance. Every setter returns this builder.
     * Not thread-safe.
     */
    public static final class Builder {
        private RegistrationSettings registration = RegistrationSettings.DEFAULTS;
        private ComponentSettings components = ComponentSettings.DEFAULTS;
        private PaymentSettings payments = PaymentSettings.DEFAULTS;
        private EventSettings events = EventSettings.DEFAULTS;
        private IdentificationSettings identification = IdentificationSettings.DEFAULTS;
        private BillingSettings billing = BillingSettings.DEFAULTS;
        private IdempotencySettings idempotency = IdempotencySettings.DEFAULTS;
        private RateLimitSettings rateLimits = RateLimitSettings.DEFAULTS;
        private ProxySettings proxies = ProxySettings.DEFAULTS;
        private ProblemSettings problems = ProblemSettings.DEFAULTS;
        private PolicySettings policies = PolicySettings.DEFAULTS;
        // Collected here and copied once at build(): a copy per entry would be quadratic.
        private final Map<String, String> policyEntries = new TreeMap<>();
        private TimeSettings time = TimeSettings.DEFAULTS;

        private Builder() {
        }

        /**
         * Applies parameters by name (see the list in {@link TollgateConfig}), accepting the names
         * that modules visible to the thread's context class loader declare (see
         * {@link #apply(Map, ClassLoader)}).
         *
         * @param parameters the parameters
         * @return this builder
         * @throws IllegalArgumentException if a name is unknown or a value invalid; the message names
         *     the parameter and the value
         */
        public Builder apply(Map<String, String> parameters) {
            ClassLoader loader = Thread.currentThread().getContextClassLoader();
            return apply(parameters, loader != null ? loader : TollgateConfig.class.getClassLoader());
        }

        /**
         * Applies parameters by name (see the list in {@link TollgateConfig}). Names that do not
         * start with {@code tollgate.} are ignored. A {@code tollgate.*} name the core does not read
         * is accepted (and left to its module) when a module declares it through
         * {@link dev.tollgate.spi.ParameterNames}, found with {@link java.util.ServiceLoader} in
         * {@code loader}; any other is an error, whose message says which module reads that family
         * of names or that the module reading it may be missing.
         *
         * @param parameters the parameters
         * @param loader the web application's class loader, which sees its modules
         * @return this builder
         * @throws IllegalArgumentException if a name is unknown or a value invalid, or a module's
         *     declaration cannot be loaded; the message names the parameter and the value
         */
        public Builder apply(Map<String, String> parameters, ClassLoader loader) {
            ParameterReader.apply(this, parameters, Objects.requireNonNull(loader, "loader"));
            return this;
        }

        /** Hands a parameter to each settings object; only the one that owns the name changes. */
        void set(String name, String value) {
            registration = registration.with(name, value);
            components = components.with(name, value);
            payments = payments.with(name, value);
            events = events.with(name, value);
            identification = identification.with(name, value);
            billing = billing.with(name, value);
            idempotency = idempotency.with(name, value);
            rateLimits = rateLimits.with(name, value);
            proxies = proxies.with(name, value);
            problems = problems.with(name, value);
            policies = policies.with(name, value);
        }

        /** Turns enforcement on or off; {@code false} lets every request through untouched. */
        public Builder enabled(boolean enabled) {
            registration = registration.withEnabled(enabled);
            return this;
        }

        /** Uses this ledger; it takes precedence over every other way of choosing one. */
        public Builder ledger(Ledger ledger) {
            components = components.withLedger(Objects.requireNonNull(ledger, "ledger"));
            return this;
        }

        /** Uses this payer resolver; it takes precedence over every other way of choosing one. */
        public Builder payerResolver(PayerResolver resolver) {
            components = components.withPayerResolver(Objects.requireNonNull(resolver, "resolver"));
            return this;
        }

        /** Uses this renderer for refusals; it takes precedence over every other way of choosing one. */
        public Builder renderer(DenialRenderer renderer) {
            components = components.withRenderer(Objects.requireNonNull(renderer, "renderer"));
            return this;
        }

        /** Shares rate-limit buckets between nodes through this store; it takes precedence as above. */
        public Builder rateLimitStore(RateLimitStore store) {
            components = components.withRateLimitStore(Objects.requireNonNull(store, "store"));
            return this;
        }

        /**
         * Tells this listener about rate-limit events; it takes precedence as above.
         *
         * @deprecated use {@link #eventListener}, whose events include the rate-limit ones
         *     ({@link dev.tollgate.spi.events.TollgateEvent.Limited}, {@code ShadowLimited},
         *     {@code StoreFailed})
         */
        @Deprecated
        public Builder rateLimitListener(RateLimitListener listener) {
            components = components.withRateLimitListener(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds a listener of every decision Tollgate makes; may be called several times (each listener
         * hears every event, in the order added). Listeners given here win over every other way of
         * registering them (see {@link TollgateListener}).
         */
        public Builder eventListener(TollgateListener listener) {
            events = events.withListener(listener);
            return this;
        }

        /** Sets the payment schemes priced endpoints accept, in order (see {@link PaymentSettings}). */
        public Builder schemes(String... names) {
            payments = payments.withSchemes(Arrays.asList(names));
            return this;
        }

        /** Makes a scheme available by its name; {@link #schemes} says whether endpoints accept it. */
        public Builder paymentScheme(PaymentScheme<?, ?> scheme) {
            payments = payments.withPaymentScheme(scheme);
            return this;
        }

        /** Sets the header the built-in resolver reads API keys from; {@code X-API-Key} by default. */
        public Builder apiKeyHeader(String header) {
            identification = identification.withApiKeyHeader(header);
            return this;
        }

        /** Sets whether the built-in resolver accepts {@code Authorization: Bearer <key>} (it does by default). */
        public Builder bearerTokens(boolean accept) {
            identification = identification.withBearerTokens(accept);
            return this;
        }

        /** Sets the statuses that commit a hold, such as {@code "200-299,304"}; {@code "2xx"} by default. */
        public Builder billableStatuses(String statuses) {
            billing = billing.withBillableStatuses(statuses);
            return this;
        }

        /** Sets the {@code Retry-After} of {@code 503} responses: at least one second; 5 by default. */
        public Builder ledgerRetryAfter(Duration delay) {
            billing = billing.withLedgerRetryAfter(delay);
            return this;
        }

        /**
         * Sets the response header that carries the account's balance after the charge on paid
         * responses (opt-in; {@code null} or blank: none, the default).
         *
         * @param header a header name, such as {@code Tollgate-Balance}
         * @return this builder
         */
        public Builder balanceHeader(String header) {
            billing = billing.withBalanceHeader(header);
            return this;
        }

        /** Sets the largest body of a request with an {@code Idempotency-Key}: at least 0; 1 MiB by default. */
        public Builder maxRequestBytes(int bytes) {
            idempotency = idempotency.withMaxRequestBytes(bytes);
            return this;
        }

        /** Sets the largest response body kept for replay: at least 0; 1 MiB by default. */
        public Builder maxResponseBytes(int bytes) {
            idempotency = idempotency.withMaxResponseBytes(bytes);
            return this;
        }

        /** Sets the most rate-limit buckets kept in memory: at least 1; 100,000 by default. */
        public Builder maxBuckets(long max) {
            rateLimits = rateLimits.withMaxBuckets(max);
            return this;
        }

        /** Sets which rate-limit headers limited responses carry; {@link HeaderStyle#STANDARD} by default. */
        public Builder rateLimitHeaders(HeaderStyle style) {
            rateLimits = rateLimits.withHeaders(Objects.requireNonNull(style, "style"));
            return this;
        }

        /** Sets what limits with {@code onStoreFailure = DEFAULT} do on a store failure; {@code LOCAL} by default. */
        public Builder onStoreFailure(StoreFailure policy) {
            rateLimits = rateLimits.withOnStoreFailure(policy);
            return this;
        }

        /** Sets the namespace of shared rate-limit keys (1 to 64 printable ASCII characters, no spaces). */
        public Builder rateLimitNamespace(String namespace) {
            rateLimits = rateLimits.withNamespace(namespace);
            return this;
        }

        /** Sets how many leading bits of an IPv6 client address make its rate-limit key: 32 to 128; 64 by default. */
        public Builder ipv6Prefix(int bits) {
            rateLimits = rateLimits.withIpv6Prefix(bits);
            return this;
        }

        /** Sets the proxies whose forwarding headers are believed, such as {@code 10.0.0.0/8, ::1}; none by default. */
        public Builder trustedProxies(String addresses) {
            proxies = proxies.withTrustedProxies(addresses);
            return this;
        }

        /** Sets whether those proxies write {@code Forwarded} (RFC 7239) rather than {@code X-Forwarded-For}. */
        public Builder forwardedHeader(boolean forwarded) {
            proxies = proxies.withForwardedHeader(forwarded);
            return this;
        }

        /** Sets the prefix of problem {@code type} URIs: an absolute URI ending in {@code /} or {@code #}. */
        public Builder problemTypeBase(String base) {
            problems = new ProblemSettings(base);
            return this;
        }

        /**
         * Adds one attribute of a configured policy, as the parameter
         * {@code tollgate.policy.<id>.<attribute>} does; validated when Tollgate starts.
         *
         * @param idAndAttribute {@code <id>.<attribute>}, such as {@code pdfs.paths}
         * @param value the value, such as {@code *.pdf}
         * @return this builder
         */
        public Builder policy(String idAndAttribute, String value) {
            policyEntries.put(Objects.requireNonNull(idAndAttribute, "idAndAttribute"),
                    Objects.requireNonNull(value, "value"));
            return this;
        }

        /** Sets Tollgate's one clock (see {@link TimeSettings}); the system clock by default. */
        public Builder clock(Clock clock) {
            time = time.withClock(Objects.requireNonNull(clock, "clock"));
            return this;
        }

        /** Sets the scheduler of settlement retries (see {@link TimeSettings}); by default Tollgate's own thread. */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            time = time.withScheduler(Objects.requireNonNull(scheduler, "scheduler"));
            return this;
        }

        /** {@return the configuration} */
        public TollgateConfig build() {
            return new TollgateConfig(this);
        }
    }
}
