package dev.tollgate;

import dev.tollgate.TollgateConfig.HeaderStyle;
import dev.tollgate.annotations.StoreFailure;
import java.util.Objects;
import java.util.Set;

/**
 * How rate limits keep their buckets and what limited responses say. The store that shares buckets
 * between nodes and the listener are components: see {@link ComponentSettings}.
 *
 * <table>
 *   <caption>Rate-limit parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #MAX_BUCKETS}</td><td>{@code 100000}</td><td>the most rate-limit buckets kept in
 *       memory</td></tr>
 *   <tr><td>{@value #HEADERS}</td><td>{@code standard}</td><td>rate-limit headers on limited
 *       responses (admitted and 429): {@code standard} ({@code RateLimit-Policy}, {@code RateLimit}),
 *       {@code legacy} ({@code X-RateLimit-Limit/-Remaining/-Reset}), {@code both} or {@code none}
 *       ({@code Retry-After} is always sent with 429)</td></tr>
 *   <tr><td>{@value #ON_STORE_FAILURE}</td><td>{@code local}</td><td>what limits with
 *       {@code onStoreFailure = DEFAULT} do when the store fails: {@code open}, {@code closed} or
 *       {@code local}</td></tr>
 *   <tr><td>{@value #NAMESPACE}</td><td>the context path</td><td>part of every shared bucket
 *       key, so applications (or staging and production) sharing a store keep apart</td></tr>
 *   <tr><td>{@value #IPV6_PREFIX}</td><td>{@code 64}</td><td>IPv6 clients are counted by this many
 *       leading bits of their address (a host may use any address of its /64); 128 counts each
 *       address</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxBuckets the most buckets kept in memory, at least 1
 * @param headers which rate-limit headers limited responses carry
 * @param onStoreFailure what limits with {@code onStoreFailure = DEFAULT} do when the shared store
 *     fails: {@code OPEN}, {@code CLOSED} or {@code LOCAL}
 * @param namespace the namespace of shared bucket keys: 1 to 64 printable ASCII characters without
 *     spaces, or {@code null} for the context path
 * @param ipv6Prefix how many leading bits of an IPv6 client address make its key, 32 to 128
 */
public record RateLimitSettings(long maxBuckets, HeaderStyle headers, StoreFailure onStoreFailure, String namespace,
        int ipv6Prefix) {

    /** Parameter: the most rate-limit buckets in memory. */
    public static final String MAX_BUCKETS = "tollgate.rateLimit.maxBuckets";
    /** Parameter: which rate-limit headers limited responses carry. */
    public static final String HEADERS = "tollgate.rateLimit.headers";
    /** Parameter: the default policy when the rate-limit store fails. */
    public static final String ON_STORE_FAILURE = "tollgate.rateLimit.onStoreFailure";
    /** Parameter: the namespace of shared rate-limit keys. */
    public static final String NAMESPACE = "tollgate.rateLimit.namespace";
    /** Parameter: the IPv6 prefix length that keys client addresses. */
    public static final String IPV6_PREFIX = "tollgate.rateLimit.ipv6Prefix";

    static final Set<String> NAMES = Set.of(MAX_BUCKETS, HEADERS, ON_STORE_FAILURE, NAMESPACE, IPV6_PREFIX);
    static final RateLimitSettings DEFAULTS = new RateLimitSettings(100_000, HeaderStyle.STANDARD, StoreFailure.LOCAL,
            null, 64);

    /**
     * Checks the values; every way of setting them (builder, parameters, this constructor) ends here.
     *
     * @param maxBuckets the most buckets kept in memory, at least 1
     * @param headers which rate-limit headers limited responses carry
     * @param onStoreFailure what limits with {@code onStoreFailure = DEFAULT} do when the shared store
     *     fails: {@code OPEN}, {@code CLOSED} or {@code LOCAL}
     * @param namespace the namespace of shared bucket keys: 1 to 64 printable ASCII characters without
     *     spaces, or {@code null} for the context path
     * @param ipv6Prefix how many leading bits of an IPv6 client address make its key, 32 to 128
     * @throws IllegalArgumentException if a value is out of its range; the message names the parameter and the value
     */
    public RateLimitSettings {
        if (maxBuckets < 1) {
            throw new InvalidParameterException(MAX_BUCKETS, maxBuckets, "must be at least 1");
        }
        Objects.requireNonNull(headers, "style");
        if (Objects.requireNonNull(onStoreFailure, "policy") == StoreFailure.DEFAULT) {
            throw new InvalidParameterException(ON_STORE_FAILURE, onStoreFailure, "choose open, closed or local");
        }
        if (namespace != null && !namespace.matches("[\\x21-\\x7e]{1,64}")) {
            throw invalidNamespace(namespace);
        }
        if (ipv6Prefix < 32 || ipv6Prefix > 128) {
            throw new InvalidParameterException(IPV6_PREFIX, ipv6Prefix, "must be 32 to 128");
        }
    }

    RateLimitSettings withMaxBuckets(long max) {
        return new RateLimitSettings(max, headers, onStoreFailure, namespace, ipv6Prefix);
    }

    RateLimitSettings withHeaders(HeaderStyle style) {
        return new RateLimitSettings(maxBuckets, style, onStoreFailure, namespace, ipv6Prefix);
    }

    RateLimitSettings withOnStoreFailure(StoreFailure policy) {
        return new RateLimitSettings(maxBuckets, headers, policy, namespace, ipv6Prefix);
    }

    /** A {@code null} namespace is refused here: only the default leaves it to the context path. */
    RateLimitSettings withNamespace(String namespace) {
        if (namespace == null) {
            throw invalidNamespace(null);
        }
        return new RateLimitSettings(maxBuckets, headers, onStoreFailure, namespace, ipv6Prefix);
    }

    RateLimitSettings withIpv6Prefix(int bits) {
        return new RateLimitSettings(maxBuckets, headers, onStoreFailure, namespace, bits);
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    RateLimitSettings with(String name, String text) {
        return switch (name) {
            case MAX_BUCKETS -> withMaxBuckets(ParameterText.wholeNumber(name, text));
            case HEADERS -> withHeaders(ParameterText.choice(name, text, HeaderStyle.class,
                    "expected standard, legacy, both or none"));
            case ON_STORE_FAILURE -> withOnStoreFailure(storeFailure(text));
            case NAMESPACE -> withNamespace(text);
            case IPV6_PREFIX -> withIpv6Prefix(ParameterText.clampedInt(name, text));
            default -> this;
        };
    }

    /** {@code default} is a value of the annotation member only, not of this parameter. */
    private static StoreFailure storeFailure(String text) {
        StoreFailure policy = ParameterText.choice(ON_STORE_FAILURE, text, StoreFailure.class,
                "expected open, closed or local");
        if (policy == StoreFailure.DEFAULT) {
            throw new InvalidParameterException(ON_STORE_FAILURE, text, "expected open, closed or local");
        }
        return policy;
    }

    private static InvalidParameterException invalidNamespace(String namespace) {
        return new InvalidParameterException(NAMESPACE, namespace,
                "must be 1 to 64 printable ASCII characters without spaces");
    }
}
