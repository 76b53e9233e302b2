package dev.tollgate.internal;

import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Servlet name → HTTP method → {@link Policy}, built once at start-up from annotations, plus the
 * configured {@link PathPolicies} for servlets without annotations. Immutable and thread-safe; an
 * annotation lookup is one {@link HashMap} probe (the container hands the same servlet-name instance
 * to every request, so it usually ends at an identity check) and allocates nothing.
 */
public final class PolicyTable {

    private final Map<String, MethodPolicies> byServlet;
    private final PathPolicies configured;

    PolicyTable(Map<String, MethodPolicies> byServlet) {
        this(byServlet, PathPolicies.NONE);
    }

    private PolicyTable(Map<String, MethodPolicies> byServlet, PathPolicies configured) {
        // Not Map.copyOf: its probe divides (floorMod) and compares by equals, which was most of
        // the cost of a request without a policy.
        this.byServlet = Collections.unmodifiableMap(new HashMap<>(byServlet));
        this.configured = configured;
    }

    /**
     * {@return this table with configured policies for what has no annotations}
     *
     * @param policies the configured policies
     */
    public PolicyTable with(PathPolicies policies) {
        return new PolicyTable(byServlet, policies);
    }

    /** {@return the configured (not annotated) policies} */
    public PathPolicies configured() {
        return configured;
    }

    /**
     * {@return the annotated policies of a servlet, or {@code null} when it has none} A servlet
     * with annotations is governed by them alone: configured policies do not apply to it.
     *
     * @param servletName the servlet's name, or {@code null}
     */
    public MethodPolicies annotated(String servletName) {
        return servletName == null ? null : byServlet.get(servletName);
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
        return byServlet.isEmpty() && configured.isEmpty();
    }
}
