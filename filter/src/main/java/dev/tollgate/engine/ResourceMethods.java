package dev.tollgate.engine;

import dev.tollgate.Denial;
import dev.tollgate.InvalidPolicyException;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.internal.Refusals;
import dev.tollgate.internal.ResourcePolicies;
import dev.tollgate.spi.Rendering;
import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an adapter for annotated resource methods (Jakarta REST) can do before, or without, a
 * running {@link Engine}: check a method's annotations at start-up, and refuse a priced method
 * when the engine is not running (fail closed). Stateless and thread-safe.
 */
public final class ResourceMethods {

    private ResourceMethods() {
    }

    /**
     * Reads and validates the policy of a resource method, uncached: for start-up checks. Requests
     * use {@link Engine#policyFor}.
     *
     * @param resourceClass the resource class
     * @param method the resource method
     * @return the policy, or empty when the method is free
     * @throws InvalidPolicyException if its annotations are invalid, naming the method and member
     */
    public static Optional<Endpoint> check(Class<?> resourceClass, Method method) {
        return Optional.ofNullable(ResourcePolicies.read(resourceClass, method));
    }

    /**
     * {@return whether a resource method or its class carries Tollgate annotations}
     *
     * @param resourceClass the resource class
     * @param method the resource method
     */
    public static boolean hasAnnotations(Class<?> resourceClass, Method method) {
        return ResourcePolicies.hasAnnotations(resourceClass, method);
    }

    /**
     * {@return the 503 for a priced or limited method when Tollgate is not running in the application}
     *
     * @param request the request, or {@code null} outside a servlet container
     */
    public static Answer notRunning(HttpServletRequest request) {
        return problem(Refusals.notRunning(), request);
    }

    /**
     * {@return the 503 for a method whose annotations are invalid}
     *
     * @param request the request
     */
    public static Answer misconfigured(HttpServletRequest request) {
        return problem(Refusals.misconfigured(), request);
    }

    /** A refusal in the default problem format, for when there is no engine to render it. */
    private static Answer problem(Denial denial, HttpServletRequest request) {
        Rendering r = new ProblemDetailsRenderer().render(denial, request);
        List<Map.Entry<String, String>> headers = new ArrayList<>(r.headers().size() + 1);
        headers.add(Map.entry("Cache-Control", "no-store"));
        headers.addAll(r.headers());
        return new Answer(r.status(), r.contentType(), headers, r.body());
    }
}
