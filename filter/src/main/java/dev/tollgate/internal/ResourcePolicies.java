package dev.tollgate.internal;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.annotations.Free;
import dev.tollgate.annotations.RateLimited;
import dev.tollgate.annotations.RequiresPayment;
import java.lang.annotation.Annotation;
import java.lang.reflect.Method;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The policies of one application's Jakarta REST resource methods, by resource class and method (an
 * inherited method can be priced differently in two subclasses), read on first use and kept, so
 * every request to a method shares one policy and so one set of rate-limit buckets. Thread-safe.
 * Reads the {@code jakarta.ws.rs.HttpMethod} designator by name, so core needs no Jakarta REST API.
 */
public final class ResourcePolicies {

    /** A resource method as the runtime matched it. */
    private record Target(Class<?> type, Method method) {
    }

    /** The policy of a target, or why it has none that can be enforced. */
    private record Entry(Policy policy, InvalidPolicyException invalid) {
    }

    private static final Entry FREE = new Entry(null, null);

    private final Map<Target, Entry> entries = new ConcurrentHashMap<>();

    /** Creates an empty table. */
    public ResourcePolicies() {
    }

    /**
     * {@return the policy of a resource method, or {@code null} when it is free}
     *
     * @param type the resource class
     * @param method the resource method, as the runtime reports it
     * @throws InvalidPolicyException if its annotations are invalid (every time it is asked)
     */
    public Policy lookup(Class<?> type, Method method) {
        Target target = new Target(type, method);
        Entry e = entries.get(target);
        if (e == null) {
            e = entries.computeIfAbsent(target, ResourcePolicies::scan);
        }
        if (e.invalid() != null) {
            throw e.invalid();
        }
        return e.policy();
    }

    /**
     * {@return the policy of a resource method read afresh, or {@code null} when it is free}
     *
     * @param type the resource class
     * @param method the resource method
     * @throws InvalidPolicyException if its annotations are invalid
     */
    public static Policy read(Class<?> type, Method method) {
        Entry e = scan(new Target(type, method));
        if (e.invalid() != null) {
            throw e.invalid();
        }
        return e.policy();
    }

    private static Entry scan(Target t) {
        Method m = annotated(t.type(), t.method());
        try {
            // A scanner per method: it is not thread-safe, and this runs once per method.
            Policy p = new PolicyScanner().resourceMethod(t.type().getSimpleName() + "." + m.getName(),
                    httpMethod(t.method()), t.type(), m);
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
    public static boolean hasAnnotations(Class<?> type, Method method) {
        return hasTollgateAnnotations(annotated(type, method)) || type.isAnnotationPresent(RequiresPayment.class)
                || type.getAnnotationsByType(RateLimited.class).length > 0;
    }

    private static boolean hasTollgateAnnotations(Method m) {
        return m.isAnnotationPresent(RequiresPayment.class) || m.isAnnotationPresent(Free.class)
                || m.getAnnotationsByType(RateLimited.class).length > 0;
    }

    /** The HTTP method of a resource method: the value of its {@code @HttpMethod}-designated annotation. */
    private static String httpMethod(Method method) {
        for (Annotation a : method.getAnnotations()) {
            for (Annotation meta : a.annotationType().getAnnotations()) {
                if (meta.annotationType().getName().equals("jakarta.ws.rs.HttpMethod")) {
                    try {
                        return (String) meta.annotationType().getMethod("value").invoke(meta);
                    } catch (ReflectiveOperationException | ClassCastException e) {
                        return "*";
                    }
                }
            }
        }
        return "*";
    }
}
