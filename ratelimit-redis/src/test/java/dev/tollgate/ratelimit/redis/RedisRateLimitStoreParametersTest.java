package dev.tollgate.ratelimit.redis;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.TollgateConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The module owns its parameters: accepted when it is present; a typo among them names it. */
class RedisRateLimitStoreParametersTest {

    @Test
    void theStoresParametersAreAcceptedWhenTheModuleIsPresent() {
        TollgateConfig.builder().apply(Map.of(RedisRateLimitStore.URI, "redis://127.0.0.1:6379",
                RedisRateLimitStore.TIMEOUT, "500"), getClass().getClassLoader()).build();
    }

    @Test
    void aTypoAmongTheStoresParametersNamesTheModule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of("tollgate.rateLimit.redis.url", "x"), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("tollgate.rateLimit.redis.url is not read by tollgate-ratelimit-redis,"
                + " which reads [tollgate.rateLimit.redis.uri, tollgate.rateLimit.storeTimeout]"), e.getMessage());
    }
}
