package dev.tollgate;

import dev.tollgate.engine.Engine;
import dev.tollgate.internal.Enforcer;
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
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.ServiceLoader;
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
public final class Tollgate {

    /** Servlet-context attribute holding the running {@code Tollgate}: {@value}. */
    public static final String CONTEXT_ATTRIBUTE = "dev.tollgate.Tollgate";

    /**
     * Servlet-context attribute where an application may put its {@link Ledger} (from a
     * {@code ServletContextListener} or a CDI producer) before the filter starts: {@value}.
     */
    public static final String LEDGER_ATTRIBUTE = "dev.tollgate.spi.Ledger";

    /**
     * Servlet-context attribute where an application may put a {@link dev.tollgate.spi.RateLimitStore}
     * that shares rate-limit buckets between nodes: {@value}.
     */
    public static final String RATE_LIMIT_STORE_ATTRIBUTE = "dev.tollgate.spi.RateLimitStore";

    /** Request attribute with the {@link Payer} of an admitted paid request: {@value}. */
    public static final String PAYER_ATTRIBUTE = Enforcer.PAYER_ATTRIBUTE;

    /** Request attribute with the {@link dev.tollgate.spi.Hold} of an admitted paid request: {@value}. */
    public static final String HOLD_ATTRIBUTE = Enforcer.HOLD_ATTRIBUTE;

    /** Request attribute with the payer's available {@link Money} after the hold: {@value}. */
    public static final String BALANCE_ATTRIBUTE = Enforcer.BALANCE_ATTRIBUTE;

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private final TollgateConfig config;
    private final Ledger ledger;
    private final PayerResolver payerResolver;
    private final DenialRenderer renderer;
    private final Enforcer enforcer;
    private final boolean ownsLedger;
    private final RateLimitStore ownedStore;

    private Tollgate(TollgateConfig config, Ledger ledger, boolean ownsLedger, PayerResolver payerResolver,
                     DenialRenderer renderer, PolicyTable table, RateLimitStore store, boolean ownsStore,
                     RateLimitListener listener, String namespace) {
        this.ownsLedger = ownsLedger;
        this.ownedStore = ownsStore ? store : null;
        this.config = config;
        this.ledger = ledger;
        this.payerResolver = payerResolver;
        this.renderer = renderer;
        this.enforcer = new Enforcer(config, table, ledger, payerResolver, renderer, store, listener, namespace);
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

    /** Stops background work; closes the ledger if Tollgate created it from {@code tollgate.ledger}. */
    void stop() {
        enforcer.close();
        if (ownedStore != null) {
            try {
                ownedStore.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "Closing the rate-limit store failed: " + e);
            }
        }
        if (ownsLedger && ledger instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, "Closing the ledger failed: " + e);
            }
        }
    }

    /**
     * Starts Tollgate for a web application: chooses the ledger, resolver and renderer and builds
     * the policy table from every servlet registration.
     */
    static Tollgate start(ServletContext context, TollgateConfig config, Map<String, String> parameters) {
        ClassLoader loader = classLoader(context);
        Optional<CdiBeans> cdi = CdiBeans.lookup(loader);
        boolean[] owned = new boolean[1];
        Ledger ledger = chooseLedger(context, config, parameters, loader, owned, cdi);
        PayerResolver resolver = config.payerResolver() != null ? config.payerResolver()
                : config.payerResolverClass() != null
                ? instantiate(config.payerResolverClass(), PayerResolver.class, parameters, loader, TollgateConfig.PAYER_RESOLVER)
                : cdi.flatMap(c -> c.bean(PayerResolver.class, TollgateConfig.PAYER_RESOLVER))
                        .orElseGet(() -> new HeaderPayerResolver(config.apiKeyHeader(), config.bearerTokens()));
        DenialRenderer renderer = config.renderer() != null ? config.renderer()
                : config.rendererClass() != null
                ? instantiate(config.rendererClass(), DenialRenderer.class, parameters, loader, TollgateConfig.RENDERER)
                : cdi.flatMap(c -> c.bean(DenialRenderer.class, TollgateConfig.RENDERER))
                        .orElseGet(() -> new ProblemDetailsRenderer(config.problemTypeBase()));
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
        boolean[] ownsStore = new boolean[1];
        RateLimitStore store = chooseStore(context, config, parameters, loader, ownsStore, cdi);
        RateLimitListener listener = config.rateLimitListener() != null ? config.rateLimitListener()
                : config.rateLimitListenerClass() != null
                ? instantiate(config.rateLimitListenerClass(), RateLimitListener.class, parameters, loader,
                        TollgateConfig.RATE_LIMIT_LISTENER)
                : cdi.flatMap(c -> c.bean(RateLimitListener.class, TollgateConfig.RATE_LIMIT_LISTENER))
                        .orElseGet(() -> new RateLimitListener() { });
        String namespace = config.rateLimitNamespace() != null ? config.rateLimitNamespace()
                : context.getContextPath().isEmpty() ? "/" : context.getContextPath();
        Tollgate t = new Tollgate(config, ledger, owned[0], resolver, renderer, table, store, ownsStore[0], listener,
                namespace);
        LOG.log(System.Logger.Level.INFO, "Tollgate started in {0}: {1}; ledger {2}; rate limits {3}",
                context.getContextPath().isEmpty() ? "/" : context.getContextPath(), describe(table), ledger,
                store == null ? "in this JVM" : "in " + store.name());
        return t;
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

    private static RateLimitStore chooseStore(ServletContext context, TollgateConfig config,
                                              Map<String, String> parameters, ClassLoader loader, boolean[] owned,
                                              Optional<CdiBeans> cdi) {
        if (config.rateLimitStore() != null) {
            return config.rateLimitStore();
        }
        Object o = context.getAttribute(RATE_LIMIT_STORE_ATTRIBUTE);
        if (o != null) {
            if (!(o instanceof RateLimitStore s)) {
                throw new IllegalStateException("servlet-context attribute " + RATE_LIMIT_STORE_ATTRIBUTE + " holds a "
                        + o.getClass().getName() + ", not a " + RateLimitStore.class.getName());
            }
            return s;
        }
        if (config.rateLimitStoreClass() != null) {
            owned[0] = true;
            return instantiate(config.rateLimitStoreClass(), RateLimitStore.class, parameters, loader,
                    TollgateConfig.RATE_LIMIT_STORE);
        }
        return cdi.flatMap(c -> c.bean(RateLimitStore.class, TollgateConfig.RATE_LIMIT_STORE)).orElse(null);
    }

    private static Ledger chooseLedger(ServletContext context, TollgateConfig config, Map<String, String> parameters,
                                       ClassLoader loader, boolean[] owned, Optional<CdiBeans> cdi) {
        Ledger chosen = null;
        String how = null;
        if (config.ledger() != null) {
            chosen = config.ledger();
            how = "configuration";
        } else if (context.getAttribute(LEDGER_ATTRIBUTE) != null) {
            Object o = context.getAttribute(LEDGER_ATTRIBUTE);
            if (!(o instanceof Ledger l)) {
                throw new IllegalStateException("servlet-context attribute " + LEDGER_ATTRIBUTE + " holds a "
                        + o.getClass().getName() + ", not a " + Ledger.class.getName());
            }
            chosen = l;
            how = "context attribute";
        } else if (config.ledgerClass() != null) {
            chosen = instantiate(config.ledgerClass(), Ledger.class, parameters, loader, TollgateConfig.LEDGER);
            how = TollgateConfig.LEDGER;
            owned[0] = true;
        } else if (cdi.isPresent() && (chosen = cdi.get().bean(Ledger.class, TollgateConfig.LEDGER).orElse(null))
                != null) {
            how = "CDI";
        } else {
            List<Ledger> found = new ArrayList<>();
            for (Ledger l : ServiceLoader.load(Ledger.class, loader)) {
                found.add(l);
            }
            if (found.size() > 1) {
                StringJoiner names = new StringJoiner(", ");
                found.forEach(l -> names.add(l.getClass().getName()));
                throw new IllegalStateException("several ledgers found through ServiceLoader (" + names
                        + "); choose one with the " + TollgateConfig.LEDGER + " parameter");
            }
            if (found.size() == 1) {
                chosen = found.get(0);
                how = "ServiceLoader";
            }
        }
        if (chosen != null) {
            if (config.accountsResource() != null) {
                throw new IllegalStateException(TollgateConfig.ACCOUNTS + " only seeds the built-in in-memory ledger,"
                        + " but the ledger " + chosen.getClass().getName() + " was chosen (by " + how + ")");
            }
            LOG.log(System.Logger.Level.DEBUG, "Ledger {0} chosen by {1}", chosen.getClass().getName(), how);
            return chosen;
        }
        if (config.accountsResource() != null) {
            return loadAccounts(context, config.accountsResource(), loader);
        }
        LOG.log(System.Logger.Level.WARNING, "No ledger configured ({0}, context attribute {1}, a CDI bean or a"
                + " ServiceLoader entry); using an empty in-memory ledger, so every paid request is refused until accounts exist",
                TollgateConfig.LEDGER, LEDGER_ATTRIBUTE);
        return InMemoryLedger.builder().build();
    }

    private static Ledger loadAccounts(ServletContext context, String resource, ClassLoader loader) {
        try (InputStream in = open(context, resource, loader, TollgateConfig.ACCOUNTS)) {
            InMemoryLedger ledger = InMemoryLedger.load(in);
            LOG.log(System.Logger.Level.INFO, "Using an in-memory ledger seeded from {0}", resource);
            return ledger;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalStateException(TollgateConfig.ACCOUNTS + " = \"" + resource + "\": " + e.getMessage(), e);
        }
    }

    private static <T> T instantiate(String className, Class<T> type, Map<String, String> parameters,
                                     ClassLoader loader, String parameter) {
        Objects.requireNonNull(className, "className");
        Class<?> c;
        try {
            c = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\": class not found; is its JAR in"
                    + " WEB-INF/lib?", e);
        }
        if (!type.isAssignableFrom(c)) {
            throw new IllegalStateException(parameter + " = \"" + className + "\" does not implement " + type.getName());
        }
        try {
            try {
                Constructor<?> withParams = c.getConstructor(Map.class);
                return type.cast(withParams.newInstance(Map.copyOf(parameters)));
            } catch (NoSuchMethodException e) {
                return type.cast(c.getConstructor().newInstance());
            }
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\" needs a public constructor taking"
                    + " no arguments or a Map<String, String> of parameters", e);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\": constructor failed: "
                    + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(parameter + " = \"" + className + "\": cannot instantiate: " + e, e);
        }
    }
}
