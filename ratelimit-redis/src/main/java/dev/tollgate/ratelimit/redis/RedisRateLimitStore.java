package dev.tollgate.ratelimit.redis;

import dev.tollgate.spi.RateLimitStore;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.redis.lettuce.Bucket4jLettuce;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * Rate-limit buckets in Redis, shared by every node that uses the same server: Bucket4j's Lettuce
 * {@code ProxyManager} (compare-and-swap on one key per bucket). Keys expire by themselves once a
 * bucket would be full again, so Redis holds only active buckets.
 *
 * <pre>{@code
 * RateLimitStore store = RedisRateLimitStore.builder("redis://127.0.0.1:6379").build();
 * }</pre>
 *
 * <p>Every bucket operation is bounded by {@link Builder#requestTimeout} (default 500 ms), and the
 * connection rejects commands at once while it is disconnected (instead of queueing them), so a
 * Redis outage gives each limit's {@code onStoreFailure} policy quickly; Lettuce reconnects by
 * itself and the limits recover without a restart. Thread-safe. {@link #close()} closes the
 * connection, and the client if this store created it.
 */
public final class RedisRateLimitStore implements RateLimitStore {

    /** Parameter: the Redis URI, such as {@code redis://127.0.0.1:6379/0}. */
    public static final String URI = "tollgate.rateLimit.redis.uri";
    /** Parameter: the request timeout in milliseconds ({@code 500}). */
    public static final String TIMEOUT = "tollgate.rateLimit.storeTimeout";

    private final RedisClient client;
    private final boolean ownsClient;
    private final StatefulRedisConnection<String, byte[]> connection;
    private final ProxyManager<String> proxyManager;
    private final Duration requestTimeout;
    private final String name;

    private RedisRateLimitStore(Builder b) {
        this.ownsClient = b.client == null;
        this.requestTimeout = b.requestTimeout;
        this.client = b.client != null ? b.client : RedisClient.create(RedisURI.create(b.uri));
        Duration timeout = b.requestTimeout;
        if (ownsClient) {
            client.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(timeout))
                    .socketOptions(SocketOptions.builder().connectTimeout(timeout.multipliedBy(2)).build())
                    .build());
        }
        this.connection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
        var builder = Bucket4jLettuce.casBasedBuilder(connection)
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofSeconds(10)))
                .requestTimeout(timeout);
        if (b.clock != null) {
            builder.clientClock(b.clock);
        }
        this.proxyManager = builder.build();
        this.name = "redis:" + (b.uri != null ? RedisURI.create(b.uri).getHost() + ":" + RedisURI.create(b.uri).getPort()
                : "client");
    }

    /**
     * Starts building a store that connects to a URI.
     *
     * @param uri such as {@code redis://127.0.0.1:6379/0} (see Lettuce's {@code RedisURI})
     * @return the builder
     */
    public static Builder builder(String uri) {
        Builder b = new Builder();
        b.uri = Objects.requireNonNull(uri, "uri");
        RedisURI.create(uri); // fail now on a malformed URI
        return b;
    }

    /**
     * Starts building a store on the application's Lettuce client (whose options it keeps; set
     * {@code REJECT_COMMANDS} and timeouts there).
     *
     * @param client the client; not shut down by {@link #close()}
     * @return the builder
     */
    public static Builder builder(RedisClient client) {
        Builder b = new Builder();
        b.client = Objects.requireNonNull(client, "client");
        return b;
    }

    /**
     * Creates a store from Tollgate parameters, for {@code tollgate.rateLimit.store=}this class:
     * {@value #URI} (required) and {@value #TIMEOUT}.
     *
     * @param parameters the {@code tollgate.*} parameters
     */
    public RedisRateLimitStore(Map<String, String> parameters) {
        this(fromParameters(parameters));
    }

    private static Builder fromParameters(Map<String, String> p) {
        String uri = p.get(URI);
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException(URI + " must give the Redis URI, such as redis://127.0.0.1:6379");
        }
        Builder b = builder(uri.strip());
        if (p.containsKey(TIMEOUT)) {
            try {
                b.requestTimeout(Duration.ofMillis(Long.parseLong(p.get(TIMEOUT).strip())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(TIMEOUT + " = \"" + p.get(TIMEOUT) + "\": expected milliseconds");
            }
        }
        return b;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public ProxyManager<String> proxyManager() {
        return proxyManager;
    }

    @Override
    public Duration requestTimeout() {
        return requestTimeout;
    }

    @Override
    public void close() {
        connection.close();
        if (ownsClient) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    @Override
    public String toString() {
        return "RedisRateLimitStore[" + name + "]";
    }

    /** Builds a {@link RedisRateLimitStore}. Not thread-safe. */
    public static final class Builder {
        private String uri;
        private RedisClient client;
        private Duration requestTimeout = Duration.ofMillis(500);
        private TimeMeter clock;

        private Builder() {
        }

        /**
         * Bounds every bucket operation.
         *
         * @param timeout at least 10 ms; 500 ms by default
         * @return this builder
         */
        public Builder requestTimeout(Duration timeout) {
            if (timeout == null || timeout.compareTo(Duration.ofMillis(10)) < 0) {
                throw new IllegalArgumentException("requestTimeout must be at least 10 ms: " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * Sets the clock of the buckets (tests drive time with it); the system clock by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(TimeMeter clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** {@return the store; connects now} */
        public RedisRateLimitStore build() {
            return new RedisRateLimitStore(this);
        }
    }
}
