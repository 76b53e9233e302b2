package dev.tollgate;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import java.util.EnumSet;
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
 * is registered when the context parameter {@value TollgateConfig#ENABLED} or
 * {@value TollgateConfig#AUTO_REGISTER} is {@code false}, or when {@code web.xml} already declares
 * the filter.
 */
public final class TollgateInitializer implements ServletContainerInitializer {

    /** The name the filter is registered under: {@value}. */
    public static final String FILTER_NAME = "tollgate";

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Creates the initializer (the container does). */
    public TollgateInitializer() {
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) throws ServletException {
        if (!flag(context, TollgateConfig.ENABLED)) {
            LOG.log(System.Logger.Level.INFO, "Tollgate is disabled ({0} = false); the filter is not registered",
                    TollgateConfig.ENABLED);
            return;
        }
        if (!flag(context, TollgateConfig.AUTO_REGISTER)) {
            LOG.log(System.Logger.Level.DEBUG, "{0} = false; not registering the Tollgate filter",
                    TollgateConfig.AUTO_REGISTER);
            return;
        }
        for (FilterRegistration r : context.getFilterRegistrations().values()) {
            if (TollgateFilter.class.getName().equals(r.getClassName())) {
                LOG.log(System.Logger.Level.DEBUG, "Tollgate filter declared as {0}; not registering another",
                        r.getName());
                return;
            }
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
    }

    private static boolean flag(ServletContext context, String name) throws ServletException {
        String v = context.getInitParameter(name);
        if (v == null || v.isBlank() || v.strip().equalsIgnoreCase("true")) {
            return true;
        }
        if (v.strip().equalsIgnoreCase("false")) {
            return false;
        }
        throw new ServletException("Tollgate: context parameter " + name + " = \"" + v + "\": expected true or false");
    }
}
