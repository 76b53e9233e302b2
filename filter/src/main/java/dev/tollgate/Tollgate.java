package dev.tollgate;

import dev.tollgate.engine.Engine;
import dev.tollgate.internal.Enforcer;
import dev.tollgate.internal.EventSink;
import dev.tollgate.internal.MethodPolicies;
import dev.tollgate.internal.PathPolicies;
import dev.tollgate.internal.Policy;
import dev.tollgate.internal.PolicyScanner;
import dev.tollgate.internal.PolicyTable;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.DenialRenderer;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.Payer;
import dev.tollgate.spi.PayerResolver;
import dev.tollgate.spi.RateLimitListener;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.spi.events.TollgateListener;
import dev.tollgate.spi.payment.PaymentScheme;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.StringJoiner;

/**
 * Tollgate as running in one web application: its configuration, ledger, payer resolver and
 * policies. The filter creates it at start-up and stores it in the servlet context, where
 * endpoints find it with {@link #from(ServletContext)}, for instance to show a balance:
 *
 * <pre>{@code
 * Tollgate tollgate = Tollgate.from(getServletContext()).orElseThrow();
 * Optional<Account> account = tollgate.requireAccount(req, resp); // sends 401/503 itself
 * if (account.isPresent()) { ... account.get().balance() ... }
 * }</pre>
 *
 * <p>Thread-safe.
 */
@SuppressWarnings("deprecation")
public final class Tollgate {

    /** Servlet-context attribute holding the running {@code Tollgate}: {@value}. */
    public static final String CONTEXT_ATTRIBUTE = "dev.tollgate.Tollgate";

    /**
     * Servlet-context attribute where an application may put its {@link Ledger} (from a
     * {@code ServletContextListener} or a CDI producer) before the filter starts: {@value}. Every
     * SPI type has such an attribute, named after its interface; README "Component lookup" gives
     * the order in which they, class parameters, CDI beans and {@code ServiceLoader} are consulted.
     */
    public static final String LEDGER_ATTRIBUTE = "dev.tollgate.spi.Ledger";

    /**
     * Servlet-context attribute where an application may put a {@link dev.tollgate.spi.RateLimitStore}
     * that shares rate-limit buckets between nodes: {@value}.
     */
    public static final String RATE_LIMIT_STORE_ATTRIBUTE = "dev.tollgate.spi.RateLimitStore";

    /** Servlet-context attribute where an application may put its {@link PayerResolver}: {@value}. */
    public static final String PAYER_RESOLVER_ATTRIBUTE = "dev.tollgate.spi.PayerResolver";

    /**
     * Servlet-context attribute where an application may put a payment scheme, or a collection of
     * them, configured in code (besides those given to the builder and found by {@code ServiceLoader},
     * over which they win by name): {@value}.
     */
    public static final String PAYMENT_SCHEMES_ATTRIBUTE = "dev.tollgate.spi.payment.PaymentScheme";

    /** Servlet-context attribute where an application may put its {@link DenialRenderer}: {@value}. */
    public static final String RENDERER_ATTRIBUTE = "dev.tollgate.spi.DenialRenderer";

    /**
     * Servlet-context attribute where an application may put its {@link RateLimitListener}: {@value}.
     *
     * @deprecated use {@link #EVENT_LISTENERS_ATTRIBUTE}
     */
    @Deprecated
    public static final String RATE_LIMIT_LISTENER_ATTRIBUTE = "dev.tollgate.spi.RateLimitListener";

    /**
     * Servlet-context attribute where an application may put its {@link TollgateListener}, or a
     * {@code Collection} of them, before the filter starts: {@value}.
     */
    public static final String EVENT_LISTENERS_ATTRIBUTE = "dev.tollgate.spi.events.TollgateListener";

    /** Request attribute with the {@link Payer} of an admitted paid request: {@value}. */
    public static final String PAYER_ATTRIBUTE = Enforcer.PAYER_ATTRIBUTE;

    /** Request attribute with the {@link dev.tollgate.spi.Hold} of an admitted paid request: {@value}. */
    public static final String HOLD_ATTRIBUTE = Enforcer.HOLD_ATTRIBUTE;

    /** Request attribute with the payer's available {@link Money} after the hold: {@value}. */
    public static final String BALANCE_ATTRIBUTE = Enforcer.BALANCE_ATTRIBUTE;

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** The default rate-limit listener, which hears nothing: not worth an adapter. */
    @SuppressWarnings("deprecation")
    private static final RateLimitListener NO_RATE_LIMIT_LISTENER = new RateLimitListener() { };

    private final TollgateConfig config;
    private final Ledger ledger;
    private final PayerResolver payerResolver;
    private final DenialRenderer renderer;
    private final RateLimitStore rateLimitStore;
    private final RateLimitListener rateLimitListener;
    private final List<TollgateListener> eventListeners;
    private final Enforcer enforcer;
    /** The components Tollgate created itself (from a class parameter or ServiceLoader); closed at stop. */
    private final List<Object> owned;

    private Tollgate(TollgateConfig config, Ledger ledger, PayerResolver payerResolver, DenialRenderer renderer,
                     PolicyTable table, RateLimitStore store, RateLimitListener listener,
                     List<TollgateListener> eventListeners, String namespace,
                     List<PaymentScheme<?, ?>> schemes, List<Object> owned) {
        this.config = config;
        this.ledger = ledger;
        this.payerResolver = payerResolver;
        this.renderer = renderer;
        this.rateLimitStore = store;
        this.rateLimitListener = listener;
        this.eventListeners = List.copyOf(eventListeners);
        this.owned = List.copyOf(owned);
        List<TollgateListener> all = new ArrayList<>(eventListeners);
        if (listener != NO_RATE_LIMIT_LISTENER) {
            all.add(EventSink.adapt(listener));
        }
        this.enforcer = new Enforcer(config, table, ledger, payerResolver, renderer, store, namespace, schemes,
                EventSink.of(all, config.clock()));
    }

    /**
     * Finds the Tollgate of a web application.
     *
     * @param context the servlet context
     * @return Tollgate, or empty when its filter is disabled or not started yet
     */
    public static Optional<Tollgate> from(ServletContext context) {
        Object o = context.getAttribute(CONTEXT_ATTRIBUTE);
        return o instanceof Tollgate t ? Optional.of(t) : Optional.empty();
    }

    /**
     * The payer of an admitted paid request.
     *
     * @param request the request
     * @return the payer, or empty when the request was not paid through Tollgate
     */
    public static Optional<Payer> payer(ServletRequest request) {
        Object o = request.getAttribute(PAYER_ATTRIBUTE);
        return o instanceof Payer p ? Optional.of(p) : Optional.empty();
    }

    /** {@return the configuration} */
    public TollgateConfig config() {
        return config;
    }

    /** {@return the ledger in use} */
    public Ledger ledger() {
        return ledger;
    }

    /** {@return the payer resolver in use} */
    public PayerResolver payerResolver() {
        return payerResolver;
    }

    /** {@return the renderer of refusals in use} */
    public DenialRenderer renderer() {
        return renderer;
    }

    /** {@return the shared rate-limit store in use, or empty when buckets live in this JVM} */
    public Optional<RateLimitStore> rateLimitStore() {
        return Optional.ofNullable(rateLimitStore);
    }

    /**
     * {@return the rate-limit listener in use (a no-op one by default)}
     *
     * @deprecated see {@link #eventListeners()}
     */
    @Deprecated
    public RateLimitListener rateLimitListener() {
        return rateLimitListener;
    }

    /** {@return the event listeners in use, in order (empty by default); see {@link TollgateListener}} */
    public List<TollgateListener> eventListeners() {
        return eventListeners;
    }

    /**
     * Identifies the caller's account for an endpoint that is not priced but needs to know who
     * calls (such as a balance endpoint). When there is no account, a refusal is sent and the
     * result is empty: {@code 401} for a missing, malformed or unknown credential, {@code 503} when
     * the ledger cannot answer.
     *
     * @param request the request
     * @param response the response; must not be committed
     * @return the account, or empty when a refusal was sent
     * @throws IOException if writing the refusal fails
     */
    public Optional<Account> requireAccount(HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        return enforcer.requireAccount(request, response);
    }

    /**
     * Sends a refusal the way Tollgate sends its own: rendered by the configured renderer, with
     * {@code Cache-Control: no-store}, {@code Retry-After} and {@code WWW-Authenticate} as they apply.
     *
     * @param denial the refusal
     * @param request the request
     * @param response the response; must not be committed
     * @throws IOException if writing fails
     */
    public void sendDenial(Denial denial, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        enforcer.send(denial, request, response);
    }

    /**
     * {@return the engine every adapter uses} For adapters (the servlet filter, {@code tollgate-jaxrs},
     * your own): see {@link dev.tollgate.engine}. Applications use {@link #ledger()},
     * {@link #requireAccount} and {@link #rateLimitStats()}.
     */
    public Engine engine() {
        return enforcer;
    }

    /** The servlet filter's engine, with its implementation methods. */
    Enforcer enforcer() {
        return enforcer;
    }

    /** {@return a snapshot of the rate limiter's counters (admitted, rejected, shadow, store failures…)} */
    public RateLimitStats rateLimitStats() {
        dev.tollgate.internal.RateLimiter.Stats s = enforcer.limiter().stats();
        return new RateLimitStats(s.admitted(), s.rejected(), s.shadowExceeded(), s.storeFailures(), s.failedOpen(),
                s.failedClosed(), s.localFallbacks());
    }

    /**
     * {@return how many holds wait for a release that the ledger could not take yet; they are
     * retried in the background}
     */
    public int pendingReleases() {
        return enforcer.pendingReleases();
    }

    /**
     * Stops background work; closes, when they are {@link AutoCloseable}, the components Tollgate
     * created itself (named by a {@code tollgate.*} class parameter or found by {@code ServiceLoader}),
     * the rate-limit store before the ledger.
     */
    void stop() {
        enforcer.close();
        close(owned, ledger);
    }

    /** Closes what Tollgate created, {@code last} (the ledger) last; failures are logged. */
    private static void close(List<Object> owned, Object last) {
        List<Object> order = new ArrayList<>(owned);
        order.sort(java.util.Comparator.comparing(o -> o == last));
        for (Object o : order) {
            if (o instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception e) {
                    LOG.log(System.Logger.Level.WARNING, "Closing " + o.getClass().getName() + " failed: " + e);
                }
            }
        }
    }

    /**
     * Starts Tollgate for a web application: chooses the ledger, resolver, renderer, rate-limit
     * store and listener (each through {@link ComponentLookup}, in one order) and builds the policy
     * table from every servlet registration.
     */
    static Tollgate start(ServletContext context, TollgateConfig config, Map<String, String> parameters) {
        List<Object> owned = new ArrayList<>();
        try {
            return start(context, config, parameters, owned);
        } catch (RuntimeException | Error e) {
            close(owned, null); // a failed start leaves no pool or connection behind
            throw e;
        }
    }

    private static Tollgate start(ServletContext context, TollgateConfig config, Map<String, String> parameters,
                                  List<Object> owned) {
        ClassLoader loader = classLoader(context);
        ComponentLookup lookup = new ComponentLookup(context, parameters, loader, CdiBeans.lookup(loader));
        ComponentLookup.Found<Ledger> foundLedger = lookup.find(Ledger.class, config.ledger(), TollgateConfig.LEDGER,
                config.ledgerClass(), () -> defaultLedger(context, config, loader));
        Ledger ledger = owned(owned, foundLedger);
        if (foundLedger.source() != ComponentLookup.Source.DEFAULT && config.accountsResource() != null) {
            throw new IllegalStateException(TollgateConfig.ACCOUNTS + " only seeds the built-in in-memory ledger,"
                    + " but the ledger " + foundLedger.value().getClass().getName() + " was chosen (by "
                    + foundLedger.how() + ")");
        }
        PayerResolver resolver = owned(owned, lookup.find(PayerResolver.class, config.payerResolver(),
                TollgateConfig.PAYER_RESOLVER, config.payerResolverClass(),
                () -> new HeaderPayerResolver(config.apiKeyHeader(), config.bearerTokens())));
        DenialRenderer renderer = owned(owned, lookup.find(DenialRenderer.class, config.renderer(),
                TollgateConfig.RENDERER, config.rendererClass(),
                () -> new ProblemDetailsRenderer(config.problemTypeBase())));
        PolicyTable table = scan(context, loader).with(configuredPolicies(context, config, loader));
        for (Map.Entry<String, String> e : table.configured().servletNames().entrySet()) {
            if (context.getServletRegistration(e.getKey()) == null) {
                throw new InvalidPolicyException("policy " + e.getValue() + ": no servlet is named \"" + e.getKey()
                        + "\"; servlets: " + new java.util.TreeSet<>(context.getServletRegistrations().keySet()));
            }
            if (table.annotated(e.getKey()) != null) {
                LOG.log(System.Logger.Level.WARNING, "policy {0} names servlet {1}, whose Tollgate annotations win;"
                        + " the policy does not apply to it", e.getValue(), e.getKey());
            }
        }
        // No default store: without one, buckets live in this JVM.
        RateLimitStore store = owned(owned, lookup.find(RateLimitStore.class, config.rateLimitStore(),
                TollgateConfig.RATE_LIMIT_STORE, config.rateLimitStoreClass(), () -> null));
        RateLimitListener listener = owned(owned, lookup.find(RateLimitListener.class, config.rateLimitListener(),
                TollgateConfig.RATE_LIMIT_LISTENER, config.rateLimitListenerClass(), () -> NO_RATE_LIMIT_LISTENER));
        List<TollgateListener> eventListeners = new ArrayList<>();
        for (ComponentLookup.Found<TollgateListener> f : lookup.findAll(TollgateListener.class,
                config.events().listeners(), TollgateConfig.EVENT_LISTENERS, config.events().listenerClasses())) {
            eventListeners.add(owned(owned, f));
        }
        String namespace = config.rateLimitNamespace() != null ? config.rateLimitNamespace()
                : context.getContextPath().isEmpty() ? "/" : context.getContextPath();
        Tollgate t = new Tollgate(config, ledger, resolver, renderer, table, store, listener, eventListeners, namespace,
                paymentSchemes(context, config, loader, owned), owned);
        try {
            t.startSchemes(parameters);
        } catch (RuntimeException | Error e) {
            t.enforcer.close();
            throw e;
        }
        LOG.log(System.Logger.Level.INFO, "Tollgate started in {0}: {1}; ledger {2}; rate limits {3}",
                context.getContextPath().isEmpty() ? "/" : context.getContextPath(), describe(table), ledger,
                store == null ? "in this JVM" : "in " + store.name());
        return t;
    }

    /**
     * The payment schemes besides the built-in account scheme: those given to the builder, then the
     * {@code ServiceLoader} entries of other names. Always looked for, since a Jakarta REST resource
     * read on first use may name one. The engine checks that every name configured is found.
     */
    private static List<PaymentScheme<?, ?>> paymentSchemes(ServletContext context, TollgateConfig config,
                                                            ClassLoader loader, List<Object> owned) {
        List<PaymentScheme<?, ?>> found = new ArrayList<>(config.paymentSchemes());
        Object attribute = context.getAttribute(PAYMENT_SCHEMES_ATTRIBUTE);
        if (attribute != null) {
            java.util.Collection<?> given = attribute instanceof java.util.Collection<?> c ? c : List.of(attribute);
            for (Object o : given) {
                if (!(o instanceof PaymentScheme<?, ?> scheme)) {
                    throw new IllegalStateException("servlet-context attribute " + PAYMENT_SCHEMES_ATTRIBUTE + " holds a "
                            + (o == null ? "null" : o.getClass().getName()) + ", not a " + PaymentScheme.class.getName()
                            + " (or a collection of them)");
                }
                found.add(scheme);
            }
        }
        java.util.Set<String> given = new java.util.HashSet<>();
        for (PaymentScheme<?, ?> s : found) {
            given.add(s.name());
        }
        try {
            for (PaymentScheme<?, ?> s : java.util.ServiceLoader.load(PaymentScheme.class, loader)) {
                if (given.contains(s.name())) {
                    continue; // the builder's instance wins
                }
                owned.add(s);
                found.add(s);
                LOG.log(System.Logger.Level.DEBUG, "payment scheme {0}: {1} (ServiceLoader)", s.name(),
                        s.getClass().getName());
            }
        } catch (java.util.ServiceConfigurationError e) {
            throw new IllegalStateException("A payment scheme listed in META-INF/services/"
                    + PaymentScheme.class.getName() + " cannot be loaded: " + e.getMessage(), e);
        }
        return found;
    }

    /**
     * Tells every payment scheme besides the account scheme its parameters and the endpoints that
     * accept it; a scheme that throws stops the start.
     */
    private void startSchemes(Map<String, String> parameters) {
        java.time.Clock clock = config.clock() != null ? config.clock() : java.time.Clock.systemUTC();
        Map<String, String> tollgateParameters = new java.util.TreeMap<>();
        parameters.forEach((k, v) -> {
            if (k.startsWith("tollgate.") && v != null) {
                tollgateParameters.put(k, v);
            }
        });
        enforcer.schemeEndpoints().forEach((scheme, endpoints) -> {
            try {
                scheme.start(new dev.tollgate.spi.payment.SchemeContext(tollgateParameters, clock, ledger, endpoints));
            } catch (RuntimeException e) {
                throw new IllegalStateException("payment scheme " + scheme.name() + " cannot start: " + e.getMessage(),
                        e);
            }
        });
    }

    /** Notes a component Tollgate created, to close it at {@link #stop()}. */
    private static <T> T owned(List<Object> owned, ComponentLookup.Found<T> found) {
        if (found.owned()) {
            owned.add(found.value());
        }
        return found.value();
    }

    /** The in-memory ledger: seeded from {@code tollgate.ledger.accounts}, else empty (with a warning). */
    private static Ledger defaultLedger(ServletContext context, TollgateConfig config, ClassLoader loader) {
        if (config.accountsResource() != null) {
            return loadAccounts(context, config, loader);
        }
        LOG.log(System.Logger.Level.WARNING, "No ledger configured ({0}, context attribute {1}, a CDI bean or a"
                + " ServiceLoader entry); using an empty in-memory ledger, so every paid request is refused until accounts exist",
                TollgateConfig.LEDGER, LEDGER_ATTRIBUTE);
        return inMemory(config).build();
    }

    /** The built-in ledger runs on Tollgate's clock, so hold expiry moves with the rest in tests. */
    private static InMemoryLedger.Builder inMemory(TollgateConfig config) {
        InMemoryLedger.Builder b = InMemoryLedger.builder();
        return config.clock() != null ? b.clock(config.clock()) : b;
    }

    /** The web application's loader; embedded containers may report none. */
    static ClassLoader classLoader(ServletContext context) {
        ClassLoader loader = context.getClassLoader();
        if (loader == null) {
            loader = Thread.currentThread().getContextClassLoader();
        }
        return loader != null ? loader : Tollgate.class.getClassLoader();
    }

    /** The annotation policies of every servlet registration whose class loads. */
    static PolicyTable scan(ServletContext context, ClassLoader loader) {
        PolicyScanner scanner = new PolicyScanner();
        for (Map.Entry<String, ? extends ServletRegistration> e : context.getServletRegistrations().entrySet()) {
            String className = e.getValue().getClassName();
            if (className == null) {
                continue;
            }
            Class<?> type;
            try {
                type = Class.forName(className, false, loader);
            } catch (ClassNotFoundException | LinkageError ex) {
                LOG.log(System.Logger.Level.DEBUG, "Not scanning servlet {0}: cannot load {1}: {2}", e.getKey(),
                        className, ex);
                continue;
            }
            scanner.add(e.getKey(), type);
        }
        return scanner.build();
    }

    /**
     * The configured policies: from the {@value TollgateConfig#POLICIES} file and the
     * {@code tollgate.policy.*} parameters (which may not both define one policy).
     */
    private static PathPolicies configuredPolicies(ServletContext context, TollgateConfig config,
                                                   ClassLoader loader) {
        Map<String, String> entries = new java.util.TreeMap<>(config.policies());
        String source = TollgateConfig.POLICY_PREFIX;
        String resource = config.policiesResource();
        if (resource != null) {
            Properties file = new Properties();
            try (InputStream in = open(context, resource, loader, TollgateConfig.POLICIES)) {
                file.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException(TollgateConfig.POLICIES + " = \"" + resource + "\": " + e.getMessage(), e);
            }
            source = resource + ": policy.";
            for (String name : file.stringPropertyNames()) {
                if (!name.startsWith("policy.")) {
                    throw new InvalidPolicyException(resource + ": " + name + ": entries are policy.<id>.<attribute>");
                }
                String key = name.substring("policy.".length());
                String id = key.contains(".") ? key.substring(0, key.indexOf('.')) : key;
                if (config.policies().keySet().stream().anyMatch(k -> k.startsWith(id + "."))) {
                    throw new InvalidPolicyException("policy " + id + " is defined both in " + resource + " and by "
                            + TollgateConfig.POLICY_PREFIX + id + ".* parameters; keep one");
                }
                entries.put(key, file.getProperty(name));
            }
        }
        return PathPolicies.parse(entries, source, new PolicyScanner());
    }

    private static InputStream open(ServletContext context, String resource, ClassLoader loader, String parameter) {
        InputStream in = resource.startsWith("classpath:")
                ? loader.getResourceAsStream(resource.substring("classpath:".length()).replaceFirst("^/", ""))
                : context.getResourceAsStream(resource.startsWith("/") ? resource : "/" + resource);
        if (in == null) {
            throw new IllegalStateException(parameter + " = \"" + resource + "\": no such resource"
                    + " (use /WEB-INF/... for a file in the web application or classpath:... for the class path)");
        }
        return in;
    }

    private static String describe(PolicyTable table) {
        if (!table.configured().isEmpty()) {
            String annotated = table.servlets().isEmpty() ? "no annotated servlets" : describeAnnotated(table);
            return annotated + "; configured: " + table.configured().describe();
        }
        return describeAnnotated(table);
    }

    private static String describeAnnotated(PolicyTable table) {
        if (table.servlets().isEmpty()) {
            return "no annotated servlets";
        }
        StringJoiner j = new StringJoiner("; ");
        for (Map.Entry<String, MethodPolicies> e : new java.util.TreeMap<>(table.servlets()).entrySet()) {
            StringJoiner m = new StringJoiner(", ");
            for (Policy p : e.getValue().all().values()) {
                StringBuilder sb = new StringBuilder(p.method());
                if (p.isPaid()) {
                    sb.append(' ').append(p.payment().price().isZero() ? "" : p.payment().price().toString());
                    if (p.payment().entitlement() != null) {
                        sb.append(" [").append(p.payment().entitlement()).append(']');
                    }
                }
                if (p.isLimited()) {
                    sb.append(" limited");
                }
                m.add(sb.toString().replace("  ", " ").strip());
            }
            j.add(e.getKey() + " (" + m + ")");
        }
        return j.toString();
    }

    private static Ledger loadAccounts(ServletContext context, TollgateConfig config, ClassLoader loader) {
        String resource = config.accountsResource();
        try (InputStream in = open(context, resource, loader, TollgateConfig.ACCOUNTS)) {
            InMemoryLedger ledger = inMemory(config).load(in).build();
            LOG.log(System.Logger.Level.INFO, "Using an in-memory ledger seeded from {0}", resource);
            return ledger;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(TollgateConfig.ACCOUNTS + " = \"" + resource + "\": " + e.getMessage(), e);
        }
    }
}
