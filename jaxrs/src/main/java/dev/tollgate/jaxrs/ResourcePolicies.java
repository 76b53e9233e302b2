package dev.tollgate.jaxrs;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.annotations.Free;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.internal.Policy;
import dev.tollgate.internal.PolicyScanner;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.HttpMethod;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policies of one application's resource methods, by resource class and method (an inherited
 * method can be priced differently in two subclasses). Kept in the servlet context, so every
 * filter instance shares one policy per method, and so one set of rate-limit buckets. Methods
 * the start-up check never saw (those of sub-resources returned by locators) are read on first
 * use. Thread-safe.
 */
final class ResourcePolicies {

    private static final String ATTRIBUTE = "dev.tollgate.jaxrs.policies";
    private static final Object CREATION = new Object();

    /** A resource method as the runtime matched it. */
    private record Target(Class<?> type, Method method) {
    }

    /** The policy of a target, or why it has none that can be enforced. */
    private record Entry(Policy policy, InvalidPolicyException invalid) {
    }

    private static final Entry FREE = new Entry(null, null);

    private final Map<Target, Entry> entries = new ConcurrentHashMap<>();
    private final PolicyScanner scanner = new PolicyScanner();

    private ResourcePolicies() {
    }

    /**
     * {@return the policies of the application whose servlet context this is}
     *
     * @param ctx the servlet context
     */
    static ResourcePolicies of(ServletContext ctx) {
        Object o = ctx.getAttribute(ATTRIBUTE);
        if (o instanceof ResourcePolicies p) {
            return p;
        }
        synchronized (CREATION) {
            o = ctx.getAttribute(ATTRIBUTE);
            if (o instanceof ResourcePolicies p) {
                return p;
            }
            ResourcePolicies p = new ResourcePolicies();
            ctx.setAttribute(ATTRIBUTE, p);
            return p;
        }
    }

    /**
     * {@return the policy of a resource method, or {@code null} when it is free}
     *
     * @param type the resource class
     * @param method the resource method, as the runtime reports it
     * @throws InvalidPolicyException if its annotations are invalid (every time it is asked)
     */
    Policy lookup(Class<?> type, Method method) {
        Target target = new Target(type, method);
        Entry e = entries.get(target);
        if (e == null) {
            e = entries.computeIfAbsent(target, this::scan);
        }
        if (e.invalid() != null) {
            throw e.invalid();
        }
        return e.policy();
    }

    private Entry scan(Target t) {
        Method m = annotated(t.type(), t.method());
        try {
            Policy p;
            synchronized (scanner) {
                p = scanner.resourceMethod(t.type().getSimpleName() + "." + m.getName(), httpMethod(t.method()),
                        t.type(), m);
            }
            return p == null ? FREE : new Entry(p, null);
        } catch (InvalidPolicyException invalid) {
            return new Entry(null, invalid);
        }
    }

    /**
     * The method whose Tollgate annotations count: the resource class's own implementation when the
     * runtime reports an interface or superclass method the annotations are not on.
     */
    private static Method annotated(Class<?> type, Method reported) {
        if (hasTollgateAnnotations(reported) || reported.getDeclaringClass() == type) {
            return reported;
        }
        try {
            Method own = type.getMethod(reported.getName(), reported.getParameterTypes());
            return hasTollgateAnnotations(own) ? own : reported;
        } catch (NoSuchMethodException e) {
            return reported;
        }
    }

    /**
     * {@return whether a resource method or its class carries Tollgate annotations}
     *
     * @param type the resource class
     * @param method the resource method
     */
    static boolean hasAnnotations(Class<?> type, Method method) {
        return hasTollgateAnnotations(annotated(type, method)) || type.isAnnotationPresent(RequiresPayment.class)
                || type.getAnnotationsByType(RateLimited.class).length > 0;
    }

    private static boolean hasTollgateAnnotations(Method m) {
        return m.isAnnotationPresent(RequiresPayment.class) || m.isAnnotationPresent(Free.class)
                || m.getAnnotationsByType(RateLimited.class).length > 0;
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
