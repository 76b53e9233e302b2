package dev.tollgate;

import dev.tollgate.internal.PolicyTable;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
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
 *   <li>otherwise, when Tollgate would not run (the context parameter
 *       {@value TollgateConfig#ENABLED} is {@code false}; or {@value TollgateConfig#AUTO_REGISTER}
 *       is {@code false} and no {@code TollgateFilter} is declared; or one is declared without a
 *       mapping), looks for priced or rate-limited code: servlet registrations whose class carries
 *       {@code @RequiresPayment} or {@code @RateLimited}, and the context parameters
 *       {@value TollgateConfig#POLICIES} and {@code tollgate.policy.*}. If there is any, it throws
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
 * filter covers them at its start). Policies in a {@code tollgate.properties} class-path resource
 * are not examined. Jakarta REST resources are enforced by the {@code tollgate-jaxrs} adapter and
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
            case PRESENT -> unmapped(context);
            case DISABLED -> "the context parameter " + TollgateConfig.ENABLED + " is false";
            case NOT_REGISTERED -> "the context parameter " + TollgateConfig.AUTO_REGISTER
                    + " is false and no " + TollgateFilter.class.getName() + " is declared";
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

    /** {@return why the declared filters do not run, or {@code null} when one of them is mapped} */
    private static String unmapped(ServletContext context) {
        List<String> names = new ArrayList<>();
        for (FilterRegistration r : context.getFilterRegistrations().values()) {
            if (TollgateFilter.class.getName().equals(r.getClassName())) {
                if (!r.getUrlPatternMappings().isEmpty() || !r.getServletNameMappings().isEmpty()) {
                    return null;
                }
                names.add(r.getName());
            }
        }
        return "the Tollgate filter " + names + " has no mapping";
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
        TreeSet<String> parameters = new TreeSet<>();
        for (String name : Collections.list(context.getInitParameterNames())) {
            if (name.equals(TollgateConfig.POLICIES)) {
                parameters.add(name);
            } else if (name.startsWith(TollgateConfig.POLICY_PREFIX)) {
                String id = name.substring(TollgateConfig.POLICY_PREFIX.length());
                parameters.add(TollgateConfig.POLICY_PREFIX + (id.contains(".") ? id.substring(0, id.indexOf('.')) : id)
                        + ".*");
            }
        }
        parameters.forEach(p -> found.add("context parameter " + p));
        return found;
    }

    private static String path(ServletContext context) {
        return context.getContextPath().isEmpty() ? "/" : context.getContextPath();
    }
}
