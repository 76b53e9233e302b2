package dev.tollgate.internal;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The policies of one servlet by HTTP method; an O(1) lookup with no allocation. Immutable.
 */
public final class MethodPolicies {

    private final Policy get;
    private final Policy head;
    private final Policy post;
    private final Policy put;
    private final Policy delete;
    private final Policy patch;
    private final Policy options;
    private final Policy trace;
    private final Policy other;
    private final Map<String, Policy> all;

    MethodPolicies(Map<String, Policy> byMethod, Policy other) {
        this.get = byMethod.get("GET");
        this.head = byMethod.get("HEAD");
        this.post = byMethod.get("POST");
        this.put = byMethod.get("PUT");
        this.delete = byMethod.get("DELETE");
        this.patch = byMethod.get("PATCH");
        this.options = byMethod.get("OPTIONS");
        this.trace = byMethod.get("TRACE");
        this.other = other;
        Map<String, Policy> m = new LinkedHashMap<>(byMethod);
        if (other != null) {
            m.put("*", other);
        }
        this.all = Collections.unmodifiableMap(m);
    }

    /**
     * Finds the policy for an HTTP method.
     *
     * @param method the request method, as the container reports it
     * @return the policy, or {@code null} when the method is not covered
     */
    public Policy forMethod(String method) {
        switch (method) {
            case "GET": return get;
            case "HEAD": return head;
            case "POST": return post;
            case "PUT": return put;
            case "DELETE": return delete;
            case "PATCH": return patch;
            case "OPTIONS": return options;
            case "TRACE": return trace;
            default: return other;
        }
    }

    /** {@return whether no method is covered} */
    public boolean isEmpty() {
        return all.isEmpty();
    }

    /** {@return the policies by method ({@code *} for other methods), for logs and tests} */
    public Map<String, Policy> all() {
        return all;
    }
}
