package dev.tollgate.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.TollgateConfig;
import dev.tollgate.annotations.StoreFailure;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Endpoint;
import dev.tollgate.engine.Engine;
import dev.tollgate.engine.Ticket;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ratelimit.postgresql.PostgresRateLimitStore;
import dev.tollgate.ratelimit.redis.RedisRateLimitStore;
import dev.tollgate.spi.RateLimitStore;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Rate-limit checks per second with buckets in this JVM, in PostgreSQL and in Redis, in one run:
 * one hot key (every request in one bucket) and 10,000 keys, at 1 and 16 threads. Each check is a
 * real consumption (the limit is never reached): {@code Engine.admit} of a rate-limited free
 * resource method, then its settlement, on a Tollgate started with the store (public API only).
 * Arguments: {@code --url}, {@code --user}, {@code --password} (PostgreSQL),
 * {@code --redis redis://127.0.0.1:6379}, {@code --seconds 5}, {@code --rounds 3}. Uses a table and
 * keys of its own and removes the table at the end.
 */
public final class StoreThroughput {

    private StoreThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = arg(args, "--user", "postgres");
        String password = arg(args, "--password", "");
        String redis = arg(args, "--redis", "redis://127.0.0.1:6379");
        int seconds = Integer.parseInt(arg(args, "--seconds", "5"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        String table = "tg_bench_buckets_" + HexFormat.of().formatHex(b);

        HikariConfig hc = new HikariConfig();
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(18);
        try (HikariDataSource pool = new HikariDataSource(hc);
             RateLimitStore pg = PostgresRateLimitStore.builder(pool).table(table).createTable(true)
                     .requestTimeout(Duration.ofSeconds(5)).build();
             RateLimitStore rd = RedisRateLimitStore.builder(redis).requestTimeout(Duration.ofSeconds(5)).build()) {
            System.out.printf(Locale.ROOT, "%d s x %d rounds per cell, stores alternating within each round%n%n",
                    seconds, rounds);
            System.out.println("| keys | threads | local checks/s | PostgreSQL checks/s | Redis checks/s |");
            System.out.println("|---|---|---|---|---|");
            try (BenchTollgate local = start(null); BenchTollgate onPg = start(pg);
                 BenchTollgate onRedis = start(rd)) {
                Check l0 = check(local);
                Check p0 = check(onPg);
                Check r0 = check(onRedis);
                for (boolean hot : new boolean[] {true, false}) {
                    for (int threads : new int[] {1, 16}) {
                        List<Double> l = new ArrayList<>();
                        List<Double> p = new ArrayList<>();
                        List<Double> r = new ArrayList<>();
                        run(l0, hot, threads, 1);
                        run(p0, hot, threads, 1);
                        run(r0, hot, threads, 1);
                        for (int i = 0; i < rounds; i++) {
                            l.add(run(l0, hot, threads, seconds));
                            p.add(run(p0, hot, threads, seconds));
                            r.add(run(r0, hot, threads, seconds));
                        }
                        System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.0f |%n", hot ? "1 (hot)" : "10,000",
                                threads, median(l), median(p), median(r));
                    }
                }
                long failures = onPg.tollgate().rateLimitStats().storeFailures()
                        + onRedis.tollgate().rateLimitStats().storeFailures();
                System.out.println();
                System.out.println("store failures during the run: " + failures);
            }
        } finally {
            try (HikariDataSource pool = new HikariDataSource(hc); Connection c = pool.getConnection();
                 Statement st = c.createStatement()) {
                st.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    /** Tollgate with its buckets in this store ({@code null}: in this JVM), failing closed as before. */
    private static BenchTollgate start(RateLimitStore store) throws Exception {
        TollgateConfig.Builder config = TollgateConfig.builder().ledger(InMemoryLedger.builder().build())
                .onStoreFailure(StoreFailure.CLOSED);
        return BenchTollgate.start((store == null ? config : config.rateLimitStore(store)).build(),
                Map.of("limited", BenchServlets.Limited.class));
    }

    /** The engine of one Tollgate and the limited endpoint it checks. */
    private record Check(Engine engine, Endpoint endpoint) {
    }

    private static Check check(BenchTollgate tollgate) throws Exception {
        return new Check(tollgate.engine(), tollgate.resourceMethod("limited"));
    }

    /** 10,000 client addresses; each thread has its own requests, since a request is not thread-safe. */
    private static List<StubRequest> keys() {
        List<StubRequest> keys = new ArrayList<>(10_000);
        for (int i = 0; i < 10_000; i++) {
            String address = "10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255);
            keys.add(new StubRequest("GET", "limited", address));
        }
        return keys;
    }

    private static double run(Check check, boolean hot, int threads, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long[] end = new long[1];
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            List<StubRequest> keys = keys();
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    while (System.nanoTime() < end[0]) {
                        StubRequest request = keys.get(hot ? 0 : ThreadLocalRandom.current().nextInt(keys.size()));
                        request.reset();
                        Admission a = check.engine().admit(check.endpoint(), request, null);
                        if (a instanceof Ticket t) {
                            t.settle(200, () -> null, true);
                        } else {
                            refused.incrementAndGet();
                        }
                        done.incrementAndGet();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (Exception e) {
                    refused.incrementAndGet();
                    throw new IllegalStateException(e);
                }
            });
            w.start();
            workers.add(w);
        }
        long t0 = System.nanoTime();
        end[0] = t0 + Duration.ofSeconds(seconds).toNanos();
        start.countDown();
        for (Thread w : workers) {
            w.join();
        }
        if (refused.get() > 0) {
            throw new IllegalStateException(refused.get() + " checks refused: a store failed (see the log)");
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String arg(String[] args, String name, String fallback) {
        for (int i = 0; i + 1 < args.length; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }
}
