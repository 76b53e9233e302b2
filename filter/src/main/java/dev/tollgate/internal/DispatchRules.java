package dev.tollgate.internal;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which dispatch of a request is enforced, and by which policy: a request is enforced once, on
 * the first dispatch that reaches a covered servlet; a later forward, include or async dispatch to
 * a paid servlet is enforced again only if no payment was enforced before (so a free front
 * controller cannot forward to a paid servlet for nothing). Lookups use the container's mapping
 * (servlet name, servlet path), never the raw URI. Thread-safe.
 */
final class DispatchRules {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Request attribute holding the policy Tollgate enforced on an earlier dispatch of the request. */
    static final String HANDLED = "dev.tollgate.handled";

    private final PolicyTable table;
    /** Servlets whose requests an adapter enforces from its own annotations; configured policies skip them. */
    private final Set<String> adapterServlets = ConcurrentHashMap.newKeySet();
    /** Whether an adapter (JAX-RS) may leave holds for the filter's backstop. */
    private volatile boolean adapters;

    DispatchRules(PolicyTable table) {
        this.table = table;
    }

    /** {@return whether an adapter announced itself} */
    boolean adapters() {
        return adapters;
    }

    /**
     * Notes an adapter: the filter watches for holds it leaves open, and configured policies leave
     * its servlet alone (annotations win).
     *
     * @param servletName the adapter's servlet, or {@code null} when unknown
     */
    void expectAdapters(String servletName) {
        adapters = true;
        if (servletName != null && adapterServlets.add(servletName) && !table.configured().isEmpty()) {
            LOG.log(System.Logger.Level.INFO, "Configured policies do not apply to servlet {0}: its Jakarta REST"
                    + " resources are governed by their annotations", servletName);
        }
    }

    /**
     * {@return the policy to enforce on this dispatch, or {@code null}}
     *
     * @param request the request
     * @param type its dispatcher type, read once by the caller
     * @throws ServletException if a paid servlet is included in a request that has not paid (an
     *     included servlet cannot set the status of a refusal)
     */
    Policy policyOf(HttpServletRequest request, DispatcherType type) throws ServletException {
        if (type == DispatcherType.ERROR) {
            return null;
        }
        // During an include the request's own mapping stays the includer's; the target's is an attribute.
        HttpServletMapping mapping = type == DispatcherType.INCLUDE
                ? (HttpServletMapping) request.getAttribute(RequestDispatcher.INCLUDE_MAPPING)
                : request.getHttpServletMapping();
        if (mapping == null) {
            return null;
        }
        Policy policy = lookup(mapping.getServletName(), request, type);
        if (policy == null || coveredBy(request, policy) != null) {
            return null;
        }
        if (type == DispatcherType.INCLUDE) {
            if (!policy.isPaid()) {
                return null; // an include cannot answer 429 on its own; the including request was limited
            }
            // An included servlet cannot set the status of a refusal: refuse the whole request.
            throw new ServletException("Tollgate: servlet " + policy.servletName() + " requires payment and cannot be"
                    + " included in a request that has not paid (" + policy.origin() + ")");
        }
        return policy;
    }

    /**
     * {@return the policy enforced earlier on this request that covers {@code policy}, or {@code null}}
     * A paid policy behind a merely limited one is not covered.
     */
    static Policy coveredBy(HttpServletRequest request, Policy policy) {
        return request.getAttribute(HANDLED) instanceof Policy earlier && (earlier.isPaid() || !policy.isPaid())
                ? earlier : null;
    }

    /** Records the policy enforced on this request. */
    static void enforced(HttpServletRequest request, Policy policy) {
        request.setAttribute(HANDLED, policy);
    }

    /**
     * The annotated policy of the servlet; for a servlet without annotations, the configured one
     * by servlet name or by the container's mapping of the path (never the raw URI).
     */
    private Policy lookup(String servletName, HttpServletRequest request, DispatcherType type) {
        MethodPolicies annotated = table.annotated(servletName);
        if (annotated != null) {
            return annotated.forMethod(request.getMethod());
        }
        PathPolicies configured = table.configured();
        if (configured.isEmpty() || adapterServlets.contains(servletName)) {
            return null;
        }
        String path = null;
        if (configured.hasPaths()) {
            String servletPath;
            String pathInfo;
            if (type == DispatcherType.INCLUDE) {
                servletPath = (String) request.getAttribute(RequestDispatcher.INCLUDE_SERVLET_PATH);
                pathInfo = (String) request.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO);
            } else {
                servletPath = request.getServletPath();
                pathInfo = request.getPathInfo();
            }
            path = pathInfo == null ? servletPath : servletPath == null ? pathInfo : servletPath + pathInfo;
            if (path != null && path.isEmpty()) {
                path = "/";
            }
        }
        return configured.lookup(servletName, path, request.getMethod());
    }
}
