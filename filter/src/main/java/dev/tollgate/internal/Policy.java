package dev.tollgate.internal;

import dev.tollgate.annotations.KeyBy;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What Tollgate enforces for one (servlet, HTTP method): payment terms, rate limits, or both.
 * Immutable; built once at start-up.
 *
 * @param servletName the servlet's registration name
 * @param method the HTTP method, or {@code *} for methods without their own entry
 * @param origin where the annotations were found, for logs, such as
 *     {@code com.example.ReportsServlet.doGet}
 * @param payment the payment terms, or {@code null} when the method is free
 * @param tiers the rate limits by plan: entitlement tiers in declaration order, the default tier
 *     (entitlement {@code null}) last; empty when unlimited
 */
public record Policy(String servletName, String method, String origin, PaymentTerms payment, List<LimitTier> tiers)
        implements dev.tollgate.engine.Endpoint {

    // Copies the tiers and requires the non-null components.
    public Policy {
        Objects.requireNonNull(servletName, "servletName");
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(origin, "origin");
        tiers = List.copyOf(tiers);
    }

    /** {@return whether the request must be paid for (a price or an entitlement)} */
    public boolean isPaid() {
        return payment != null;
    }

    /** {@return whether any rate limit applies} */
    public boolean isLimited() {
        return !tiers.isEmpty();
    }

    /** {@return whether the limits differ by plan, so the payer's entitlements are needed} */
    public boolean hasPlans() {
        return tiers.size() > 1;
    }

    /**
     * Picks the limits of a payer.
     *
     * @param entitlements the payer's entitlements, or {@code null} when unknown or anonymous
     * @return the first tier whose entitlement the payer holds, else the default tier
     */
    public LimitTier tierFor(Set<String> entitlements) {
        if (entitlements != null && !entitlements.isEmpty()) {
            for (LimitTier t : tiers) {
                if (t.entitlement() != null && entitlements.contains(t.entitlement())) {
                    return t;
                }
            }
        }
        return tiers.get(tiers.size() - 1);
    }

    /**
     * {@return whether any limit counts by this key}
     *
     * @param key the key kind
     */
    public boolean keysBy(KeyBy key) {
        for (int i = 0; i < tiers.size(); i++) { // indexed: called per request, no iterators
            List<BucketSpec> buckets = tiers.get(i).buckets();
            for (int j = 0; j < buckets.size(); j++) {
                if (buckets.get(j).key() == key) {
                    return true;
                }
            }
        }
        return false;
    }
}
