package dev.tollgate.internal;

import java.util.List;
import java.util.Objects;

/**
 * The limits that apply to one plan: those with an entitlement, or the default ones (without).
 *
 * @param entitlement the entitlement whose holders get these limits, or {@code null} for everyone else
 * @param buckets the buckets; enforced ones first, shadow ones last
 * @param policyHeader the {@code RateLimit-Policy} field value for these limits
 */
public record LimitTier(String entitlement, List<BucketSpec> buckets, String policyHeader) {

    // Copies and orders the buckets: enforced first, shadow last.
    public LimitTier {
        Objects.requireNonNull(policyHeader, "policyHeader");
        buckets = buckets.stream().sorted((a, b) -> Boolean.compare(a.shadow(), b.shadow())).toList();
    }

    /**
     * Formats the {@code RateLimit-Policy} field of some buckets (draft-ietf-httpapi-ratelimit-headers-10):
     * one item per limit, {@code "name";q=requests;w=seconds}.
     *
     * @param buckets the buckets
     * @return the field value
     */
    static String policyHeader(List<BucketSpec> buckets) {
        StringBuilder sb = new StringBuilder();
        for (BucketSpec s : buckets) {
            for (LimitSpec l : s.limits()) {
                if (sb.length() > 0) {
                    sb.append(", ");
                }
                sb.append('"').append(l.name()).append("\";q=").append(l.requests()).append(";w=")
                        .append(l.windowSeconds());
            }
        }
        return sb.toString();
    }
}
