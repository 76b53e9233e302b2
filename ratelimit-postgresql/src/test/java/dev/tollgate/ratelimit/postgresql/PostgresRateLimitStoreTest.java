package dev.tollgate.ratelimit.postgresql;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.SharedStoreContract;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The PostgreSQL store: shared limits on the shared server (a table of this test's own), failure
 * policies and hangs on an embedded server this test starts and stops.
 */
class PostgresRateLimitStoreTest extends SharedStoreContract {

    private final List<HikariDataSource> pools = new ArrayList<>();
    private String table;
    private Path ownData;
    private int ownPort;
    private EmbeddedPostgres own;

    @BeforeEach
    void prepare() throws Exception {
        table = "tg_buckets_" + Postgres.uniqueSchema().substring(3);
        ownData = Files.createTempDirectory("tollgate-pg-buckets-");
        ownPort = Postgres.freePort();
        own = Postgres.startEmbedded(ownData, ownPort);
    }

    @AfterEach
    void cleanUp() throws Exception {
        try (HikariDataSource admin = Postgres.server().pool(1);
             Connection c = admin.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP TABLE IF EXISTS " + table);
        }
        pools.forEach(HikariDataSource::close);
        own.close();
        try (Stream<Path> files = Files.walk(ownData)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private HikariDataSource pool(String url) {
        HikariDataSource p = Postgres.pool(url, "postgres", "", 8);
        pools.add(p);
        return p;
    }

    @Override
    protected RateLimitStore sharedStore() {
        Postgres.Server s = Postgres.server();
        return PostgresRateLimitStore.builder(pool(s.url())).table(table).createTable(true).build();
    }

    @Override
    protected RateLimitStore ownStore() {
        return PostgresRateLimitStore.builder(pool(own.getJdbcUrl("postgres", "postgres"))).table(table)
                .createTable(true).requestTimeout(Duration.ofMillis(300)).build();
    }

    @Override
    protected void stopOwnServer() throws Exception {
        own.close();
    }

    @Override
    protected void startOwnServer() throws Exception {
        own = Postgres.startEmbedded(ownData, ownPort);
    }

    @Override
    protected void hangOwnServer(Duration duration) throws Exception {
        // Another session takes the table and sits on it: every bucket operation waits.
        Connection locker = java.sql.DriverManager.getConnection(own.getJdbcUrl("postgres", "postgres"));
        locker.setAutoCommit(false);
        try (Statement st = locker.createStatement()) {
            st.execute("LOCK TABLE " + table + " IN ACCESS EXCLUSIVE MODE");
        }
        Thread release = new Thread(() -> {
            try {
                Thread.sleep(duration.toMillis());
                locker.rollback();
                locker.close();
            } catch (Exception ignored) {
                // the test is over
            }
        });
        release.setDaemon(true);
        release.start();
    }

    @Override
    protected List<String> sharedKeys() throws Exception {
        List<String> keys = new ArrayList<>();
        try (HikariDataSource admin = Postgres.server().pool(1); Connection c = admin.getConnection();
             Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT id FROM " + table)) {
            while (rs.next()) {
                keys.add(rs.getString(1));
            }
        }
        return keys;
    }

    @Test
    void expiredBucketsAreRemoved() throws Exception {
        PostgresRateLimitStore store = (PostgresRateLimitStore) sharedStore();
        try (Connection c = pools.get(0).getConnection(); Statement st = c.createStatement()) {
            st.execute("INSERT INTO " + table + " (id, state, expires_at) VALUES ('old', ''::bytea, 1), ('new', ''::bytea, "
                    + (System.currentTimeMillis() + 3_600_000) + ")");
            assertEquals(1, store.removeExpired());
            try (ResultSet rs = st.executeQuery("SELECT id FROM " + table)) {
                rs.next();
                assertEquals("new", rs.getString(1));
            }
        } finally {
            store.close();
        }
    }
}
