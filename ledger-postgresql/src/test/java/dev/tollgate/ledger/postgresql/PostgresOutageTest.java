package dev.tollgate.ledger.postgresql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.TollgateFilter;
import dev.tollgate.testapp.ReportServlet;
import dev.tollgate.testing.ManualScheduler;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.Postgres;
import dev.tollgate.testing.TestServer;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.servlet.DispatcherType;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.junit.jupiter.api.Test;

/**
 * The database stops in the middle of traffic and comes back. Runs on a PostgreSQL this test starts
 * itself (embedded), never on the shared server: 503s while it is down, service again after, and
 * balances exact (every 200 charged once, nothing else charged).
 */
class PostgresOutageTest {

    @Test
    void aDatabaseRestartMeans503sThenExactService() throws Exception {
        Path data = Files.createTempDirectory("tollgate-pg-");
        int port = Postgres.freePort();
        AtomicReference<EmbeddedPostgres> pg = new AtomicReference<>(Postgres.startEmbedded(data, port));
        String url = pg.get().getJdbcUrl("postgres", "postgres");
        HikariDataSource pool = Postgres.pool(url, "postgres", "", 16);
        PostgresLedger ledger = PostgresLedger.builder(pool).schema("tollgate").createSchema(true)
                .holdTimeout(Duration.ofSeconds(3)).sweepInterval(Duration.ofMillis(200))
                .queryTimeout(Duration.ofSeconds(2)).build();
        BigDecimal initial = new BigDecimal("100000");
        ledger.openAccount("payer", new Money(initial, "credits"), Set.of());
        ledger.importKey("payer", "payer-account-key", null, null); // accounts and keys are apart (issue 12)
        // Settlement retries run on a scheduler the test drives: no waiting for their 1-60 s back-off.
        ManualScheduler retries = new ManualScheduler(new MutableClock());
        TollgateConfig config = TollgateConfig.builder().ledger(ledger).ledgerRetryAfter(Duration.ofSeconds(2))
                .clock(retries.clock()).scheduler(retries).build();
        TollgateFilter filter = new TollgateFilter(config);
        TestServer node = TestServer.builder()
                .servlet("reports", ReportServlet.class, "/reports/*")
                .withoutInitializer()
                .customize(ctx -> ctx.addFilter(new FilterHolder(filter), "/*", EnumSet.of(DispatcherType.REQUEST)))
                .start();

        AtomicBoolean running = new AtomicBoolean(true);
        AtomicInteger ok = new AtomicInteger();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicInteger other = new AtomicInteger();
        AtomicReference<String> lastOther = new AtomicReference<>();
        ExecutorService clients = Executors.newFixedThreadPool(8);
        List<Future<?>> load = new ArrayList<>();
        try {
            for (int t = 0; t < 8; t++) {
                load.add(clients.submit(() -> {
                    while (running.get()) {
                        HttpResponse<String> r = node.get("/reports/x", "X-API-Key", "payer-account-key");
                        if (r.statusCode() == 200) {
                            ok.incrementAndGet();
                        } else if (r.statusCode() == 503) {
                            assertTrue(r.headers().firstValue("Retry-After").isPresent());
                            unavailable.incrementAndGet();
                        } else {
                            other.incrementAndGet();
                            lastOther.set(r.statusCode() + " " + r.body());
                        }
                    }
                    return null;
                }));
            }
            PostgresCrashTest.awaitCondition(() -> ok.get() >= 200, "traffic before the outage");

            pg.get().close(); // the database goes away mid-run
            int okAtStop = ok.get();
            PostgresCrashTest.awaitCondition(() -> unavailable.get() >= 50, "503s while the database is down");
            assertTrue(ok.get() - okAtStop < 20, "nothing is served for free while it is down");

            pg.set(Postgres.startEmbedded(data, port));
            int okAtRestart = ok.get();
            PostgresCrashTest.awaitCondition(() -> ok.get() >= okAtRestart + 200, "service to resume by itself");
        } finally {
            running.set(false);
            for (Future<?> f : load) {
                f.get();
            }
            clients.shutdown();
        }
        try {
            assertEquals(0, other.get(), "only 200 and 503: " + lastOther.get());
            Tollgate tollgate = filter.tollgate();
            // Releases the database missed run when the test moves Tollgate's time; holds nobody could
            // release expire on the database's clock (3 s), which only a bounded poll can wait for.
            PostgresCrashTest.awaitCondition(() -> {
                retries.advance(Duration.ofSeconds(60));
                return tollgate.pendingReleases() == 0 && ledger.openHoldCount() == 0;
            }, "releases and expiries after the outage");
            Money balance = ledger.account("payer").orElseThrow().balance();
            assertEquals(new Money(initial.subtract(BigDecimal.valueOf(5L * ok.get())), "credits"), balance,
                    ok.get() + " successes and " + unavailable.get() + " refusals");
            assertEquals(ok.get(), count(pool, "SELECT count(*) FROM tollgate.holds WHERE state = 'committed'"));
        } finally {
            node.close();
            ledger.close();
            pool.close();
            pg.get().close();
            try (Stream<Path> files = Files.walk(data)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static long count(HikariDataSource pool, String sql) throws Exception {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
