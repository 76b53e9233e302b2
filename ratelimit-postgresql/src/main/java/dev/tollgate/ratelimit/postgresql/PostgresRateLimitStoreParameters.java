package dev.tollgate.ratelimit.postgresql;

import dev.tollgate.spi.ParameterNames;
import java.util.Set;

/**
 * Declares the parameters that {@link PostgresRateLimitStore} reads when
 * {@code tollgate.rateLimit.store} names it, so that Tollgate accepts them when this module is in
 * the application. Found through {@code META-INF/services/dev.tollgate.spi.ParameterNames}; not for
 * direct use.
 *
 * <p>Stateless and thread-safe.
 */
public final class PostgresRateLimitStoreParameters implements ParameterNames {

    /** Creates the declaration (called by {@link java.util.ServiceLoader}). */
    public PostgresRateLimitStoreParameters() {
    }

    @Override
    public String module() {
        return "tollgate-ratelimit-postgresql";
    }

    @Override
    public Set<String> names() {
        return Set.of(PostgresRateLimitStore.DATA_SOURCE, PostgresRateLimitStore.TABLE_NAME,
                PostgresRateLimitStore.CREATE_TABLE, PostgresRateLimitStore.TIMEOUT);
    }
}
