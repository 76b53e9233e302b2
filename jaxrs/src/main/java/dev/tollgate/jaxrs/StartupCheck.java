package dev.tollgate.jaxrs;

import dev.tollgate.Tollgate;
import dev.tollgate.TollgateFilter;
import dev.tollgate.engine.ResourceMethods;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.FeatureContext;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Reads the annotations of every resource method the runtime knows at start-up, so an invalid
 * one stops the application naming the method, and tells the servlet filter that this servlet's
 * requests are governed by annotations. Registered by {@link TollgateFeature}; public only so the
 * runtime can create it.
 */
public final class StartupCheck implements DynamicFeature {

    @Context
    private ServletContext servletContext;

    @Context
    private ServletConfig servletConfig;

    /** Created by the Jakarta REST runtime, which injects the context. */
    public StartupCheck() {
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        if (resourceInfo.getResourceClass() == null || resourceInfo.getResourceMethod() == null) {
            return;
        }
        ServletContext ctx = servletContext;
        if (ctx == null) {
            return; // not in a Servlet container: ResourceGate refuses priced methods with 503
        }
        // Read through the engine when it runs (its cache is what requests use), else checked afresh.
        Optional<Tollgate> running = Tollgate.from(ctx);
        boolean governed = running.isPresent()
                ? running.get().engine().policyFor(resourceInfo.getResourceClass(), resourceInfo.getResourceMethod())
                        .isPresent()
                : ResourceMethods.check(resourceInfo.getResourceClass(), resourceInfo.getResourceMethod()).isPresent();
        if (governed) {
            watch(ctx, servletConfig == null ? null : servletConfig.getServletName());
        }
    }

    /**
     * Tells the servlet filter to release holds of requests that end without a response filter,
     * and to leave this servlet's requests to the annotations (configured path policies do not
     * apply to it).
     */
    @SuppressWarnings("unchecked")
    static void watch(ServletContext ctx, String servletName) {
        Optional<Tollgate> running = Tollgate.from(ctx);
        if (running.isPresent()) {
            running.get().engine().expectAdapters(servletName);
            return;
        }
        synchronized (StartupCheck.class) {
            Object o = ctx.getAttribute(TollgateFilter.ADAPTERS_ATTRIBUTE);
            Set<String> names = o instanceof Set<?> s ? (Set<String>) s : ConcurrentHashMap.newKeySet();
            names.add(servletName == null ? "" : servletName);
            ctx.setAttribute(TollgateFilter.ADAPTERS_ATTRIBUTE, names);
        }
    }
}
