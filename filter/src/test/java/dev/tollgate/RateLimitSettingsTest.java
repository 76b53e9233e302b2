package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.TollgateConfig.HeaderStyle;
import dev.tollgate.annotations.StoreFailure;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@link RateLimitSettings}: every refused value names its parameter and the value. */
class RateLimitSettingsTest {

    private static void refused(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    @Test
    void eachBadValueNamesItsParameterAndValue() {
        TollgateConfig.Builder b = TollgateConfig.builder();
        refused("Tollgate parameter tollgate.rateLimit.maxBuckets = \"0\": must be at least 1", () -> b.maxBuckets(0));
        refused("Tollgate parameter tollgate.rateLimit.onStoreFailure = \"DEFAULT\": choose open, closed or local",
                () -> b.onStoreFailure(StoreFailure.DEFAULT));
        refused("Tollgate parameter tollgate.rateLimit.namespace = \"a b\": must be 1 to 64 printable ASCII"
                + " characters without spaces", () -> b.rateLimitNamespace("a b"));
        refused("Tollgate parameter tollgate.rateLimit.namespace = \"null\": must be 1 to 64 printable ASCII"
                + " characters without spaces", () -> b.rateLimitNamespace(null));
        refused("Tollgate parameter tollgate.rateLimit.ipv6Prefix = \"16\": must be 32 to 128", () -> b.ipv6Prefix(16));
        refused("Tollgate parameter tollgate.rateLimit.headers = \"some\": expected standard, legacy, both or none",
                () -> b.apply(Map.of(RateLimitSettings.HEADERS, "some")));
        refused("Tollgate parameter tollgate.rateLimit.onStoreFailure = \"default\": expected open, closed or local",
                () -> b.apply(Map.of(RateLimitSettings.ON_STORE_FAILURE, "default")));
    }

    /** An int cast used to wrap 2^32 + 64 to 64: an absurd prefix was taken as the default one. */
    @Test
    void aPrefixBeyondAnIntIsRefusedNotWrapped() {
        refused("Tollgate parameter tollgate.rateLimit.ipv6Prefix = \"4294967360\": must be 32 to 128",
                () -> TollgateConfig.builder().apply(Map.of(RateLimitSettings.IPV6_PREFIX, "4294967360")));
    }

    @Test
    void parametersAndDefaults() {
        assertEquals(new RateLimitSettings(100_000, HeaderStyle.STANDARD, StoreFailure.LOCAL, null, 64),
                TollgateConfig.builder().build().rateLimits());
        RateLimitSettings s = TollgateConfig.builder().apply(Map.of("tollgate.rateLimit.maxBuckets", "9",
                "tollgate.rateLimit.headers", "Both", "tollgate.rateLimit.onStoreFailure", "OPEN",
                "tollgate.rateLimit.namespace", "shop-prod", "tollgate.rateLimit.ipv6Prefix", "56"))
                .build().rateLimits();
        assertEquals(new RateLimitSettings(9, HeaderStyle.BOTH, StoreFailure.OPEN, "shop-prod", 56), s);
    }
}
