package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.testing.Postgres;
import org.eclipse.jetty.server.Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The sample WAR with {@code TOLLGATE_RATELIMIT_STORE=redis}, deployed twice: the instances share
 * one limit per key through a Redis this test starts (so no earlier run's buckets interfere).
 */
class SampleOnRedisIT {

    private static RedisServer redis;
    private static Server a;
    private static Server b;

    @BeforeAll
    static void deployTwice() throws Exception {
        int port = Postgres.freePort();
        redis = RedisServer.newRedisServer().port(port).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "redis");
        System.setProperty("TOLLGATE_REDIS_URL", "redis://127.0.0.1:" + port);
        a = SampleOnPostgresIT.deploy();
        b = SampleOnPostgresIT.deploy();
    }

    @AfterAll
    static void undeploy() throws Exception {
        try {
            a.stop();
            b.stop();
        } finally {
            System.clearProperty("TOLLGATE_JDBC_URL");
            System.clearProperty("TOLLGATE_RATELIMIT_STORE");
            System.clearProperty("TOLLGATE_REDIS_URL");
            redis.stop();
        }
    }

    @Test
    void searchLimitsAreSharedByBothInstances() throws Exception {
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += SampleOnPostgresIT.call(i % 2 == 0 ? a : b, "GET", "/api/search?q=a", null, "X-API-Key",
                    "demo-gold").statusCode() == 200 ? 1 : 0;
        }
        assertEquals(5, admitted, "5 a minute across both instances, not 5 each");
    }
}
