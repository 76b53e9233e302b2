package dev.tollgate.ratelimit.redis;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.SharedStoreContract;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import redis.embedded.RedisServer;

/**
 * The Redis store: shared limits on the shared server, failure policies and hangs on a Redis this
 * test starts and stops.
 */
class RedisRateLimitStoreTest extends SharedStoreContract {

    private int ownPort;
    private RedisServer own;

    @BeforeEach
    void prepare() throws Exception {
        ownPort = Postgres.freePort();
        own = Redis.startOwn(ownPort);
    }

    @AfterEach
    void cleanUp() throws Exception {
        if (own.isActive()) {
            own.stop();
        }
    }

    @Override
    protected RateLimitStore sharedStore() throws Exception {
        return RedisRateLimitStore.builder(Redis.sharedUri()).build();
    }

    @Override
    protected RateLimitStore ownStore() {
        return RedisRateLimitStore.builder("redis://127.0.0.1:" + ownPort).requestTimeout(Duration.ofMillis(300)).build();
    }

    @Override
    protected void stopOwnServer() throws Exception {
        own.stop();
    }

    @Override
    protected void startOwnServer() throws Exception {
        own = Redis.startOwn(ownPort);
    }

    @Override
    protected void hangOwnServer(Duration duration) {
        RedisClient client = RedisClient.create("redis://127.0.0.1:" + ownPort);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            c.sync().clientPause(duration.toMillis()); // every client's commands wait
        } finally {
            client.shutdown();
        }
    }

    @Override
    protected java.util.List<String> sharedKeys() throws Exception {
        RedisClient client = RedisClient.create(Redis.sharedUri());
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return c.sync().keys("tg:*");
        } finally {
            client.shutdown();
        }
    }

    @Test
    void parametersNeedAUri() {
        assertThrows(IllegalArgumentException.class, () -> new RedisRateLimitStore(Map.of()));
        assertThrows(IllegalArgumentException.class, () -> new RedisRateLimitStore(Map.of(
                RedisRateLimitStore.URI, "redis://127.0.0.1:" + ownPort, RedisRateLimitStore.TIMEOUT, "soon")));
    }
}
