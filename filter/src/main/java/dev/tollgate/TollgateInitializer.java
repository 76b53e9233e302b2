package dev.tollgate;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;

/**
 * Registers {@link TollgateFilter} when the web application starts, so that dropping the JAR into
 * {@code WEB-INF/lib} is all it takes. Found by the container through
 * {@code META-INF/services/jakarta.servlet.ServletContainerInitializer}.
 *
 * <p>The filter is mapped to {@code /*} for {@code REQUEST}, {@code FORWARD}, {@code INCLUDE} and
 * {@code ASYNC} dispatches, after the filters declared in {@code web.xml} (so an authentication
 * filter there runs first). A request is enforced once, on the first dispatch that reaches a
 * covered servlet; a forward to a paid servlet from an unpaid request is enforced then, and an
 * include of a paid servlet into an unpaid request fails with a {@code ServletException}. Nothing
 * is registered when {@value TollgateConfig#ENABLED} or {@value TollgateConfig#AUTO_REGISTER} is
 * {@code false} (a context parameter, else {@code tollgate.properties}), or when {@code web.xml}
 * already declares the filter.
 *
 * <p>Not every container runs initializers: standalone Jetty without its {@code ee10-annotations}
 * module does not, and an {@code <absolute-ordering>} in {@code web.xml} that leaves this JAR out
 * skips it. The JAR's {@code META-INF/web-fragment.xml} (fragment name {@value #FRAGMENT_NAME})
 * therefore declares {@link TollgateFragmentListener}, which makes the same registration where
 * fragments are processed; {@link TollgateRequired} in the application's own {@code web.xml} covers
 * the remaining cases. All three share one registration step, so the filter is registered once.
 */
public final class TollgateInitializer implements ServletContainerInitializer {

    /** The name the filter is registered under: {@value}. */
    public static final String FILTER_NAME = "tollgate";

    /**
     * The name of the JAR's web fragment, to list in an {@code <absolute-ordering>} of
     * {@code web.xml}: {@value}.
     */
    public static final String FRAGMENT_NAME = "tollgate";

    /** Context attribute set once the registration step has logged its outcome (so it logs once). */
    private static final String LOGGED_ATTRIBUTE = "dev.tollgate.registration.logged";

    /** The class-path resource with default parameters: {@value}. */
    static final String PROPERTIES = "tollgate.properties";

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** What the registration step found or did. */
    enum Registration {
        /** This call registered the filter. */
        REGISTERED,
        /**
         * A {@link TollgateFilter} registration exists already: declared by the application
         * (web.xml, a fragment, code) or registered by an earlier call of this step.
         */
        PRESENT,
        /** {@value TollgateConfig#ENABLED} is {@code false}. */
        DISABLED,
        /** {@value TollgateConfig#AUTO_REGISTER} is {@code false} and no filter is declared. */
        NOT_REGISTERED
    }

    /** Creates the initializer (the container does). */
    public TollgateInitializer() {
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        register(context);
    }

    /**
     * Registers the filter unless it is disabled, not wanted or already there. Safe to call more
     * than once per start-up (initializer, fragment listener, {@link TollgateRequired}): a second
     * call finds the first call's registration and adds nothing.
     *
     * @param context the starting application's context
     * @return what was found or done
     * @throws ServletException if a flag is neither {@code true} nor {@code false}, or another
     *         filter already uses the name {@value #FILTER_NAME}
     */
    static Registration register(ServletContext context) throws ServletException {
        boolean log = context.getAttribute(LOGGED_ATTRIBUTE) == null;
        context.setAttribute(LOGGED_ATTRIBUTE, Boolean.TRUE);
        // What a registered filter would read, bar its own init-params (it has none).
        Map<String, String> parameters = parameters(context, Map.of());
        if (!flag(parameters, TollgateConfig.ENABLED)) {
            if (log) {
                LOG.log(System.Logger.Level.INFO, "Tollgate is disabled ({0} = false); the filter is not registered",
                        TollgateConfig.ENABLED);
            }
            return Registration.DISABLED;
        }
        for (FilterRegistration r : context.getFilterRegistrations().values()) {
            if (TollgateFilter.class.getName().equals(r.getClassName())) {
                if (log) {
                    LOG.log(System.Logger.Level.DEBUG, "Tollgate filter declared as {0}; not registering another",
                            r.getName());
                }
                return Registration.PRESENT;
            }
        }
        if (!flag(parameters, TollgateConfig.AUTO_REGISTER)) {
            if (log) {
                LOG.log(System.Logger.Level.DEBUG, "{0} = false; not registering the Tollgate filter",
                        TollgateConfig.AUTO_REGISTER);
            }
            return Registration.NOT_REGISTERED;
        }
        FilterRegistration.Dynamic filter = context.addFilter(FILTER_NAME, TollgateFilter.class);
        if (filter == null) {
            throw new ServletException("Tollgate: a filter named \"" + FILTER_NAME + "\" already exists; set "
                    + TollgateConfig.AUTO_REGISTER + " to false and register " + TollgateFilter.class.getName()
                    + " yourself");
        }
        filter.setAsyncSupported(true);
        // FORWARD and INCLUDE too: a free servlet or filter that forwards to a paid one must not get
        // the paid result for nothing.
        filter.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD,
                DispatcherType.INCLUDE, DispatcherType.ASYNC), true, "/*");
        return Registration.REGISTERED;
    }

    /**
     * {@return Tollgate's parameters as a filter with the given init-params reads them at its start}
     * A {@code tollgate.properties} class-path resource, overridden by the context parameters,
     * overridden by the filter's init-params.
     *
     * @param context the application's context
     * @param filterParameters the filter's own init-params
     * @throws ServletException when {@code tollgate.properties} cannot be read
     */
    static Map<String, String> parameters(ServletContext context, Map<String, String> filterParameters)
            throws ServletException {
        Map<String, String> p = new LinkedHashMap<>();
        try (InputStream in = Tollgate.classLoader(context).getResourceAsStream(PROPERTIES)) {
            if (in != null) {
                Properties props = new Properties();
                props.load(new InputStreamReader(in, StandardCharsets.UTF_8));
                props.stringPropertyNames().forEach(n -> p.put(n, props.getProperty(n)));
            }
        } catch (IOException e) {
            throw new ServletException("Tollgate: cannot read " + PROPERTIES + ": " + e.getMessage(), e);
        }
        for (Enumeration<String> e = context.getInitParameterNames(); e.hasMoreElements(); ) {
            String n = e.nextElement();
            p.put(n, context.getInitParameter(n));
        }
        p.putAll(filterParameters);
        return p;
    }

    /**
     * {@return the value of a true/false parameter, {@code true} when absent}
     *
     * @param parameters the merged parameters ({@link #parameters})
     * @param name the parameter
     * @throws ServletException when the value is neither {@code true} nor {@code false}
     */
    static boolean flag(Map<String, String> parameters, String name) throws ServletException {
        String v = parameters.get(name);
        if (v == null || v.isBlank() || v.strip().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.strip().equalsIgnoreCase("false")) {
            return false;
        }
        throw new ServletException("Tollgate: parameter " + name + " = \"" + v + "\": expected true or false");
    }
}
