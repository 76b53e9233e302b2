package dev.tollgate.sample;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.AccountAdministration;
import dev.tollgate.ledger.AccountsFile;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.spi.Allowance;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.postgresql.PostgresLedger;
import dev.tollgate.micrometer.TollgateMetrics;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.ApiKey;
import dev.tollgate.spi.KeyLookup;
import dev.tollgate.ratelimit.postgresql.PostgresRateLimitStore;
import dev.tollgate.ratelimit.redis.RedisRateLimitStore;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.RateLimitStore;
import dev.tollgate.x402.X402Asset;
import dev.tollgate.x402.X402Scheme;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * Chooses the sample's ledger, rate-limit store and event listeners before the Tollgate filter starts
 * and hands them over through the servlet-context attributes {@link Tollgate#LEDGER_ATTRIBUTE},
 * {@link Tollgate#RATE_LIMIT_STORE_ATTRIBUTE} and {@link Tollgate#EVENT_LISTENERS_ATTRIBUTE} (a list
 * that starts with the {@link TollgateMetrics} behind {@code /admin/metrics}), the way any application
 * plugs in its own.
 *
 * <ul>
 *   <li>By default: an in-memory ledger seeded from {@code /WEB-INF/demo-accounts.properties}
 *       ({@code acct_demo_gold}, {@code acct_demo_silver}, {@code acct_demo_empty}, {@code acct_demo_plan}
 *       with a monthly allowance of 5 calls), fixed ids never derived from a key. Each demo key of
 *       {@code /WEB-INF/demo-keys.properties} ({@code demo-gold}, {@code demo-silver}, {@code demo-empty},
 *       {@code demo-plan}) is imported ({@link KeyAdministration#importKey}) as
 *       the key of its account, so the ledger keeps only the key's hash.</li>
 *   <li>With {@code TOLLGATE_JDBC_URL} set (system property or environment variable; optional
 *       {@code TOLLGATE_JDBC_USER}, {@code TOLLGATE_JDBC_PASSWORD}, {@code TOLLGATE_JDBC_SCHEMA}):
 *       the PostgreSQL ledger on that database. The schema is created (or upgraded) if needed and the
 *       demo accounts and keys are added only if they do not exist yet, so several instances on one
 *       database share one balance per account. No table holds a demo key in clear.</li>
 *   <li>Rate limits count in each instance by default. With {@code TOLLGATE_RATELIMIT_STORE=postgres}
 *       (needs {@code TOLLGATE_JDBC_URL}; a table {@code tollgate_buckets} in the same schema) or
 *       {@code =redis} ({@code TOLLGATE_REDIS_URL}, default {@code redis://127.0.0.1:6379}), they are
 *       shared by every instance.</li>
 *   <li>x402 ({@code /api/x402/forecast}, {@code /rest/x402/forecast}, and {@code /api/quotes} besides API
 *       keys): with {@code TOLLGATE_X402_FACILITATOR} (the facilitator's base URL) and
 *       {@code TOLLGATE_X402_PAY_TO} (the merchant's address; required with it), optional
 *       {@code TOLLGATE_X402_NETWORK} (default {@code eip155:84532}) and {@code TOLLGATE_X402_ASSET}
 *       (default {@code 0x036CbD53842c5426634e7929541eC2318f3dCF7e}, EIP-712 name {@code USDC}, version
 *       {@code 2}, 6 decimals). Without {@code TOLLGATE_X402_FACILITATOR} x402 is out of service, never
 *       free: the x402-only endpoints answer {@code 503}, and {@code /api/quotes} offers API keys only.</li>
 * </ul>
 */
@WebListener
public class DemoSetup implements ServletContextListener {

    private static final System.Logger LOG = System.getLogger(DemoSetup.class.getName());

    /**
     * Servlet-context attribute holding the sample's {@link PrometheusMeterRegistry}, which
     * {@code /admin/metrics} renders: {@value}.
     */
    static final String PROMETHEUS_ATTRIBUTE = "dev.tollgate.sample.prometheus";

    /**
     * Servlet-context attribute holding the sample's {@link TollgateMetrics}: {@value}.
     */
    static final String METRICS_ATTRIBUTE = "dev.tollgate.sample.metrics";

    private PrometheusMeterRegistry prometheus;
    private HikariDataSource pool;
    private PostgresLedger postgresLedger;
    private RateLimitStore store;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        ServletContext context = event.getServletContext();
        List<Account> demo = demoAccounts(context);
        Map<String, String> demoKeys = demoKeys(context);
        Map<String, Allowance> plans = demoAllowances(context);
        String url = Settings.get("TOLLGATE_JDBC_URL");
        Ledger ledger;
        if (url == null) {
            InMemoryLedger memory = InMemoryLedger.builder().build();
            demo.forEach(a -> seed(memory, memory, memory, memory, a, plans.get(a.id()), demoKeys));
            ledger = memory;
            LOG.log(System.Logger.Level.INFO, "Sample ledger: in memory ({0} demo accounts)", demo.size());
        } else {
            pool = pool(url);
            postgresLedger = PostgresLedger.builder(pool)
                    .schema(Settings.get("TOLLGATE_JDBC_SCHEMA", "tollgate"))
                    .createSchema(true)
                    .build();
            int opened = 0;
            for (Account a : demo) {
                opened += seed(postgresLedger, postgresLedger, postgresLedger, postgresLedger, a, plans.get(a.id()),
                        demoKeys) ? 1 : 0;
            }
            ledger = postgresLedger;
            LOG.log(System.Logger.Level.INFO, "Sample ledger: PostgreSQL at {0}, schema {1} ({2} demo accounts opened,"
                    + " {3} existed)", url.replaceFirst("\\?.*", ""), postgresLedger.schema(), opened, demo.size() - opened);
        }
        context.setAttribute(Tollgate.LEDGER_ATTRIBUTE, ledger);

        context.setAttribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, x402());

        // Tollgate's events feed Micrometer meters, which /admin/metrics shows to an operator. The
        // attribute holds a list, so that other listeners of the sample can join it.
        prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        TollgateMetrics metrics = new TollgateMetrics(prometheus);
        List<TollgateListener> listeners = new java.util.ArrayList<>();
        listeners.add(e -> {
            // The operator pages are not API traffic, and a scrape must not change what it reads.
            if (!(e instanceof TollgateEvent.Passed p && AdminApplication.isOperatorPage(p.endpoint()))) {
                metrics.onEvent(e);
            }
        });
        context.setAttribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE, listeners);
        context.setAttribute(PROMETHEUS_ATTRIBUTE, prometheus);
        context.setAttribute(METRICS_ATTRIBUTE, metrics);
        // The dashboard, the usage API and the optional push and alerts join the listeners.
        OperatorView.install(context, ledger, pool, Settings.get("TOLLGATE_JDBC_SCHEMA", "tollgate"));

        String storeKind = Settings.get("TOLLGATE_RATELIMIT_STORE");
        if (storeKind != null) {
            store = switch (storeKind.toLowerCase(java.util.Locale.ROOT)) {
                case "postgres", "postgresql" -> {
                    if (url == null) {
                        throw new IllegalStateException("TOLLGATE_RATELIMIT_STORE=postgres needs TOLLGATE_JDBC_URL");
                    }
                    yield PostgresRateLimitStore.builder(pool)
                            .table(Settings.get("TOLLGATE_JDBC_SCHEMA", "tollgate") + ".tollgate_buckets")
                            .createTable(true).build();
                }
                case "redis" -> RedisRateLimitStore.builder(Settings.get("TOLLGATE_REDIS_URL", "redis://127.0.0.1:6379"))
                        .build();
                case "local", "" -> null;
                default -> throw new IllegalStateException("TOLLGATE_RATELIMIT_STORE=" + storeKind
                        + ": expected postgres, redis or local");
            };
            if (store != null) {
                context.setAttribute(Tollgate.RATE_LIMIT_STORE_ATTRIBUTE, store);
                LOG.log(System.Logger.Level.INFO, "Sample rate limits: shared in {0}", store.name());
            }
        }
    }

    /** The x402 scheme from the TOLLGATE_X402_* settings, or one out of service without a facilitator. */
    private static X402Scheme x402() {
        String facilitator = Settings.get("TOLLGATE_X402_FACILITATOR");
        if (facilitator == null) {
            LOG.log(System.Logger.Level.INFO, "Sample x402: out of service (TOLLGATE_X402_FACILITATOR is not set);"
                    + " x402-only endpoints answer 503");
            return X402Scheme.disabled("TOLLGATE_X402_FACILITATOR is not set");
        }
        String payTo = Settings.get("TOLLGATE_X402_PAY_TO");
        if (payTo == null) {
            throw new IllegalStateException("TOLLGATE_X402_FACILITATOR is set, so TOLLGATE_X402_PAY_TO (the address"
                    + " that receives payments) is required");
        }
        String network = Settings.get("TOLLGATE_X402_NETWORK", "eip155:84532");
        String asset = Settings.get("TOLLGATE_X402_ASSET", X402Asset.USDC_BASE_SEPOLIA.address());
        X402Scheme scheme = X402Scheme.builder()
                .facilitator(facilitator)
                .payTo(payTo)
                .network(network)
                .asset(new X402Asset(asset, "USDC", "2", 6))
                .build();
        LOG.log(System.Logger.Level.INFO, "Sample x402: facilitator {0}, network {1}, asset {2}, payTo {3}",
                facilitator, network, asset, payTo);
        return scheme;
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        OperatorView view = OperatorView.of(event.getServletContext());
        if (view != null) {
            view.close();
        }
        if (prometheus != null) {
            prometheus.close();
        }
        if (store != null) {
            store.close();
        }
        if (postgresLedger != null) {
            postgresLedger.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    /**
     * Opens a demo account and imports its demo keys, unless they exist.
     *
     * @param demo the demo account
     * @param plan its monthly allowance, or {@code null}; set when the account is opened
     * @param demoKeys demo key to account id
     * @return whether the account was opened
     */
    private static boolean seed(AccountAdministration accounts, KeyAdministration keys, KeyLookup lookup,
                                AllowanceAdministration allowances, Account demo, Allowance plan,
                                Map<String, String> demoKeys) {
        boolean opened = accounts.openAccount(demo.id(), demo.balance(), demo.entitlements());
        if (opened && plan != null) {
            allowances.setAllowance(demo.id(), plan, "demo plan");
        }
        demoKeys.forEach((key, id) -> {
            if (id.equals(demo.id()) && lookup.findKey(ApiKey.hash(key)).isEmpty()) {
                keys.importKey(id, key, "demo key", null);
            }
        });
        return opened;
    }

    /** {@return the demo keys of {@code /WEB-INF/demo-keys.properties}, each with its account id} */
    private static Map<String, String> demoKeys(ServletContext context) {
        try (InputStream in = context.getResourceAsStream("/WEB-INF/demo-keys.properties")) {
            if (in == null) {
                throw new IllegalStateException("/WEB-INF/demo-keys.properties is missing from the WAR");
            }
            java.util.Properties p = new java.util.Properties();
            p.load(new java.io.InputStreamReader(in, java.nio.charset.StandardCharsets.UTF_8));
            Map<String, String> keys = new java.util.TreeMap<>();
            p.stringPropertyNames().forEach(k -> keys.put(k, p.getProperty(k).strip()));
            return keys;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@return the monthly allowances of {@code /WEB-INF/demo-accounts.properties}, by account id} */
    private static Map<String, Allowance> demoAllowances(ServletContext context) {
        try (InputStream in = context.getResourceAsStream("/WEB-INF/demo-accounts.properties")) {
            return AccountsFile.allowances(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<Account> demoAccounts(ServletContext context) {
        try (InputStream in = context.getResourceAsStream("/WEB-INF/demo-accounts.properties")) {
            if (in == null) {
                throw new IllegalStateException("/WEB-INF/demo-accounts.properties is missing from the WAR");
            }
            return AccountsFile.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A pool with bounded waits, so a database outage gives quick 503s instead of hung threads. */
    private static HikariDataSource pool(String url) {
        HikariConfig c = new HikariConfig();
        c.setPoolName("tollgate-sample");
        c.setJdbcUrl(url);
        // Load the driver from this WAR directly; java.sql.DriverManager may only know a copy
        // loaded by another class loader (the container's, or a test's).
        c.setDriverClassName("org.postgresql.Driver");
        c.setUsername(Settings.get("TOLLGATE_JDBC_USER", "postgres"));
        c.setPassword(Settings.get("TOLLGATE_JDBC_PASSWORD", ""));
        c.setMaximumPoolSize(16);
        c.setConnectionTimeout(2_000);
        c.setValidationTimeout(1_000);
        if (!url.contains("connectTimeout=")) {
            c.addDataSourceProperty("connectTimeout", "3");
        }
        if (!url.contains("socketTimeout=")) {
            c.addDataSourceProperty("socketTimeout", "15");
        }
        return new HikariDataSource(c);
    }
}
