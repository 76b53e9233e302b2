package dev.tollgate.jaxrs;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateFilter;
import dev.tollgate.internal.Policy;
import dev.tollgate.internal.PolicyScanner;
import jakarta.servlet.ServletConfig;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.HttpMethod;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Enforces {@link dev.tollgate.annotations.RequiresPayment @RequiresPayment},
 * {@link dev.tollgate.annotations.RateLimited @RateLimited} and
 * {@link dev.tollgate.annotations.Free @Free} on Jakarta REST resource classes and methods, with
 * the same engine as the servlet filter of the same web application: the same ledger, payer
 * resolver, renderer, rate limiter (and shared store) and configuration, so a resource answers
 * exactly as an annotated servlet would: the same 402, 429 and 503 bodies, the same headers, a
 * hold committed when the response is billable and released otherwise.
 *
 * <p>Register it like any provider: classpath scanning finds it (it is a {@link Provider}), or
 * list it in {@code Application.getClasses()}. It needs a Servlet 6 container where Tollgate's
 * filter runs (it registers itself from the JAR); the Jakarta REST implementation is yours.
 *
 * <p>Annotations: a method's {@code @RequiresPayment} or {@code @Free} replaces its class's
 * payment terms, a method's {@code @RateLimited} replaces its class's limits. {@code HEAD} served
 * by a {@code GET} method costs what {@code GET} costs. An invalid annotation fails the
 * application's start with an {@link InvalidPolicyException} naming the method.
 *
 * <p>Settlement: the response filter sees the final status. A billable response with an entity
 * is serialised there (through the application's own {@code MessageBodyWriter}) so the charge is
 * final before any byte leaves, and a charge that fails can still be turned into a 503; streamed
 * entities ({@code StreamingOutput}, {@code InputStream}, files) are charged once written, as the
 * filter charges a streaming servlet. A resource that throws an exception no mapper handles is
 * released by the servlet filter when the request ends.
 */
@Provider
public final class TollgateFeature implements DynamicFeature {

    /** Runs after authentication, so a container principal is known, and before other authorization. */
    static final int PRIORITY = Priorities.AUTHORIZATION - 100;

    private static final String POLICIES_ATTRIBUTE = "dev.tollgate.jaxrs.policies";

    @Context
    private ServletContext servletContext;

    @Context
    private ServletConfig servletConfig;

    private final PolicyScanner scanner = new PolicyScanner();

    /** Creates the feature; the runtime instantiates it. */
    public TollgateFeature() {
    }

    @Override
    public void configure(ResourceInfo resourceInfo, FeatureContext context) {
        Class<?> type = resourceInfo.getResourceClass();
        Method method = resourceInfo.getResourceMethod();
        if (type == null || method == null) {
            return;
        }
        String http = httpMethod(method);
        Policy policy;
        synchronized (scanner) {
            policy = scanner.resourceMethod(type.getSimpleName() + "." + method.getName(), http, type, method);
        }
        if (policy == null) {
            return;
        }
        ServletContext ctx = servletContext;
        if (ctx == null) {
            throw new IllegalStateException("Tollgate: " + policy.origin() + " is priced or rate limited, but the"
                    + " Jakarta REST runtime gave TollgateFeature no ServletContext; Tollgate needs a Servlet container");
        }
        policies(ctx).put(method, policy);
        watchForOpenHolds(ctx, servletConfig == null ? null : servletConfig.getServletName());
        context.register(ResourceGate.class, PRIORITY);
    }

    /**
     * Tells the servlet filter to release holds of requests that end without a response filter,
     * and to leave this servlet's requests to the annotations (configured path policies do not
     * apply to it).
     */
    @SuppressWarnings("unchecked")
    private static void watchForOpenHolds(ServletContext ctx, String servletName) {
        Optional<Tollgate> running = Tollgate.from(ctx);
        if (running.isPresent()) {
            running.get().enforcer().expectAdapters(servletName);
            return;
        }
        synchronized (TollgateFeature.class) {
            Object o = ctx.getAttribute(TollgateFilter.ADAPTERS_ATTRIBUTE);
            Set<String> names = o instanceof Set<?> s ? (Set<String>) s : ConcurrentHashMap.newKeySet();
            names.add(servletName == null ? "" : servletName);
            ctx.setAttribute(TollgateFilter.ADAPTERS_ATTRIBUTE, names);
        }
    }

    /**
     * {@return the policies of the application's resource methods, kept in the servlet context so
     * every filter instance of a method shares one policy (and so one set of buckets)}
     *
     * @param ctx the servlet context
     */
    @SuppressWarnings("unchecked")
    static Map<Method, Policy> policies(ServletContext ctx) {
        synchronized (TollgateFeature.class) {
            Object o = ctx.getAttribute(POLICIES_ATTRIBUTE);
            if (o instanceof Map<?, ?> m) {
                return (Map<Method, Policy>) m;
            }
            Map<Method, Policy> m = new ConcurrentHashMap<>();
            ctx.setAttribute(POLICIES_ATTRIBUTE, m);
            return m;
        }
    }

    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            HttpMethod designator = a.annotationType().getAnnotation(HttpMethod.class);
            if (designator != null) {
                return designator.value();
            }
        }
        return "*";
    }
}
