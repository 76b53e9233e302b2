package dev.tollgate.spi;

import io.github.bucket4j.distributed.proxy.ProxyManager;

/**
 * Where rate-limit buckets live when several nodes must share one limit: a Bucket4j
 * {@link ProxyManager} over PostgreSQL, Redis or any other Bucket4j backend. Without a store, buckets
 * live in each JVM (bounded in memory). The optional artifacts {@code tollgate-ratelimit-postgresql}
 * and {@code tollgate-ratelimit-redis} provide ready ones.
 *
 * <p>Give one to Tollgate with {@link dev.tollgate.TollgateConfig.Builder#rateLimitStore}, the
 * servlet-context attribute {@value dev.tollgate.Tollgate#RATE_LIMIT_STORE_ATTRIBUTE}, or the class
 * name in {@code tollgate.rateLimit.store} (public constructor taking no arguments or a
 * {@code Map<String, String>} of all {@code tollgate.*} parameters), or as a CDI bean or a
 * {@code ServiceLoader} entry, in the order of every SPI type (README, "Component lookup").
 *
 * <p>A failing or slow store throws from the bucket operations, or does not answer within
 * {@link #requestTimeout()}; each limit's {@code onStoreFailure} policy then decides what the
 * request gets. Keys carry no credential in clear: API keys, tokens and header values are hashed.
 * Implementations are thread-safe.
 */
public interface RateLimitStore extends AutoCloseable {

    /** {@return a short name for logs, such as {@code postgresql} or {@code redis}} */
    String name();

    /**
     * {@return the buckets, keyed by strings such as {@code tg:com.example.SearchServlet#0:1a2b:p:key-123};
     * keys are at most a few hundred characters}
     */
    ProxyManager<String> proxyManager();

    /**
     * {@return how long a request waits for the store before its limit's failure policy applies}
     * Tollgate enforces this deadline itself, on a bounded pool of its own threads, so even a store
     * whose client ignores timeouts cannot pin request threads.
     */
    default java.time.Duration requestTimeout() {
        return java.time.Duration.ofMillis(500);
    }

    /** Releases the store's resources (its cleaner, its connections if it owns them). */
    @Override
    default void close() {
    }
}
