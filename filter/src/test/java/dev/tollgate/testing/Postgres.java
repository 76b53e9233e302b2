package dev.tollgate.testing;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * Real PostgreSQL for tests: the local server (127.0.0.1:5432, database {@code test}, user
 * {@code postgres}, or {@code TOLLGATE_TEST_JDBC_URL}/{@code _USER}/{@code _PASSWORD}) when it
 * answers, else an embedded PostgreSQL started once for the test JVM. Tests never skip: either way a
 * real server runs them. Each test works in a schema of its own, so nothing depends on what an
 * earlier run left behind. Tests that stop a database start their own with {@link #startEmbedded}.
 */
public final class Postgres {

    private static final System.Logger LOG = System.getLogger(Postgres.class.getName());
    private static final SecureRandom RANDOM = new SecureRandom();
    private static Server shared;

    private Postgres() {
    }

    /** Where to connect. */
    public record Server(String url, String user, String password) {
        public HikariDataSource pool(int size) {
            return Postgres.pool(url, user, password, size);
        }
    }

    /** {@return the shared server for this test JVM} */
    public static synchronized Server server() {
        if (shared != null) {
            return shared;
        }
        String url = env("TOLLGATE_TEST_JDBC_URL", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = env("TOLLGATE_TEST_JDBC_USER", "postgres");
        String password = env("TOLLGATE_TEST_JDBC_PASSWORD", "");
        if (reachable(url, user, password)) {
            LOG.log(System.Logger.Level.INFO, "Tests use the PostgreSQL at {0}", url);
            shared = new Server(url, user, password);
            return shared;
        }
        if (System.getenv("TOLLGATE_TEST_JDBC_URL") != null) {
            throw new IllegalStateException("TOLLGATE_TEST_JDBC_URL=" + url + " does not answer");
        }
        try {
            EmbeddedPostgres pg = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    pg.close();
                } catch (IOException ignored) {
                    // the JVM is going away
                }
            }));
            shared = new Server(pg.getJdbcUrl("postgres", "postgres"), "postgres", "");
            LOG.log(System.Logger.Level.INFO, "No local PostgreSQL at {0}; tests use an embedded one at {1}", url,
                    shared.url());
            return shared;
        } catch (IOException e) {
            throw new IllegalStateException("neither a local nor an embedded PostgreSQL is available", e);
        }
    }

    /**
     * Starts a PostgreSQL of the test's own, which it may stop and restart.
     *
     * @param dataDirectory where its files live (kept across restarts)
     * @param port the port (the same on restart)
     */
    public static EmbeddedPostgres startEmbedded(Path dataDirectory, int port) throws IOException {
        return EmbeddedPostgres.builder().setDataDirectory(dataDirectory).setCleanDataDirectory(false)
                .setPort(port).start();
    }

    /** {@return a free TCP port on the loopback interface} */
    public static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** {@return a fresh schema name, such as {@code tg_1f2e3d4c5b6a7980}} */
    public static String uniqueSchema() {
        byte[] b = new byte[8];
        RANDOM.nextBytes(b);
        return "tg_" + HexFormat.of().formatHex(b);
    }

    /** Drops a test schema and everything in it. */
    public static void dropSchema(DataSource ds, String schema) throws SQLException {
        try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
            st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
        }
    }

    /** A small pool with bounded waits, as a production deployment should have. */
    public static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(0);
        c.setConnectionTimeout(1_000);
        c.setValidationTimeout(1_000);
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("connectTimeout", "2");
        c.addDataSourceProperty("socketTimeout", "10");
        return new HikariDataSource(c);
    }

    private static boolean reachable(String url, String user, String password) {
        Properties p = new Properties();
        p.setProperty("user", user);
        p.setProperty("password", password);
        p.setProperty("connectTimeout", "2");
        try (Connection c = DriverManager.getConnection(url, p)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }
}
