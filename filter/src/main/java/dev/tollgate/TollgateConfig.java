package dev.tollgate;

import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.internal.StatusSet;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.spi.payment.PaymentScheme;
import java.time.Clock;
import java.util.concurrent.ScheduledExecutorService;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The immutable configuration of a {@link TollgateFilter}. Every way of configuring Tollgate ends
 * here: the programmatic {@link Builder}, {@code web.xml} filter init-params, servlet-context
 * init-params and a {@code tollgate.properties} resource all go through {@link Builder#apply(Map)}
 * and the same setters.
 *
 * <h2>Parameters</h2>
 * <table>
 *   <caption>Configuration parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #ENABLED}</td><td>{@code true}</td><td>{@code false} turns enforcement off: every
 *       request passes through untouched (context parameter; also stops auto-registration)</td></tr>
 *   <tr><td>{@value #AUTO_REGISTER}</td><td>{@code true}</td><td>{@code false} stops the filter from
 *       registering itself, for applications that declare it in {@code web.xml} or in code
 *       (context parameter)</td></tr>
 *   <tr><td>{@value #LEDGER}</td><td>discovered</td><td>the class name of the {@link Ledger}; see
 *       {@link dev.tollgate.spi} for discovery</td></tr>
 *   <tr><td>{@value #ACCOUNTS}</td><td>none</td><td>a properties resource that seeds the in-memory
 *       ledger ({@code /WEB-INF/accounts.properties} from the web application, or
 *       {@code classpath:accounts.properties}); see {@link dev.tollgate.ledger.InMemoryLedger#load}</td></tr>
 *   <tr><td>{@value #PAYER_RESOLVER}</td><td>{@link HeaderPayerResolver}</td><td>the class name of the
 *       {@link PayerResolver}</td></tr>
 *   <tr><td>{@value #RENDERER}</td><td>{@link ProblemDetailsRenderer}</td><td>the class name of the
 *       {@link DenialRenderer}</td></tr>
 *   <tr><td>{@value #SCHEMES}</td><td>{@code account}</td><td>the payment schemes priced endpoints
 *       accept, comma-separated, in the order a request's credentials are tried and a {@code 402}
 *       lists them: {@code account} (the built-in prepaid accounts) and the names of
 *       {@link dev.tollgate.spi.payment.PaymentScheme}s given to {@link Builder#paymentScheme} or
 *       found by {@code ServiceLoader}; an endpoint's {@code @RequiresPayment(schemes)} or policy
 *       {@code schemes} wins</td></tr>
 *   <tr><td>{@value #API_KEY_HEADER}</td><td>{@code X-API-Key}</td><td>the header the built-in
 *       resolver reads API keys from</td></tr>
 *   <tr><td>{@value #BEARER_TOKENS}</td><td>{@code true}</td><td>whether the built-in resolver also
 *       accepts {@code Authorization: Bearer <key>} (turn off when bearer tokens mean something else
 *       in your application)</td></tr>
 *   <tr><td>{@value #BILLABLE_STATUSES}</td><td>{@code 2xx}</td><td>the response statuses that commit
 *       a hold, such as {@code 200-299,304}; any other status releases it</td></tr>
 *   <tr><td>{@value #LEDGER_RETRY_AFTER}</td><td>{@code 5}</td><td>seconds sent in {@code Retry-After}
 *       when the ledger is unavailable</td></tr>
 *   <tr><td>{@value #MAX_REQUEST_BYTES}</td><td>{@code 1048576}</td><td>the largest body of a request
 *       with an {@code Idempotency-Key} (it is read to fingerprint the request); larger ones get
 *       {@code 413}</td></tr>
 *   <tr><td>{@value #MAX_RESPONSE_BYTES}</td><td>{@code 1048576}</td><td>the largest response body kept
 *       for replay; a retry of a larger one gets {@code 409}</td></tr>
 *   <tr><td>{@value #MAX_BUCKETS}</td><td>{@code 100000}</td><td>the most rate-limit buckets kept in
 *       memory</td></tr>
 *   <tr><td>{@value #RATE_LIMIT_HEADERS}</td><td>{@code standard}</td><td>rate-limit headers on limited
 *       responses (admitted and 429): {@code standard} ({@code RateLimit-Policy}, {@code RateLimit}),
 *       {@code legacy} ({@code X-RateLimit-Limit/-Remaining/-Reset}), {@code both} or {@code none}
 *       ({@code Retry-After} is always sent with 429)</td></tr>
 *   <tr><td>{@value #RATE_LIMIT_STORE}</td><td>none (local)</td><td>the class name of a
 *       {@link RateLimitStore} that shares buckets between nodes</td></tr>
 *   <tr><td>{@value #ON_STORE_FAILURE}</td><td>{@code local}</td><td>what limits with
 *       {@code onStoreFailure = DEFAULT} do when the store fails: {@code open}, {@code closed} or
 *       {@code local}</td></tr>
 *   <tr><td>{@value #RATE_LIMIT_LISTENER}</td><td>none</td><td>the class name of a
 *       {@link RateLimitListener}</td></tr>
 *   <tr><td>{@value #TRUSTED_PROXIES}</td><td>none</td><td>addresses and CIDR blocks of reverse proxies
 *       whose {@code Forwarded}/{@code X-Forwarded-For} headers name the client, such as
 *       {@code 10.0.0.0/8, ::1}</td></tr>
 *   <tr><td>{@value #FORWARDED_HEADER}</td><td>{@code x-forwarded-for}</td><td>the header those proxies
 *       write: {@code x-forwarded-for} or {@code forwarded} (RFC 7239); the other is ignored</td></tr>
 *   <tr><td>{@value #RATE_LIMIT_NAMESPACE}</td><td>the context path</td><td>part of every shared bucket
 *       key, so applications (or staging and production) sharing a store keep apart</td></tr>
 *   <tr><td>{@value #IPV6_PREFIX}</td><td>{@code 64}</td><td>IPv6 clients are counted by this many
 *       leading bits of their address (a host may use any address of its /64); 128 counts each
 *       address</td></tr>
 *   <tr><td>{@value #PROBLEM_TYPE_BASE}</td><td>{@value #DEFAULT_PROBLEM_TYPE_BASE}</td><td>the prefix of
 *       problem {@code type} URIs</td></tr>
 *   <tr><td>{@value #POLICIES}</td><td>none</td><td>a properties file of policies for what cannot be
 *       annotated ({@code /WEB-INF/...} in the web application, or {@code classpath:...}), with entries
 *       {@code policy.<id>.<attribute>}; see {@code docs/path-policies.md}</td></tr>
 *   <tr><td>{@code tollgate.policy.<id>.<attribute>}</td><td></td><td>the same policies given one
 *       parameter each, such as {@code tollgate.policy.pdfs.paths = *.pdf} and
 *       {@code tollgate.policy.pdfs.price = 2}</td></tr>
 * </table>
 * Optional modules (ledgers, rate-limit stores) read parameters of their own, which they declare
 * through {@link dev.tollgate.spi.ParameterNames}; see each module's documentation. Any other
 * parameter starting with {@code tollgate.} fails start-up, so a typo never goes unseen.
 *
 * <p>Immutable and thread-safe.
 */
public final class TollgateConfig {

    /** Parameter: whether Tollgate enforces anything. */
    public static final String ENABLED = "tollgate.enabled";
    /** Parameter: whether the filter registers itself. */
    public static final String AUTO_REGISTER = "tollgate.autoRegister";
    /** Parameter: the ledger class. */
    public static final String LEDGER = "tollgate.ledger";
    /** Parameter: the accounts resource of the in-memory ledger. */
    public static final String ACCOUNTS = "tollgate.ledger.accounts";
    /** Parameter: the payer resolver class. */
    public static final String PAYER_RESOLVER = "tollgate.payerResolver";
    /** Parameter: the denial renderer class. */
    public static final String RENDERER = "tollgate.renderer";
    /** Parameter: the payment schemes priced endpoints accept. */
    public static final String SCHEMES = "tollgate.schemes";
    /** Parameter: the API key header. */
    public static final String API_KEY_HEADER = "tollgate.apiKeyHeader";
    /** Parameter: whether bearer tokens identify payers. */
    public static final String BEARER_TOKENS = "tollgate.bearerTokens";
    /** Parameter: the statuses that commit a hold. */
    public static final String BILLABLE_STATUSES = "tollgate.billableStatuses";
    /** Parameter: the Retry-After of 503 responses, in seconds. */
    public static final String LEDGER_RETRY_AFTER = "tollgate.ledgerRetryAfter";
    /** Parameter: the largest fingerprinted request body. */
    public static final String MAX_REQUEST_BYTES = "tollgate.idempotency.maxRequestBytes";
    /** Parameter: the largest replayable response body. */
    public static final String MAX_RESPONSE_BYTES = "tollgate.idempotency.maxResponseBytes";
    /** Parameter: the most rate-limit buckets in memory. */
    public static final String MAX_BUCKETS = "tollgate.rateLimit.maxBuckets";
    /** Parameter: whether admitted responses carry rate-limit headers. */
    public static final String RATE_LIMIT_HEADERS = "tollgate.rateLimit.headers";
    /** Parameter: the prefix of problem type URIs. */
    public static final String PROBLEM_TYPE_BASE = "tollgate.problemTypeBase";
    /** Parameter: the rate-limit store class. */
    public static final String RATE_LIMIT_STORE = "tollgate.rateLimit.store";
    /** Parameter: the default policy when the rate-limit store fails. */
    public static final String ON_STORE_FAILURE = "tollgate.rateLimit.onStoreFailure";
    /** Parameter: the rate-limit listener class. */
    public static final String RATE_LIMIT_LISTENER = "tollgate.rateLimit.listener";
    /** Parameter: the trusted reverse proxies. */
    public static final String TRUSTED_PROXIES = "tollgate.trustedProxies";
    /** Parameter: the forwarding header the trusted proxies write. */
    public static final String FORWARDED_HEADER = "tollgate.forwardedHeader";
    /** Parameter: the namespace of shared rate-limit keys. */
    public static final String RATE_LIMIT_NAMESPACE = "tollgate.rateLimit.namespace";
    /** Parameter: the IPv6 prefix length that keys client addresses. */
    public static final String IPV6_PREFIX = "tollgate.rateLimit.ipv6Prefix";
    /** Parameter: a properties file of configured policies. */
    public static final String POLICIES = "tollgate.policies";
    /** Prefix of parameters that configure one policy each: {@code tollgate.policy.<id>.<attribute>}. */
    public static final String POLICY_PREFIX = "tollgate.policy.";

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

    /** The default prefix of problem type URIs: {@value}. */
    public static final String DEFAULT_PROBLEM_TYPE_BASE = "https://tollgate.dev/problems/";

    private static final Set<String> KNOWN = Set.of(ENABLED, AUTO_REGISTER, LEDGER, ACCOUNTS, PAYER_RESOLVER, RENDERER,
            API_KEY_HEADER, BEARER_TOKENS, BILLABLE_STATUSES, LEDGER_RETRY_AFTER, MAX_REQUEST_BYTES,
            MAX_RESPONSE_BYTES, MAX_BUCKETS, RATE_LIMIT_HEADERS, PROBLEM_TYPE_BASE,
            RATE_LIMIT_STORE, ON_STORE_FAILURE, RATE_LIMIT_LISTENER, TRUSTED_PROXIES, FORWARDED_HEADER,
            RATE_LIMIT_NAMESPACE, IPV6_PREFIX, POLICIES, SCHEMES);

    private final boolean enabled;
    private final Ledger ledger;
    private final String ledgerClass;
    private final String accountsResource;
    private final PayerResolver payerResolver;
    private final String payerResolverClass;
    private final DenialRenderer renderer;
    private final String rendererClass;
    private final String apiKeyHeader;
    private final boolean bearerTokens;
    private final StatusSet billableStatuses;
    private final Duration ledgerRetryAfter;
    private final int maxRequestBytes;
    private final int maxResponseBytes;
    private final long maxBuckets;
    private final HeaderStyle rateLimitHeaders;
    private final RateLimitStore rateLimitStore;
    private final String rateLimitStoreClass;
    private final StoreFailure onStoreFailure;
    private final RateLimitListener rateLimitListener;
    private final String rateLimitListenerClass;
    private final String trustedProxies;
    private final boolean forwardedHeader;
    private final String rateLimitNamespace;
    private final String policiesResource;
    private final Map<String, String> policies;
    private final int ipv6Prefix;
    private final String problemTypeBase;
    private final List<String> schemes;
    private final List<PaymentScheme<?, ?>> paymentSchemes;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;

    private TollgateConfig(Builder b) {
        this.enabled = b.enabled;
        this.ledger = b.ledger;
        this.ledgerClass = b.ledgerClass;
        this.accountsResource = b.accountsResource;
        this.payerResolver = b.payerResolver;
        this.payerResolverClass = b.payerResolverClass;
        this.renderer = b.renderer;
        this.rendererClass = b.rendererClass;
        this.apiKeyHeader = b.apiKeyHeader;
        this.bearerTokens = b.bearerTokens;
        this.billableStatuses = b.billableStatuses;
        this.ledgerRetryAfter = b.ledgerRetryAfter;
        this.maxRequestBytes = b.maxRequestBytes;
        this.maxResponseBytes = b.maxResponseBytes;
        this.maxBuckets = b.maxBuckets;
        this.rateLimitHeaders = b.rateLimitHeaders;
        this.rateLimitStore = b.rateLimitStore;
        this.rateLimitStoreClass = b.rateLimitStoreClass;
        this.onStoreFailure = b.onStoreFailure;
        this.rateLimitListener = b.rateLimitListener;
        this.rateLimitListenerClass = b.rateLimitListenerClass;
        this.trustedProxies = b.trustedProxies;
        this.forwardedHeader = b.forwardedHeader;
        this.rateLimitNamespace = b.rateLimitNamespace;
        this.policiesResource = b.policiesResource;
        this.policies = Map.copyOf(b.policies);
        this.ipv6Prefix = b.ipv6Prefix;
        this.problemTypeBase = b.problemTypeBase;
        this.schemes = List.copyOf(b.schemes);
        this.paymentSchemes = List.copyOf(b.paymentSchemes);
        this.clock = b.clock;
        this.scheduler = b.scheduler;
    }

    /** {@return a builder with every default} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return whether Tollgate enforces anything} */
    public boolean enabled() {
        return enabled;
    }

    /** {@return the ledger instance given to the builder, or {@code null} to discover one} */
    public Ledger ledger() {
        return ledger;
    }

    /** {@return the ledger class name, or {@code null}} */
    public String ledgerClass() {
        return ledgerClass;
    }

    /** {@return the accounts resource of the in-memory ledger, or {@code null}} */
    public String accountsResource() {
        return accountsResource;
    }

    /** {@return the payer resolver given to the builder, or {@code null} for the class or the default} */
    public PayerResolver payerResolver() {
        return payerResolver;
    }

    /** {@return the payer resolver class name, or {@code null}} */
    public String payerResolverClass() {
        return payerResolverClass;
    }

    /** {@return the renderer given to the builder, or {@code null} for the class or the default} */
    public DenialRenderer renderer() {
        return renderer;
    }

    /** {@return the renderer class name, or {@code null}} */
    public String rendererClass() {
        return rendererClass;
    }

    /** {@return the API key header} */
    public String apiKeyHeader() {
        return apiKeyHeader;
    }

    /** {@return whether bearer tokens identify payers} */
    public boolean bearerTokens() {
        return bearerTokens;
    }

    /**
     * {@return whether a response status commits the hold}
     *
     * @param status the status
     */
    public boolean isBillable(int status) {
        return billableStatuses.contains(status);
    }

    /** {@return the billable statuses as configured, such as {@code 2xx}} */
    public String billableStatuses() {
        return billableStatuses.toString();
    }

    /** {@return the Retry-After of 503 responses} */
    public Duration ledgerRetryAfter() {
        return ledgerRetryAfter;
    }

    /** {@return the largest body of a request with an Idempotency-Key} */
    public int maxRequestBytes() {
        return maxRequestBytes;
    }

    /** {@return the largest response body kept for replay} */
    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    /** {@return the most rate-limit buckets kept in memory} */
    public long maxBuckets() {
        return maxBuckets;
    }

    /** {@return which rate-limit headers limited responses carry} */
    public HeaderStyle rateLimitHeaders() {
        return rateLimitHeaders;
    }

    /** {@return the rate-limit store given to the builder, or {@code null}} */
    public RateLimitStore rateLimitStore() {
        return rateLimitStore;
    }

    /** {@return the rate-limit store class name, or {@code null}} */
    public String rateLimitStoreClass() {
        return rateLimitStoreClass;
    }

    /** {@return what limits with {@code onStoreFailure = DEFAULT} do when the store fails} */
    public StoreFailure onStoreFailure() {
        return onStoreFailure;
    }

    /** {@return the rate-limit listener given to the builder, or {@code null}} */
    public RateLimitListener rateLimitListener() {
        return rateLimitListener;
    }

    /** {@return the rate-limit listener class name, or {@code null}} */
    public String rateLimitListenerClass() {
        return rateLimitListenerClass;
    }

    /** {@return the trusted proxies as configured (empty for none)} */
    public String trustedProxies() {
        return trustedProxies;
    }

    /** {@return whether the trusted proxies write {@code Forwarded} (else {@code X-Forwarded-For})} */
    public boolean forwardedHeader() {
        return forwardedHeader;
    }

    /** {@return the namespace of shared rate-limit keys, or {@code null} for the context path} */
    public String rateLimitNamespace() {
        return rateLimitNamespace;
    }

    /** {@return the IPv6 prefix length that keys client addresses} */
    public int ipv6Prefix() {
        return ipv6Prefix;
    }

    /** {@return the resource holding configured policies, or {@code null}} */
    public String policiesResource() {
        return policiesResource;
    }

    /** {@return configured policies given as parameters: {@code <id>.<attribute>} to value} */
    public Map<String, String> policies() {
        return policies;
    }

    /** {@return the prefix of problem type URIs} */
    public String problemTypeBase() {
        return problemTypeBase;
    }

    /** {@return the names of the payment schemes priced endpoints accept, in order} */
    public List<String> schemes() {
        return schemes;
    }

    /** {@return the payment schemes given to the builder, besides those {@code ServiceLoader} finds} */
    public List<PaymentScheme<?, ?>> paymentSchemes() {
        return paymentSchemes;
    }

    /**
     * {@return Tollgate's clock, or {@code null} for the system clock} It times rate limits, the
     * back-off of a failed rate-limit store, settlement retries and the payer caches, and the
     * in-memory ledger Tollgate creates itself (hold expiry, replay retention).
     */
    public Clock clock() {
        return clock;
    }

    /**
     * {@return the scheduler of Tollgate's background work (settlement retries), or {@code null}
     * for a daemon thread Tollgate starts when first needed and stops with the application}
     */
    public ScheduledExecutorService scheduler() {
        return scheduler;
    }

    /**
     * Builds a {@link TollgateConfig}. Setters validate at once and name the bad value. Not
     * thread-safe.
     */
    public static final class Builder {
        private boolean enabled = true;
        private Ledger ledger;
        private String ledgerClass;
        private String accountsResource;
        private PayerResolver payerResolver;
        private String payerResolverClass;
        private DenialRenderer renderer;
        private String rendererClass;
        private String apiKeyHeader = "X-API-Key";
        private boolean bearerTokens = true;
        private StatusSet billableStatuses = StatusSet.parse("2xx");
        private Duration ledgerRetryAfter = Duration.ofSeconds(5);
        private int maxRequestBytes = 1024 * 1024;
        private int maxResponseBytes = 1024 * 1024;
        private long maxBuckets = 100_000;
        private HeaderStyle rateLimitHeaders = HeaderStyle.STANDARD;
        private RateLimitStore rateLimitStore;
        private String rateLimitStoreClass;
        private StoreFailure onStoreFailure = StoreFailure.LOCAL;
        private RateLimitListener rateLimitListener;
        private String rateLimitListenerClass;
        private String trustedProxies = "";
        private boolean forwardedHeader;
        private String rateLimitNamespace;
        private String policiesResource;
        private final Map<String, String> policies = new java.util.TreeMap<>();
        private int ipv6Prefix = 64;
        private String problemTypeBase = DEFAULT_PROBLEM_TYPE_BASE;
        private List<String> schemes = List.of(PaymentScheme.ACCOUNT);
        private final List<PaymentScheme<?, ?>> paymentSchemes = new java.util.ArrayList<>();
        private Clock clock;
        private ScheduledExecutorService scheduler;

        private Builder() {
        }

        /**
         * Applies parameters by name (see the table in {@link TollgateConfig}), accepting the names
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
         * Applies parameters by name (see the table in {@link TollgateConfig}). Names that do not
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
            Objects.requireNonNull(loader, "loader");
            ModuleParameters modules = null;
            Set<String> unknown = new TreeSet<>();
            for (Map.Entry<String, String> e : parameters.entrySet()) {
                String name = e.getKey();
                if (!name.startsWith("tollgate.")) {
                    continue;
                }
                if (name.startsWith(POLICY_PREFIX)) {
                    policy(name.substring(POLICY_PREFIX.length()), e.getValue() == null ? "" : e.getValue());
                    continue;
                }
                if (!KNOWN.contains(name)) {
                    if (modules == null) {
                        modules = ModuleParameters.load(loader); // only when the core does not know a name
                    }
                    if (!modules.accepts(name)) {
                        unknown.add(name);
                    }
                    continue; // a module's: validated by the module that reads it
                }
                String value = e.getValue() == null ? "" : e.getValue().strip();
                try {
                    set(name, value);
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException("Tollgate parameter " + name + " = \"" + value + "\": "
                            + ex.getMessage(), ex);
                }
            }
            if (!unknown.isEmpty()) {
                throw new IllegalArgumentException(modules.unknownMessage(unknown, KNOWN));
            }
            return this;
        }

        private void set(String name, String value) {
            switch (name) {
                case ENABLED -> enabled(bool(value));
                case AUTO_REGISTER -> bool(value); // read by the initializer; validated here
                case LEDGER -> ledgerClass = nonEmpty(value);
                case ACCOUNTS -> accountsResource = nonEmpty(value);
                case PAYER_RESOLVER -> payerResolverClass = nonEmpty(value);
                case RENDERER -> rendererClass = nonEmpty(value);
                case API_KEY_HEADER -> apiKeyHeader(value);
                case BEARER_TOKENS -> bearerTokens(bool(value));
                case BILLABLE_STATUSES -> billableStatuses(value);
                case LEDGER_RETRY_AFTER -> ledgerRetryAfter(Duration.ofSeconds(longValue(value)));
                case MAX_REQUEST_BYTES -> maxRequestBytes((int) Math.min(Integer.MAX_VALUE, longValue(value)));
                case MAX_RESPONSE_BYTES -> maxResponseBytes((int) Math.min(Integer.MAX_VALUE, longValue(value)));
                case MAX_BUCKETS -> maxBuckets(longValue(value));
                case RATE_LIMIT_HEADERS -> rateLimitHeaders(headerStyle(value));
                case RATE_LIMIT_STORE -> rateLimitStoreClass = nonEmpty(value);
                case ON_STORE_FAILURE -> onStoreFailure(storeFailure(value));
                case RATE_LIMIT_LISTENER -> rateLimitListenerClass = nonEmpty(value);
                case TRUSTED_PROXIES -> trustedProxies(value);
                case FORWARDED_HEADER -> forwardedHeader(switch (value.toLowerCase(java.util.Locale.ROOT)) {
                    case "forwarded" -> true;
                    case "x-forwarded-for" -> false;
                    default -> throw new IllegalArgumentException("expected x-forwarded-for or forwarded");
                });
                case RATE_LIMIT_NAMESPACE -> rateLimitNamespace(value);
                case POLICIES -> policiesResource = nonEmpty(value);
                case IPV6_PREFIX -> ipv6Prefix((int) longValue(value));
                case PROBLEM_TYPE_BASE -> problemTypeBase(value);
                case SCHEMES -> schemes(value.split(",", -1));
                default -> {
                    // every name in KNOWN has a case above; modules' names never get here
                }
            }
        }

        /**
         * Turns enforcement on or off.
         *
         * @param enabled {@code false} to let every request through untouched
         * @return this builder
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * Uses this ledger (takes precedence over every other way of choosing one).
         *
         * @param ledger the ledger
         * @return this builder
         */
        public Builder ledger(Ledger ledger) {
            this.ledger = Objects.requireNonNull(ledger, "ledger");
            return this;
        }

        /**
         * Uses this payer resolver.
         *
         * @param resolver the resolver
         * @return this builder
         */
        public Builder payerResolver(PayerResolver resolver) {
            this.payerResolver = Objects.requireNonNull(resolver, "resolver");
            return this;
        }

        /**
         * Uses this renderer for refusals.
         *
         * @param renderer the renderer
         * @return this builder
         */
        public Builder renderer(DenialRenderer renderer) {
            this.renderer = Objects.requireNonNull(renderer, "renderer");
            return this;
        }

        /**
         * Sets the header the built-in resolver reads API keys from.
         *
         * @param header a header name; {@code X-API-Key} by default
         * @return this builder
         */
        public Builder apiKeyHeader(String header) {
            if (header == null || !header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                throw new IllegalArgumentException("not a header name: " + header);
            }
            this.apiKeyHeader = header;
            return this;
        }

        /**
         * Sets whether the built-in resolver accepts {@code Authorization: Bearer <key>}.
         *
         * @param accept {@code true} by default
         * @return this builder
         */
        public Builder bearerTokens(boolean accept) {
            this.bearerTokens = accept;
            return this;
        }

        /**
         * Sets the response statuses that commit a hold; others release it.
         *
         * @param statuses such as {@code "2xx"} (the default) or {@code "200-299,304"}
         * @return this builder
         */
        public Builder billableStatuses(String statuses) {
            this.billableStatuses = StatusSet.parse(Objects.requireNonNull(statuses, "statuses"));
            return this;
        }

        /**
         * Sets the {@code Retry-After} of {@code 503} responses.
         *
         * @param delay at least one second; 5 seconds by default
         * @return this builder
         */
        public Builder ledgerRetryAfter(Duration delay) {
            if (delay.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("must be at least 1 second");
            }
            this.ledgerRetryAfter = delay;
            return this;
        }

        /**
         * Sets the largest body of a request with an {@code Idempotency-Key}.
         *
         * @param bytes at least 0; 1 MiB by default
         * @return this builder
         */
        public Builder maxRequestBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("must not be negative");
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * Sets the largest response body kept for replay.
         *
         * @param bytes at least 0; 1 MiB by default
         * @return this builder
         */
        public Builder maxResponseBytes(int bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("must not be negative");
            }
            this.maxResponseBytes = bytes;
            return this;
        }

        /**
         * Sets the most rate-limit buckets kept in memory.
         *
         * @param max at least 1; 100,000 by default
         * @return this builder
         */
        public Builder maxBuckets(long max) {
            if (max < 1) {
                throw new IllegalArgumentException("must be at least 1");
            }
            this.maxBuckets = max;
            return this;
        }

        /**
         * Sets which rate-limit headers limited responses (admitted and 429) carry.
         *
         * @param style {@link HeaderStyle#STANDARD} by default
         * @return this builder
         */
        public Builder rateLimitHeaders(HeaderStyle style) {
            this.rateLimitHeaders = Objects.requireNonNull(style, "style");
            return this;
        }

        /**
         * Shares rate-limit buckets between nodes through this store (takes precedence over the
         * servlet-context attribute and {@value #RATE_LIMIT_STORE}).
         *
         * @param store the store
         * @return this builder
         */
        public Builder rateLimitStore(RateLimitStore store) {
            this.rateLimitStore = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Sets what limits with {@code onStoreFailure = DEFAULT} do when the shared store fails.
         *
         * @param policy {@code OPEN}, {@code CLOSED} or {@code LOCAL} (the default)
         * @return this builder
         */
        public Builder onStoreFailure(StoreFailure policy) {
            if (Objects.requireNonNull(policy, "policy") == StoreFailure.DEFAULT) {
                throw new IllegalArgumentException("choose open, closed or local");
            }
            this.onStoreFailure = policy;
            return this;
        }

        /**
         * Sets who hears about rate-limit events.
         *
         * @param listener the listener
         * @return this builder
         */
        public Builder rateLimitListener(RateLimitListener listener) {
            this.rateLimitListener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Sets the reverse proxies whose {@code Forwarded}/{@code X-Forwarded-For} headers are believed.
         *
         * @param addresses comma-separated addresses and CIDR blocks, such as {@code 10.0.0.0/8, ::1};
         *     empty (the default) trusts none
         * @return this builder
         */
        public Builder trustedProxies(String addresses) {
            dev.tollgate.internal.ClientAddress.trusting(Objects.requireNonNull(addresses, "addresses"));
            this.trustedProxies = addresses.strip();
            return this;
        }

        /**
         * Sets the payment schemes priced endpoints accept, in order: a request is handled by the
         * first whose credential it carries, and a {@code 402} lists them all in this order.
         *
         * @param names {@code account} (the built-in prepaid accounts) or the names of schemes given to
         *     {@link #paymentScheme} or found by {@code ServiceLoader}; {@code account} alone by default
         * @return this builder
         * @throws IllegalArgumentException if a name is malformed or repeated, or none is given
         */
        public Builder schemes(String... names) {
            Set<String> seen = new java.util.LinkedHashSet<>();
            for (String n : names) {
                String name = n == null ? "" : n.strip();
                if (!name.matches("[a-z0-9._-]{1,64}")) {
                    throw new IllegalArgumentException("\"" + name + "\" is not a payment scheme name (1 to 64"
                            + " characters of a-z, 0-9, '.', '_', '-')");
                }
                if (!seen.add(name)) {
                    throw new IllegalArgumentException("the payment scheme \"" + name + "\" is named twice");
                }
            }
            if (seen.isEmpty()) {
                throw new IllegalArgumentException("name at least one payment scheme");
            }
            this.schemes = List.copyOf(seen);
            return this;
        }

        /**
         * Makes a payment scheme available, by the name it reports; {@link #schemes} says whether
         * priced endpoints accept it. Schemes given here win over {@code ServiceLoader} entries of the
         * same name.
         *
         * @param scheme the scheme
         * @return this builder
         */
        public Builder paymentScheme(PaymentScheme<?, ?> scheme) {
            this.paymentSchemes.add(Objects.requireNonNull(scheme, "scheme"));
            return this;
        }

        /**
         * Sets the prefix of problem {@code type} URIs.
         *
         * @param base an absolute URI ending in {@code /} or {@code #}
         * @return this builder
         */
        public Builder problemTypeBase(String base) {
            java.net.URI uri;
            try {
                uri = new java.net.URI(base);
            } catch (java.net.URISyntaxException | NullPointerException e) {
                throw new IllegalArgumentException("not a URI: " + base);
            }
            if (!uri.isAbsolute()) {
                throw new IllegalArgumentException("not an absolute URI: " + base);
            }
            this.problemTypeBase = base;
            return this;
        }

        /**
         * Sets which forwarding header the trusted proxies write.
         *
         * @param forwarded {@code true} for {@code Forwarded} (RFC 7239), {@code false} (the default)
         *     for {@code X-Forwarded-For}
         * @return this builder
         */
        public Builder forwardedHeader(boolean forwarded) {
            this.forwardedHeader = forwarded;
            return this;
        }

        /**
         * Sets the namespace of shared rate-limit keys.
         *
         * @param namespace 1 to 64 printable ASCII characters without spaces; the context path by default
         * @return this builder
         */
        public Builder rateLimitNamespace(String namespace) {
            if (namespace == null || !namespace.matches("[\\x21-\\x7e]{1,64}")) {
                throw new IllegalArgumentException("must be 1 to 64 printable ASCII characters without spaces");
            }
            this.rateLimitNamespace = namespace;
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
            policies.put(java.util.Objects.requireNonNull(idAndAttribute, "idAndAttribute"),
                    java.util.Objects.requireNonNull(value, "value"));
            return this;
        }

        /**
         * Sets how many leading bits of an IPv6 client address make its rate-limit key.
         *
         * @param bits 32 to 128; 64 by default
         * @return this builder
         */
        public Builder ipv6Prefix(int bits) {
            if (bits < 32 || bits > 128) {
                throw new IllegalArgumentException("must be 32 to 128");
            }
            this.ipv6Prefix = bits;
            return this;
        }

        /**
         * Sets Tollgate's clock: it times rate limits, the one-second back-off of a failed rate-limit
         * store, settlement retries, the payer caches, and the in-memory ledger Tollgate creates
         * itself (a ledger you hand over keeps its own clock: pass the same one to its builder).
         * Tests drive time with it instead of sleeping.
         *
         * @param clock the clock; the system clock by default
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the scheduler of Tollgate's background work: the retries of settlements the ledger
         * could not take (1 s back-off, doubling to 60 s). In a Jakarta EE server a
         * {@code ManagedScheduledExecutorService} fits; tests pass one they run by hand together
         * with the {@link #clock(Clock) clock}. Tollgate never shuts a given scheduler down; tasks
         * it left there do nothing once Tollgate has stopped.
         *
         * @param scheduler the scheduler; by default a daemon thread Tollgate starts when first needed
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /** {@return the configuration} */
        public TollgateConfig build() {
            return new TollgateConfig(this);
        }

        private static boolean bool(String v) {
            if (v.equalsIgnoreCase("true")) {
                return true;
            }
            if (v.equalsIgnoreCase("false")) {
                return false;
            }
            throw new IllegalArgumentException("expected true or false");
        }

        private static HeaderStyle headerStyle(String v) {
            try {
                return HeaderStyle.valueOf(v.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("expected standard, legacy, both or none");
            }
        }

        private static StoreFailure storeFailure(String v) {
            return switch (v.toLowerCase(java.util.Locale.ROOT)) {
                case "open" -> StoreFailure.OPEN;
                case "closed" -> StoreFailure.CLOSED;
                case "local" -> StoreFailure.LOCAL;
                default -> throw new IllegalArgumentException("expected open, closed or local");
            };
        }

        private static long longValue(String v) {
            try {
                return Long.parseLong(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("expected a whole number");
            }
        }

        private static String nonEmpty(String v) {
            if (v.isEmpty()) {
                throw new IllegalArgumentException("must not be empty");
            }
            return v;
        }
    }
}
