package dev.tollgate.ratelimit.redis;

import dev.tollgate.testing.Postgres;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import redis.embedded.RedisServer;

/**
 * Real Redis for tests: the local server (127.0.0.1:6379, or {@code TOLLGATE_REDIS_URL}) when it
 * answers, else an embedded one started once for the test JVM. Tests that stop Redis start their own
 * with {@link #startOwn(int)}.
 */
final class Redis {

    private static final System.Logger LOG = System.getLogger(Redis.class.getName());
    private static String shared;

    private Redis() {
    }

    static synchronized String sharedUri() throws IOException {
        if (shared != null) {
            return shared;
        }
        String uri = System.getenv("TOLLGATE_REDIS_URL");
        if (uri == null || uri.isBlank()) {
            uri = "redis://127.0.0.1:6379";
        }
        if (answers(uri)) {
            LOG.log(System.Logger.Level.INFO, "Tests use the Redis at {0}", uri);
            shared = uri;
            return uri;
        }
        if (System.getenv("TOLLGATE_REDIS_URL") != null) {
            throw new IllegalStateException("TOLLGATE_REDIS_URL=" + uri + " does not answer");
        }
        int port = Postgres.freePort();
        RedisServer server = startOwn(port);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                server.stop();
            } catch (IOException ignored) {
                // the JVM is going away
            }
        }));
        shared = "redis://127.0.0.1:" + port;
        LOG.log(System.Logger.Level.INFO, "No local Redis; tests use an embedded one at {0}", shared);
        return shared;
    }

    /** Starts a Redis of the test's own (no persistence) on a port. */
    static RedisServer startOwn(int port) throws IOException {
        RedisServer server = RedisServer.newRedisServer().port(port).bind("127.0.0.1")
                .setting("save \"\"").setting("appendonly no").build();
        server.start();
        return server;
    }

    static boolean answers(String uri) {
        RedisClient client = RedisClient.create(uri);
        try (StatefulRedisConnection<String, String> c = client.connect()) {
            return "PONG".equals(c.sync().ping());
        } catch (RuntimeException e) {
            return false;
        } finally {
            client.shutdown();
        }
    }
}
