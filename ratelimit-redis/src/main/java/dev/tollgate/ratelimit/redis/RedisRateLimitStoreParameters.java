package dev.tollgate.ratelimit.redis;

import dev.tollgate.spi.ParameterNames;
import java.util.Set;

/**
 * Declares the parameters that {@link RedisRateLimitStore} reads when {@code tollgate.rateLimit.store}
 * names it, so that Tollgate accepts them when this module is in the application. Found through
 * {@code META-INF/services/dev.tollgate.spi.ParameterNames}; not for direct use.
 *
 * <p>Stateless and thread-safe.
 */
public final class RedisRateLimitStoreParameters implements ParameterNames {

    /** Creates the declaration (called by {@link java.util.ServiceLoader}). */
    public RedisRateLimitStoreParameters() {
    }

    @Override
    public String module() {
        return "tollgate-ratelimit-redis";
    }

    @Override
    public Set<String> names() {
        return Set.of(RedisRateLimitStore.URI, RedisRateLimitStore.TIMEOUT);
    }
}
