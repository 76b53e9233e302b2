package dev.tollgate.ratelimit.postgresql;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.TollgateConfig;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The module owns its parameters: accepted when it is present; a typo among them names it. */
class PostgresRateLimitStoreParametersTest {

    @Test
    void theStoresParametersAreAcceptedWhenTheModuleIsPresent() {
        TollgateConfig.builder().apply(Map.of(PostgresRateLimitStore.DATA_SOURCE, "java:comp/env/jdbc/x",
                PostgresRateLimitStore.TABLE_NAME, "tollgate_buckets", PostgresRateLimitStore.CREATE_TABLE, "true",
                PostgresRateLimitStore.TIMEOUT, "500"), getClass().getClassLoader()).build();
    }

    @Test
    void aTypoAmongTheStoresParametersNamesTheModule() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of("tollgate.rateLimit.jdbc.tabel", "x"), getClass().getClassLoader()));
        assertTrue(e.getMessage().contains("tollgate.rateLimit.jdbc.tabel is not read by tollgate-ratelimit-postgresql,"
                + " which reads [tollgate.rateLimit.jdbc.createTable, tollgate.rateLimit.jdbc.dataSource,"
                + " tollgate.rateLimit.jdbc.table, tollgate.rateLimit.storeTimeout]"), e.getMessage());
    }
}
