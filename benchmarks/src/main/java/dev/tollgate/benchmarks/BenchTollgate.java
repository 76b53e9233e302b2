package dev.tollgate.benchmarks;

import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.engine.Endpoint;
import dev.tollgate.engine.Engine;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRegistration;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tollgate started the way a container starts it, through public API only: a
 * {@link TollgateFilter} with a programmatic {@link TollgateConfig}, initialised with a stub servlet
 * context whose registrations are the benchmark servlets. Benchmarks then call
 * {@link TollgateFilter#doFilter} (what a container calls per request) or the {@link Engine} (what an
 * adapter calls). Nothing from the filter's internal package: a test in {@code filter} fails if any
 * module but the filter names it.
 */
final class BenchTollgate implements AutoCloseable {

    private final TollgateFilter filter;

    private BenchTollgate(TollgateFilter filter) {
        this.filter = filter;
    }

    /**
     * Starts Tollgate for an application with these servlets.
     *
     * @param config the configuration
     * @param servlets servlet name → servlet class, scanned for annotations as a container's would be
     * @return the running Tollgate
     */
    static BenchTollgate start(TollgateConfig config, Map<String, Class<?>> servlets) throws ServletException {
        TollgateFilter filter = new TollgateFilter(config);
        filter.init(filterConfig(context(servlets)));
        if (filter.tollgate() == null) {
            throw new IllegalStateException("Tollgate did not start");
        }
        return new BenchTollgate(filter);
    }

    /** {@return the filter, as the container would call it} */
    TollgateFilter filter() {
        return filter;
    }

    /** {@return the running Tollgate} */
    Tollgate tollgate() {
        return filter.tollgate();
    }

    /** {@return the engine every adapter uses} */
    Engine engine() {
        return filter.tollgate().engine();
    }

    /**
     * {@return the policy of a method of {@link BenchServlets.Resource}, as the Jakarta REST adapter asks for it}
     *
     * @param method the method's name
     */
    Endpoint resourceMethod(String method) throws NoSuchMethodException {
        return engine().policyFor(BenchServlets.Resource.class, BenchServlets.Resource.class.getMethod(method))
                .orElseThrow(() -> new IllegalStateException(method + " has no policy"));
    }

    @Override
    public void close() {
        filter.destroy();
    }

    /** A servlet context with just what Tollgate reads at start-up: registrations, attributes, loader. */
    private static ServletContext context(Map<String, Class<?>> servlets) {
        Map<String, ServletRegistration> registrations = new LinkedHashMap<>();
        for (Map.Entry<String, Class<?>> e : servlets.entrySet()) {
            registrations.put(e.getKey(), registration(e.getKey(), e.getValue().getName()));
        }
        Map<String, Object> attributes = Collections.synchronizedMap(new HashMap<>());
        ClassLoader loader = BenchTollgate.class.getClassLoader();
        return proxy(ServletContext.class, (name, args) -> switch (name) {
            case "getServletRegistrations" -> Collections.unmodifiableMap(registrations);
            case "getServletRegistration" -> registrations.get((String) args[0]);
            case "getContextPath" -> "";
            case "getClassLoader" -> loader;
            case "getAttribute" -> attributes.get((String) args[0]);
            case "setAttribute" -> attributes.put((String) args[0], args[1]);
            case "removeAttribute" -> attributes.remove((String) args[0]);
            case "getAttributeNames", "getInitParameterNames" -> Collections.emptyEnumeration();
            case "getMajorVersion", "getEffectiveMajorVersion" -> 6;
            case "getServletContextName", "getServerInfo" -> "benchmarks";
            default -> null;
        });
    }

    private static ServletRegistration registration(String name, String className) {
        return proxy(ServletRegistration.class, (method, args) -> switch (method) {
            case "getName" -> name;
            case "getClassName" -> className;
            case "getMappings" -> List.of("/api/" + name);
            case "getInitParameters" -> Map.of();
            default -> null;
        });
    }

    private static FilterConfig filterConfig(ServletContext context) {
        return proxy(FilterConfig.class, (method, args) -> switch (method) {
            case "getServletContext" -> context;
            case "getFilterName" -> "tollgate";
            case "getInitParameterNames" -> Collections.emptyEnumeration();
            default -> null;
        });
    }

    /** What a stub answers: the method's name and arguments → the result ({@code null} for the rest). */
    private interface Answers {
        Object answer(String method, Object[] args);
    }

    private static <T> T proxy(Class<T> type, Answers answers) {
        Object stub = Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (self, m, args) -> {
            if (m.getDeclaringClass() == Object.class) {
                return switch (m.getName()) {
                    case "equals" -> self == args[0];
                    case "hashCode" -> System.identityHashCode(self);
                    default -> type.getSimpleName() + " stub";
                };
            }
            Object result = answers.answer(m.getName(), args);
            if (result == null && m.getReturnType().isPrimitive() && m.getReturnType() != void.class) {
                return java.lang.reflect.Array.get(java.lang.reflect.Array.newInstance(m.getReturnType(), 1), 0);
            }
            if (result == null && m.getReturnType() == Set.class) {
                return Set.of();
            }
            return m.getReturnType() == void.class ? null : result;
        });
        return type.cast(stub);
    }
}
