package dev.tollgate.internal;

import java.util.Map;

/**
 * Servlet name → HTTP method → {@link Policy}, built once at start-up. Immutable and
 * thread-safe; a lookup is two hash probes and allocates nothing.
 */
public final class PolicyTable {

    private final Map<String, MethodPolicies> byServlet;

    PolicyTable(Map<String, MethodPolicies> byServlet) {
        this.byServlet = Map.copyOf(byServlet);
    }

    /**
     * Finds the policy of a request.
     *
     * @param servletName the matched servlet's name, or {@code null}
     * @param method the HTTP method
     * @return the policy, or {@code null} when the request is not covered
     */
    public Policy lookup(String servletName, String method) {
        if (servletName == null) {
            return null;
        }
        MethodPolicies m = byServlet.get(servletName);
        return m == null ? null : m.forMethod(method);
    }

    /** {@return the covered servlets} */
    public Map<String, MethodPolicies> servlets() {
        return byServlet;
    }

    /** {@return whether nothing is covered} */
    public boolean isEmpty() {
        return byServlet.isEmpty();
    }
}
