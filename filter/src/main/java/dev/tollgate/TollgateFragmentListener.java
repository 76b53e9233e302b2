package dev.tollgate;

import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletException;

/**
 * Registers {@link TollgateFilter} from the JAR's {@code META-INF/web-fragment.xml} (fragment name
 * {@value TollgateInitializer#FRAGMENT_NAME}), for containers that process web fragments but do not
 * run {@link TollgateInitializer}: standalone Jetty 12 without the {@code ee10-annotations} module,
 * for one. Where both run, the initializer registers the filter first and this listener finds it
 * and adds nothing; the parameters {@value TollgateConfig#ENABLED} and
 * {@value TollgateConfig#AUTO_REGISTER}, and a filter the application declares itself, are honoured
 * exactly as by the initializer.
 *
 * <p>Listeners declared in a descriptor (unlike ones added in code) may add filters (Servlet 6,
 * section 4.4). The filter is mapped after the filters declared in {@code web.xml}, as by the
 * initializer. Fragments are not processed when {@code web.xml} is {@code metadata-complete} or
 * when an {@code <absolute-ordering>} leaves this fragment out; {@link TollgateRequired} covers
 * those cases.
 *
 * <p>The container creates and calls it; applications do not use it directly. Stateless.
 */
public final class TollgateFragmentListener implements ServletContextListener {

    /** Creates the listener (the container does). */
    public TollgateFragmentListener() {
    }

    /**
     * Registers the filter if nothing registered or declared it yet.
     *
     * @param event the starting application
     * @throws IllegalStateException if a flag is neither {@code true} nor {@code false}, or another
     *         filter already uses the name {@value TollgateInitializer#FILTER_NAME}; the deployment
     *         then fails
     */
    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            TollgateInitializer.register(event.getServletContext());
        } catch (ServletException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
