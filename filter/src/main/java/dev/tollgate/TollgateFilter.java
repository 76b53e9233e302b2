package dev.tollgate;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The servlet filter that enforces {@code @RequiresPayment} and {@code @RateLimited}.
 *
 * <p>Usually nothing needs to be done: {@link TollgateInitializer} registers it for every request
 * when the JAR is in {@code WEB-INF/lib} (or {@link TollgateFragmentListener}, from the JAR's web
 * fragment, where the container runs no initializers; {@link TollgateRequired} where it runs
 * neither). It can
 * also be declared in {@code web.xml} (then it is not registered twice), or built in code with a
 * {@link TollgateConfig} and added with {@code ServletContext.addFilter} (set the context parameter
 * {@value TollgateConfig#AUTO_REGISTER} to {@code false}).
 *
 * <p>At {@link #init}, the filter reads its configuration (see {@link TollgateConfig} for the
 * parameters; filter init-params win over context params, which win over a {@code tollgate.properties}
 * class-path resource), chooses the ledger, and scans every servlet registration for annotations.
 * An invalid annotation or parameter fails the deployment with a message that names it.
 *
 * <p>Per request it looks the policy up by the matched servlet's name and the HTTP method (the
 * container has already decoded and normalised the path; the filter never parses URLs), and passes
 * requests without a policy straight through.
 *
 * <p>Thread-safe once initialised.
 */
public class TollgateFilter implements Filter {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /**
     * Servlet-context attribute an adapter (JAX-RS) sets when it starts before this filter: a
     * collection of the names of the servlets it serves (an empty name when unknown). The filter
     * then watches for holds the adapter leaves open (see
     * {@link dev.tollgate.engine.Engine#backstop}) and leaves those servlets to the adapter's
     * annotations.
     */
    public static final String ADAPTERS_ATTRIBUTE = "dev.tollgate.adapters";

    private final TollgateConfig programmatic;
    private volatile Tollgate tollgate;
    private ServletContext context;

    /** Creates a filter configured from parameters at {@link #init}. */
    public TollgateFilter() {
        this.programmatic = null;
    }

    /**
     * Creates a filter with a fixed configuration; parameters are then ignored.
     *
     * @param config the configuration
     */
    public TollgateFilter(TollgateConfig config) {
        this.programmatic = java.util.Objects.requireNonNull(config, "config");
    }

    @Override
    public void init(FilterConfig filterConfig) throws ServletException {
        context = filterConfig.getServletContext();
        Map<String, String> parameters = parameters(filterConfig);
        TollgateConfig config;
        try {
            config = programmatic != null ? programmatic : TollgateConfig.builder()
                    .apply(parameters, Tollgate.classLoader(context)).build();
        } catch (IllegalArgumentException e) {
            throw new ServletException("Tollgate: " + e.getMessage(), e);
        }
        if (!config.enabled()) {
            LOG.log(System.Logger.Level.INFO, "Tollgate is disabled ({0} = false): requests pass through",
                    TollgateConfig.ENABLED);
            return;
        }
        if (context.getAttribute(Tollgate.CONTEXT_ATTRIBUTE) != null) {
            LOG.log(System.Logger.Level.WARNING, "Tollgate filter {0} is registered a second time; this registration"
                    + " passes requests through", filterConfig.getFilterName());
            return;
        }
        Tollgate started;
        try {
            started = Tollgate.start(context, config, parameters);
        } catch (InvalidPolicyException | IllegalStateException | IllegalArgumentException e) {
            throw new ServletException("Tollgate: " + e.getMessage(), e);
        }
        if (context.getAttribute(ADAPTERS_ATTRIBUTE) instanceof java.util.Collection<?> servlets) {
            for (Object name : servlets) {
                started.engine().expectAdapters(name instanceof String n && !n.isEmpty() ? n : null);
            }
        }
        context.setAttribute(Tollgate.CONTEXT_ATTRIBUTE, started);
        tollgate = started;
        noteDispatchers(filterConfig);
    }

    /**
     * A filter declared by the application (not registered by Tollgate, which maps it for every
     * dispatcher type) may lack dispatcher types, and the Servlet API does not let a filter read
     * them. Say at start-up which ones it needs; a missing {@code ASYNC} is also reported (once,
     * as a warning) when the first asynchronous dispatch of a paid request misses the filter.
     */
    private static void noteDispatchers(FilterConfig filterConfig) {
        if (!TollgateInitializer.FILTER_NAME.equals(filterConfig.getFilterName())) {
            LOG.log(System.Logger.Level.INFO, "Tollgate filter {0} was declared by the application: map it with the"
                    + " dispatcher types REQUEST, FORWARD, INCLUDE and ASYNC (in web.xml, one <dispatcher> element"
                    + " each; without any, REQUEST alone applies); see docs/containers.md",
                    filterConfig.getFilterName());
        }
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        Tollgate t = tollgate;
        if (t == null || !(request instanceof HttpServletRequest req) || !(response instanceof HttpServletResponse res)) {
            chain.doFilter(request, response);
            return;
        }
        t.enforcer().filter(req, res, chain);
    }

    @Override
    public void destroy() {
        Tollgate t = tollgate;
        tollgate = null;
        if (t != null) {
            if (context != null && context.getAttribute(Tollgate.CONTEXT_ATTRIBUTE) == t) {
                context.removeAttribute(Tollgate.CONTEXT_ATTRIBUTE);
            }
            t.stop();
        }
    }

    /** {@return the running Tollgate, or {@code null} before init, when disabled or a duplicate} */
    public Tollgate tollgate() {
        return tollgate;
    }

    private static Map<String, String> parameters(FilterConfig fc) throws ServletException {
        // One merge for the filter and TollgateRequired, so both decide alike.
        Map<String, String> own = new LinkedHashMap<>();
        for (Enumeration<String> e = fc.getInitParameterNames(); e.hasMoreElements(); ) {
            String n = e.nextElement();
            own.put(n, fc.getInitParameter(n));
        }
        return TollgateInitializer.parameters(fc.getServletContext(), own);
    }
}
