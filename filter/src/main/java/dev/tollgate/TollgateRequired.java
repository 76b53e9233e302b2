package dev.tollgate;

import dev.tollgate.internal.PolicyTable;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Makes the deployment fail when the application has priced or rate-limited endpoints but Tollgate
 * would not enforce them. Declare it in the application's own {@code web.xml}:
 *
 * <pre>{@code
 * <listener>
 *   <listener-class>dev.tollgate.TollgateRequired</listener-class>
 * </listener>
 * }</pre>
 *
 * <p>Why: Tollgate registers its filter from a {@code ServletContainerInitializer} and from its
 * web fragment, and a container may run neither: standalone Jetty 12 without the
 * {@code ee10-annotations} module runs no initializer, and an {@code <absolute-ordering>} in
 * {@code web.xml} that does not name {@value TollgateInitializer#FRAGMENT_NAME} (or
 * {@code <others/>}) leaves the JAR's initializer and fragment out, as does, for the fragment,
 * {@code metadata-complete="true"}. Then no code of the JAR runs and every endpoint is served
 * for free. Listeners declared in {@code web.xml} always run, whatever the ordering or annotation
 * scanning, so this one is the application's guarantee.
 *
 * <p>When the context starts, this listener:
 * <ol>
 *   <li>registers {@link TollgateFilter} exactly as {@link TollgateInitializer} does, if nothing
 *       registered or declared it yet; so whenever this listener runs, Tollgate is active unless
 *       configured off;</li>
 *   <li>otherwise, when Tollgate would not run, or would not see every dispatch, looks for priced
 *       or rate-limited code. That is when {@value TollgateConfig#ENABLED} is {@code false} for
 *       every declared {@code TollgateFilter}, decided from the parameters the filter itself reads
 *       (its init-params over the context parameters over a {@code tollgate.properties} resource);
 *       or {@value TollgateConfig#AUTO_REGISTER} is {@code false} and no {@code TollgateFilter} is
 *       declared; or the declared filter has no mapping; or {@code WEB-INF/web.xml} maps it without
 *       all of the dispatchers {@code REQUEST}, {@code FORWARD}, {@code INCLUDE} and {@code ASYNC}
 *       (a {@code <filter-mapping>} without {@code <dispatcher>} is for {@code REQUEST} only, so a
 *       free servlet could forward to a priced one unpaid). It looks at servlet registrations
 *       whose class carries {@code @RequiresPayment} or {@code @RateLimited}, and the parameters
 *       {@value TollgateConfig#POLICIES} and {@code tollgate.policy.*} (context parameters or
 *       {@code tollgate.properties}). If there is any, it throws
 *       an {@link IllegalStateException} whose message names the parameter and the servlets, and
 *       the container fails the deployment (Jetty then answers 503, Tomcat 404, for the whole
 *       application). With nothing priced, it logs that Tollgate is off and lets the application
 *       start.</li>
 * </ol>
 *
 * <p>Limits: it sees what exists when it runs. Listeners run in {@code web.xml} order, then those
 * of fragments and {@code @WebListener}s; declare this one after any listener of yours that adds
 * the Tollgate filter in code, or it fails a deployment that would have been enforced. Servlets
 * added in code by later listeners are not examined when Tollgate is off (when Tollgate is on, the
 * filter covers them at its start). Policies in a declared filter's own init-params are not
 * examined. The Servlet API does not tell a filter registration's dispatcher types: only
 * the mappings in the application's own {@code WEB-INF/web.xml} are checked, not those made in
 * code or in another JAR's {@code web-fragment.xml}. Jakarta REST resources are enforced by the {@code tollgate-jaxrs} adapter and
 * are not examined here.
 *
 * <p>Stateless; the container creates and calls it.
 */
public final class TollgateRequired implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Creates the listener (the container does). */
    public TollgateRequired() {
    }

    /**
     * Registers the filter if nothing did, or fails when priced code would run without Tollgate.
     *
     * @param event the starting application
     * @throws IllegalStateException when Tollgate would not run while priced or rate-limited code is
     *         present, when a Tollgate flag is neither {@code true} nor {@code false}, or when an
     *         annotation is invalid; the container then fails the deployment
     */
    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        TollgateInitializer.Registration registration;
        try {
            registration = TollgateInitializer.register(context);
        } catch (ServletException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        String why = switch (registration) {
            case REGISTERED -> null;
            case PRESENT -> declared(context);
            case DISABLED -> isFalse(context, TollgateConfig.ENABLED);
            case NOT_REGISTERED -> isFalse(context, TollgateConfig.AUTO_REGISTER) + " and no "
                    + TollgateFilter.class.getName() + " is declared";
        };
        if (why == null) {
            LOG.log(System.Logger.Level.DEBUG, "Tollgate is active in {0}", path(context));
            return;
        }
        List<String> priced = priced(context);
        if (priced.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Tollgate is not active in {0} ({1}); nothing is priced or"
                    + " rate-limited", path(context), why);
            return;
        }
        String message = "Tollgate is required (" + TollgateRequired.class.getName() + " is declared) but would not"
                + " run in " + path(context) + ": " + why + ", while " + String.join(", ", priced)
                + (priced.size() == 1 ? " is" : " are") + " priced or rate-limited. Let Tollgate run, or remove "
                + TollgateRequired.class.getSimpleName() + " to serve these endpoints without it.";
        LOG.log(System.Logger.Level.ERROR, message);
        throw new IllegalStateException(message);
    }

    /** {@return where a context-wide flag is false: a context parameter, else {@code tollgate.properties}} */
    private static String isFalse(ServletContext context, String name) {
        return context.getInitParameter(name) != null ? "the context parameter " + name + " is false"
                : name + " is false in " + TollgateInitializer.PROPERTIES;
    }

    /**
     * {@return why the declared filters would not enforce every dispatch, or {@code null} when one
     * of them does} A filter counts when the parameters it will read at its start (its init-params
     * over the context parameters over {@code tollgate.properties}) leave it enabled, it has a
     * mapping, and, where {@code WEB-INF/web.xml} declares it, each of its mappings there lists the
     * dispatchers {@code REQUEST}, {@code FORWARD}, {@code INCLUDE} and {@code ASYNC}.
     */
    private static String declared(ServletContext context) {
        List<String> unmapped = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Map<String, List<WebXml.Mapping>> webXml = null;
        for (FilterRegistration r : context.getFilterRegistrations().values()) {
            if (!TollgateFilter.class.getName().equals(r.getClassName())) {
                continue;
            }
            boolean enabled;
            try {
                enabled = TollgateInitializer.flag(TollgateInitializer.parameters(context, r.getInitParameters()),
                        TollgateConfig.ENABLED);
            } catch (ServletException e) {
                throw new IllegalStateException(e.getMessage(), e);
            }
            if (!enabled) {
                reasons.add(r.getInitParameter(TollgateConfig.ENABLED) != null
                        ? "the Tollgate filter [" + r.getName() + "] has the init-param " + TollgateConfig.ENABLED
                                + " = false"
                        : isFalse(context, TollgateConfig.ENABLED));
                continue;
            }
            if (r.getUrlPatternMappings().isEmpty() && r.getServletNameMappings().isEmpty()) {
                unmapped.add(r.getName());
                continue;
            }
            if (webXml == null) {
                webXml = WebXml.filterMappings(context);
            }
            String missing = WebXml.missingDispatchers(webXml.getOrDefault(r.getName(), List.of()));
            if (missing != null) {
                reasons.add("the Tollgate filter [" + r.getName() + "] is mapped in " + WebXml.PATH + " without "
                        + missing + ", so a free servlet could forward to or include a priced one, or an"
                        + " asynchronous dispatch reach it, unpaid (list the four <dispatcher> elements REQUEST,"
                        + " FORWARD, INCLUDE and ASYNC in each <filter-mapping> of the filter)");
                continue;
            }
            return null;
        }
        if (!unmapped.isEmpty()) {
            reasons.add("the Tollgate filter " + unmapped + " has no mapping");
        }
        return String.join("; ", reasons);
    }

    /** {@return the priced or rate-limited servlets and the policy parameters, named for a message} */
    private static List<String> priced(ServletContext context) {
        List<String> found = new ArrayList<>();
        PolicyTable table;
        try {
            table = Tollgate.scan(context, Tollgate.classLoader(context));
        } catch (InvalidPolicyException e) {
            throw new IllegalStateException("Tollgate: " + e.getMessage(), e);
        }
        for (String servlet : new TreeSet<>(table.servlets().keySet())) {
            ServletRegistration r = context.getServletRegistration(servlet);
            found.add("servlet \"" + servlet + "\"" + (r == null ? "" : " (" + r.getClassName() + ")"));
        }
        Map<String, String> merged;
        try {
            merged = TollgateInitializer.parameters(context, Map.of());
        } catch (ServletException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        Map<String, String> parameters = new TreeMap<>();
        for (String name : merged.keySet()) {
            String label = null;
            if (name.equals(TollgateConfig.POLICIES)) {
                label = name;
            } else if (name.startsWith(TollgateConfig.POLICY_PREFIX)) {
                String id = name.substring(TollgateConfig.POLICY_PREFIX.length());
                label = TollgateConfig.POLICY_PREFIX + (id.contains(".") ? id.substring(0, id.indexOf('.')) : id) + ".*";
            }
            if (label != null) {
                parameters.merge(label, context.getInitParameter(name) != null ? "context parameter "
                        : TollgateInitializer.PROPERTIES + " parameter ", (a, b) -> a.startsWith("context") ? a : b);
            }
        }
        parameters.forEach((p, source) -> found.add(source + p));
        return found;
    }

    private static String path(ServletContext context) {
        return context.getContextPath().isEmpty() ? "/" : context.getContextPath();
    }
}
