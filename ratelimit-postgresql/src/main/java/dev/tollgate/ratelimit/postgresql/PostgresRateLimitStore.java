package dev.tollgate.ratelimit.postgresql;

import dev.tollgate.spi.RateLimitStore;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.distributed.ExpirationAfterWriteStrategy;
import io.github.bucket4j.distributed.jdbc.PrimaryKeyMapper;
import io.github.bucket4j.distributed.proxy.ProxyManager;
import io.github.bucket4j.postgresql.Bucket4jPostgreSQL;
import io.github.bucket4j.postgresql.PostgreSQLSelectForUpdateBasedProxyManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import javax.sql.DataSource;

/**
 * Rate-limit buckets in a PostgreSQL table, shared by every node that uses the same database:
 * Bucket4j's PostgreSQL {@code ProxyManager} (a row per bucket, updated under {@code SELECT … FOR
 * UPDATE}). The table's DDL ships in this JAR ({@code dev/tollgate/ratelimit/postgresql/buckets.sql});
 * {@link #createTable()} applies it. Rows carry the time a bucket is full again; a cleaner deletes
 * expired rows with Bucket4j's {@code removeExpired} in batches, every minute by default.
 *
 * <pre>{@code
 * RateLimitStore store = PostgresRateLimitStore.builder(dataSource).createTable(true).build();
 * TollgateConfig.builder().rateLimitStore(store)...   // or servletContext.setAttribute(Tollgate.RATE_LIMIT_STORE_ATTRIBUTE, store)
 * }</pre>
 *
 * <p>Every bucket operation is bounded by {@link Builder#requestTimeout} (default 500 ms); bound
 * connection acquisition in the data source too. Thread-safe. {@link #close()} stops the cleaner,
 * not the data source.
 */
public final class PostgresRateLimitStore implements RateLimitStore {

    private static final System.Logger LOG = System.getLogger(PostgresRateLimitStore.class.getName());
    private static final Pattern TABLE = Pattern.compile("([a-z_][a-z0-9_]{0,62}\\.)?[a-z_][a-z0-9_]{0,62}");

    /** Parameter: the JNDI name of the data source. */
    public static final String DATA_SOURCE = "tollgate.rateLimit.jdbc.dataSource";
    /** Parameter: the table ({@code tollgate_buckets}). */
    public static final String TABLE_NAME = "tollgate.rateLimit.jdbc.table";
    /** Parameter: whether to create the table at start-up ({@code false}). */
    public static final String CREATE_TABLE = "tollgate.rateLimit.jdbc.createTable";
    /** Parameter: the request timeout in milliseconds ({@code 500}). */
    public static final String TIMEOUT = "tollgate.rateLimit.storeTimeout";

    private final DataSource dataSource;
    private final String table;
    private final PostgreSQLSelectForUpdateBasedProxyManager<String> proxyManager;
    private final Duration requestTimeout;
    private final ScheduledExecutorService cleaner;

    private PostgresRateLimitStore(Builder b) {
        this.dataSource = b.dataSource;
        this.table = b.table;
        this.requestTimeout = b.requestTimeout;
        if (b.createTable) {
            createTable();
        }
        var builder = Bucket4jPostgreSQL.selectForUpdateBasedBuilder(dataSource)
                .primaryKeyMapper(PrimaryKeyMapper.STRING)
                .table(table)
                .idColumn("id")
                .stateColumn("state")
                .expiresAtColumn("expires_at")
                .expirationAfterWrite(ExpirationAfterWriteStrategy.basedOnTimeForRefillingBucketUpToMax(
                        Duration.ofSeconds(10)))
                .requestTimeout(b.requestTimeout);
        if (b.clock != null) {
            builder.clientClock(b.clock);
        }
        this.proxyManager = builder.build();
        if (b.cleanupInterval.isZero()) {
            this.cleaner = null;
        } else {
            this.cleaner = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "tollgate-bucket-cleaner");
                t.setDaemon(true);
                return t;
            });
            long every = b.cleanupInterval.toMillis();
            cleaner.scheduleWithFixedDelay(this::cleanQuietly, every, every, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Starts building a store.
     *
     * @param dataSource the application's pool (connections may be in auto-commit mode)
     * @return the builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(dataSource);
    }

    /**
     * Creates a store from Tollgate parameters, for {@code tollgate.rateLimit.store=}this class:
     * {@value #DATA_SOURCE} (JNDI name, required), {@value #TABLE_NAME}, {@value #CREATE_TABLE},
     * {@value #TIMEOUT}.
     *
     * @param parameters the {@code tollgate.*} parameters
     */
    public PostgresRateLimitStore(Map<String, String> parameters) {
        this(fromParameters(parameters));
    }

    private static Builder fromParameters(Map<String, String> p) {
        String jndi = p.get(DATA_SOURCE);
        if (jndi == null || jndi.isBlank()) {
            throw new IllegalArgumentException(DATA_SOURCE + " must name the JNDI data source of the rate-limit table");
        }
        Object o;
        try {
            o = new InitialContext().lookup(jndi.strip());
        } catch (NamingException e) {
            throw new IllegalArgumentException(DATA_SOURCE + " = \"" + jndi + "\": JNDI lookup failed: " + e, e);
        }
        if (!(o instanceof DataSource ds)) {
            throw new IllegalArgumentException(DATA_SOURCE + " = \"" + jndi + "\" is not a javax.sql.DataSource");
        }
        Builder b = builder(ds);
        if (p.containsKey(TABLE_NAME)) {
            b.table(p.get(TABLE_NAME).strip());
        }
        b.createTable(Boolean.parseBoolean(p.getOrDefault(CREATE_TABLE, "false").strip()));
        if (p.containsKey(TIMEOUT)) {
            try {
                b.requestTimeout(Duration.ofMillis(Long.parseLong(p.get(TIMEOUT).strip())));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(TIMEOUT + " = \"" + p.get(TIMEOUT) + "\": expected milliseconds");
            }
        }
        return b;
    }

    /**
     * Creates the table and its index if missing (idempotent).
     *
     * @throws IllegalStateException if the database refuses
     */
    public void createTable() {
        String ddl;
        try (InputStream in = PostgresRateLimitStore.class.getResourceAsStream("buckets.sql")) {
            ddl = new String(Objects.requireNonNull(in, "buckets.sql").readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read buckets.sql", e);
        }
        // An index lives in its table's schema, so its name is never qualified.
        String index = table.substring(table.indexOf('.') + 1) + "_expires_at";
        ddl = ddl.replace("${table}", table).replace("${index}", index);
        try (Connection c = dataSource.getConnection(); Statement st = c.createStatement()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(true);
            try {
                st.execute(ddl);
            } finally {
                c.setAutoCommit(auto);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create the rate-limit table " + table + ": " + e.getMessage(), e);
        }
    }

    /**
     * Deletes buckets that are full again (expired rows), in batches.
     *
     * @return how many rows were deleted
     */
    public int removeExpired() {
        int total = 0;
        int n;
        do {
            n = proxyManager.removeExpired(1000);
            total += n;
        } while (n == 1000);
        return total;
    }

    private void cleanQuietly() {
        try {
            removeExpired();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "Removing expired buckets failed; retried next time: " + e);
        }
    }

    @Override
    public String name() {
        return "postgresql:" + table;
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
        if (cleaner != null) {
            cleaner.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "PostgresRateLimitStore[" + table + "]";
    }

    /** Builds a {@link PostgresRateLimitStore}. Not thread-safe. */
    public static final class Builder {
        private final DataSource dataSource;
        private String table = "tollgate_buckets";
        private boolean createTable;
        private Duration requestTimeout = Duration.ofMillis(500);
        private Duration cleanupInterval = Duration.ofMinutes(1);
        private TimeMeter clock;

        private Builder(DataSource dataSource) {
            this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
        }

        /**
         * Sets the table.
         *
         * @param name a lower-case name, optionally schema-qualified; {@code tollgate_buckets} by default
         * @return this builder
         */
        public Builder table(String name) {
            if (name == null || !TABLE.matcher(name).matches()) {
                throw new IllegalArgumentException("table must match " + TABLE + ": " + name);
            }
            this.table = name;
            return this;
        }

        /**
         * Creates the table when the store is built.
         *
         * @param create {@code false} by default
         * @return this builder
         */
        public Builder createTable(boolean create) {
            this.createTable = create;
            return this;
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
         * Sets how often expired buckets are deleted.
         *
         * @param interval zero for never (call {@link PostgresRateLimitStore#removeExpired()} yourself);
         *     one minute by default
         * @return this builder
         */
        public Builder cleanupInterval(Duration interval) {
            this.cleanupInterval = Objects.requireNonNull(interval, "interval");
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

        /** {@return the store} */
        public PostgresRateLimitStore build() {
            return new PostgresRateLimitStore(this);
        }
    }
}
