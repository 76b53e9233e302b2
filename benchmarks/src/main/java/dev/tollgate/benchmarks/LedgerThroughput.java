package dev.tollgate.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Money;
import dev.tollgate.ledger.postgresql.PostgresLedger;
import dev.tollgate.spi.Charge;
import dev.tollgate.spi.Idempotency;
import dev.tollgate.spi.Reservation;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Reserve + commit throughput of {@link PostgresLedger} against the physical limit, the raw conditional
 * {@code UPDATE accounts SET balance = balance - 1 WHERE id = ? AND balance >= 1}, on the same
 * PostgreSQL in the same run: one hot account and 10,000 accounts, at 1, 8 and 64 threads, with group
 * commit off (one transaction per reserve and per commit, as before issue 14) and on. For each
 * configuration the three are measured alternately (raw, off, on, raw, off, on, …) so that noise from
 * a shared machine hits all; the table reports medians and ratios to raw. Then, at one thread, the
 * latency of reserve + commit with group commit off and on, alternating operation by operation,
 * {@code --latency-ops} times {@code --rounds}: p50 and p99 of each, and what group commit adds.
 *
 * <p>Arguments (all optional): {@code --url jdbc:postgresql://127.0.0.1:5432/test}, {@code --user
 * postgres}, {@code --password ""}, {@code --seconds 5} per round, {@code --rounds 3},
 * {@code --threads 1,8,64}, {@code --latency-ops 2000} (0 skips the latency part). Works in a schema
 * of its own and drops it at the end.
 */
public final class LedgerThroughput {

    private LedgerThroughput() {
    }

    public static void main(String[] args) throws Exception {
        String url = arg(args, "--url", "jdbc:postgresql://127.0.0.1:5432/test");
        String user = arg(args, "--user", "postgres");
        String password = arg(args, "--password", "");
        int seconds = Integer.parseInt(arg(args, "--seconds", "5"));
        int rounds = Integer.parseInt(arg(args, "--rounds", "3"));
        int[] threads = Arrays.stream(arg(args, "--threads", "1,8,64").split(",")).mapToInt(Integer::parseInt).toArray();
        int latencyOps = Integer.parseInt(arg(args, "--latency-ops", "2000"));
        byte[] b = new byte[6];
        new SecureRandom().nextBytes(b);
        String schema = "tg_bench_" + HexFormat.of().formatHex(b);

        int maxThreads = Arrays.stream(threads).max().orElse(1);
        try (HikariDataSource pool = pool(url, user, password, maxThreads + 2)) {
            PostgresLedger ledger = PostgresLedger.builder(pool).schema(schema).createSchema(true)
                    .sweepInterval(Duration.ZERO).groupCommit(false).build();
            PostgresLedger batched = PostgresLedger.builder(pool).schema(schema)
                    .sweepInterval(Duration.ZERO).groupCommit(true).build();
            Money plenty = Money.credits("1000000000000");
            ledger.openAccount("hot", plenty, Set.of());
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute("INSERT INTO " + schema + ".accounts (id, currency, balance) SELECT 'a-' || i, 'credits',"
                        + " 1000000000000 FROM generate_series(0, 9999) i");
                st.execute("ANALYZE " + schema + ".accounts");
            }
            System.out.printf(Locale.ROOT, "PostgreSQL %s, schema %s, %d s x %d rounds per cell, alternating%n%n",
                    version(pool), schema, seconds, rounds);
            System.out.println("| accounts | threads | raw UPDATE ops/s | group commit off: reserve+commit/s | ratio"
                    + " | group commit on: reserve+commit/s | ratio | on / off | spread of on (min-max) |");
            System.out.println("|---|---|---|---|---|---|---|---|---|");
            for (boolean hot : new boolean[] {true, false}) {
                for (int t : threads) {
                    // Warm-up: JIT, pool, caches.
                    run(() -> raw(pool, schema, hot), t, 2);
                    run(() -> ledger(ledger, hot), t, 2);
                    run(() -> ledger(batched, hot), t, 2);
                    List<Double> raw = new ArrayList<>();
                    List<Double> off = new ArrayList<>();
                    List<Double> on = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        raw.add(run(() -> raw(pool, schema, hot), t, seconds));
                        off.add(run(() -> ledger(ledger, hot), t, seconds));
                        on.add(run(() -> ledger(batched, hot), t, seconds));
                    }
                    double rawMedian = median(raw);
                    double offMedian = median(off);
                    double onMedian = median(on);
                    System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.0f | %.2f | %.0f | %.2f | %.2f | %.0f-%.0f |%n",
                            hot ? "1 (hot)" : "10,000", t, rawMedian, offMedian, offMedian / rawMedian, onMedian,
                            onMedian / rawMedian, onMedian / offMedian, on.stream().mapToDouble(d -> d).min().orElse(0),
                            on.stream().mapToDouble(d -> d).max().orElse(0));
                }
            }
            if (latencyOps > 0) {
                latency(ledger, batched, latencyOps, rounds);
            }
            batched.close();
            ledger.close();
            try (Connection c = pool.getConnection(); Statement st = c.createStatement()) {
                st.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private interface Op {
        void run() throws Exception;
    }

    private static final ThreadLocal<long[]> SEQ = ThreadLocal.withInitial(() -> new long[1]);

    private static void raw(HikariDataSource pool, String schema, boolean hot) throws Exception {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("UPDATE " + schema
                + ".accounts SET balance = balance - 1 WHERE id = ? AND balance >= 1")) {
            ps.setString(1, account(hot));
            if (ps.executeUpdate() != 1) {
                throw new IllegalStateException("raw update failed");
            }
        }
    }

    private static void ledger(PostgresLedger ledger, boolean hot) {
        long n = ++SEQ.get()[0];
        Reservation r = ledger.reserve(new Charge(account(hot), Money.credits("1"), null, "GET bench",
                new Idempotency("b-" + Thread.currentThread().getId() + "-" + n, "", false)));
        if (!(r instanceof Reservation.Authorized a)) {
            throw new IllegalStateException("not authorized: " + r);
        }
        ledger.commit(a.hold(), null);
    }

    /**
     * One thread, hot account: reserve + commit latency with group commit off and on, alternating
     * operation by operation (so that a slow moment of a shared machine hits both alike); prints p50
     * and p99 of each.
     */
    private static void latency(PostgresLedger off, PostgresLedger on, int ops, int rounds) {
        for (int i = 0; i < ops; i++) { // warm-up
            ledger(off, true);
            ledger(on, true);
        }
        int n = ops * rounds;
        long[] offNanos = new long[n];
        long[] onNanos = new long[n];
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            ledger(off, true);
            long t1 = System.nanoTime();
            ledger(on, true);
            onNanos[i] = System.nanoTime() - t1;
            offNanos[i] = t1 - t0;
        }
        Arrays.sort(offNanos);
        Arrays.sort(onNanos);
        System.out.printf(Locale.ROOT, "%nOne thread, hot account, reserve + commit latency (%d ops each,"
                + " alternating op by op):%n%n", n);
        System.out.println("| group commit | p50 ms | p99 ms |");
        System.out.println("|---|---|---|");
        System.out.printf(Locale.ROOT, "| off | %.3f | %.3f |%n", pct(offNanos, 50), pct(offNanos, 99));
        System.out.printf(Locale.ROOT, "| on | %.3f | %.3f |%n", pct(onNanos, 50), pct(onNanos, 99));
        System.out.printf(Locale.ROOT, "| on - off | %+.3f | %+.3f |%n", pct(onNanos, 50) - pct(offNanos, 50),
                pct(onNanos, 99) - pct(offNanos, 99));
    }

    private static double pct(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(sorted.length * p / 100.0) - 1)] / 1e6;
    }

    private static String account(boolean hot) {
        return hot ? "hot" : "a-" + ThreadLocalRandom.current().nextInt(10_000);
    }

    /** Runs an operation on {@code threads} threads for {@code seconds}; returns operations per second. */
    private static double run(Op op, int threads, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        CountDownLatch start = new CountDownLatch(1);
        long[] end = new long[1];
        List<Thread> workers = new ArrayList<>();
        List<Throwable> errors = new ArrayList<>();
        for (int i = 0; i < threads; i++) {
            Thread w = new Thread(() -> {
                try {
                    start.await();
                    while (System.nanoTime() < end[0]) {
                        op.run();
                        done.incrementAndGet();
                    }
                } catch (Throwable e) {
                    synchronized (errors) {
                        errors.add(e);
                    }
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
        if (!errors.isEmpty()) {
            throw new IllegalStateException("benchmark operation failed", errors.get(0));
        }
        return done.get() / ((System.nanoTime() - t0) / 1e9);
    }

    private static double median(List<Double> xs) {
        List<Double> s = new ArrayList<>(xs);
        s.sort(Double::compare);
        int n = s.size();
        return n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
    }

    private static String version(HikariDataSource pool) throws Exception {
        try (Connection c = pool.getConnection(); Statement st = c.createStatement();
             var rs = st.executeQuery("SHOW server_version")) {
            rs.next();
            return rs.getString(1);
        }
    }

    private static HikariDataSource pool(String url, String user, String password, int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(user);
        c.setPassword(password);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        c.setConnectionTimeout(10_000);
        return new HikariDataSource(c);
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
