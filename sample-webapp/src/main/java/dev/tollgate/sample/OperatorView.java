package dev.tollgate.sample;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.events.AsyncTollgateListener;
import dev.tollgate.spi.events.TollgateListener;
import dev.tollgate.usage.MemoryUsageLog;
import dev.tollgate.usage.PostgresCursorStore;
import dev.tollgate.usage.PostgresUsageLog;
import dev.tollgate.usage.UsageLog;
import dev.tollgate.usage.UsagePush;
import dev.tollgate.usage.UsageRecorder;
import dev.tollgate.usage.alerts.BalanceAlerts;
import dev.tollgate.usage.alerts.PostgresCrossingStore;
import dev.tollgate.usage.alerts.WebhookDelivery;
import dev.tollgate.usage.alerts.WebhookSigner;
import jakarta.servlet.ServletContext;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.sql.DataSource;

/**
 * The operator's side of the sample: the usage log the dashboard and {@code /admin/usage} read, the
 * dashboard's statistics, and, when configured, the usage push and the alerts. Installed by
 * {@link DemoSetup} next to the ledger; the listeners reach Tollgate through
 * {@link Tollgate#EVENT_LISTENERS_ATTRIBUTE} (added to whatever listeners are there already).
 *
 * <ul>
 *   <li>Usage: the PostgreSQL ledger's statement with {@code TOLLGATE_JDBC_URL}, else a bounded in-memory log
 *       fed by the charge events (lost on restart).</li>
 *   <li>{@code TOLLGATE_USAGE_PUSH_URL}: push the usage there as CloudEvents batches (cursor in the database with
 *       PostgreSQL, else in memory).</li>
 *   <li>{@code TOLLGATE_ALERT_WEBHOOK_URL} with {@code TOLLGATE_ALERT_WEBHOOK_SECRET} (16 bytes or more) and
 *       {@code TOLLGATE_ALERT_THRESHOLD} (credits, default 10): low-balance webhooks, and allowance-used-up
 *       webhooks when an account's monthly allowance is used up (such as {@code demo-plan}'s 5th call of the
 *       month); crossings kept in the database with PostgreSQL, so several instances send one per crossing; else
 *       in memory.</li>
 * </ul>
 */
final class OperatorView implements AutoCloseable {

    /** The servlet-context attribute that holds the installed view. */
    static final String ATTRIBUTE = OperatorView.class.getName();

    private static final System.Logger LOG = System.getLogger(OperatorView.class.getName());

    final UsageLog usage;
    final DashboardStats stats;
    private final UsagePush push;
    private final WebhookDelivery webhooks;
    private final AsyncTollgateListener alertListener;

    private OperatorView(UsageLog usage, DashboardStats stats, UsagePush push, WebhookDelivery webhooks,
                         AsyncTollgateListener alertListener) {
        this.usage = usage;
        this.stats = stats;
        this.push = push;
        this.webhooks = webhooks;
        this.alertListener = alertListener;
    }

    /**
     * Builds the view for a ledger and registers its listeners.
     *
     * @param context the application
     * @param ledger the ledger Tollgate uses
     * @param database the PostgreSQL ledger's database, or {@code null} for the in-memory ledger
     * @param schema the PostgreSQL ledger's schema
     */
    static void install(ServletContext context, Ledger ledger, DataSource database, String schema) {
        List<TollgateListener> listeners = new ArrayList<>();
        DashboardStats stats = new DashboardStats(Clock.systemUTC());
        listeners.add(stats);
        UsageLog usage;
        if (database == null) {
            MemoryUsageLog memory = MemoryUsageLog.create();
            listeners.add(new UsageRecorder(memory));
            usage = memory;
        } else {
            usage = PostgresUsageLog.builder(database).schema(schema).build();
        }
        UsagePush push = null;
        String pushUrl = Settings.get("TOLLGATE_USAGE_PUSH_URL");
        if (pushUrl != null) {
            UsagePush.Builder b = UsagePush.builder(usage, URI.create(pushUrl));
            if (database != null) {
                b.cursorStore(new PostgresCursorStore(database, schema, "sample-push").createTable());
            }
            push = b.build().start();
            LOG.log(System.Logger.Level.INFO, "Usage pushed as CloudEvents to {0}", pushUrl);
        }
        WebhookDelivery webhooks = null;
        AsyncTollgateListener alertListener = null;
        String alertUrl = Settings.get("TOLLGATE_ALERT_WEBHOOK_URL");
        if (alertUrl != null) {
            String secret = Settings.get("TOLLGATE_ALERT_WEBHOOK_SECRET");
            if (secret == null) {
                throw new IllegalStateException("TOLLGATE_ALERT_WEBHOOK_URL needs TOLLGATE_ALERT_WEBHOOK_SECRET");
            }
            webhooks = WebhookDelivery.builder(URI.create(alertUrl), new WebhookSigner(secret)).build();
            BalanceAlerts.Builder ab = BalanceAlerts.builder(webhooks)
                    .defaultThreshold(Money.credits(Settings.get("TOLLGATE_ALERT_THRESHOLD", "10")))
                    .allowanceUsedUp();
            if (database != null) {
                ab.crossingStore(new PostgresCrossingStore(database, schema).createTable()); // once across nodes
            }
            BalanceAlerts alerts = ab.build();
            alertListener = alerts.listener(ledger, 10_000);
            listeners.add(alertListener);
            LOG.log(System.Logger.Level.INFO, "Low-balance and allowance-used-up alerts sent to {0}", alertUrl);
        }
        Object existing = context.getAttribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE);
        if (existing instanceof TollgateListener l) {
            listeners.add(0, l);
        } else if (existing instanceof Collection<?> c) {
            List<TollgateListener> before = new ArrayList<>();
            c.forEach(o -> before.add((TollgateListener) o));
            listeners.addAll(0, before);
        }
        context.setAttribute(Tollgate.EVENT_LISTENERS_ATTRIBUTE, List.copyOf(listeners));
        context.setAttribute(ATTRIBUTE, new OperatorView(usage, stats, push, webhooks, alertListener));
    }

    /** {@return the view installed in an application, or {@code null}} */
    static OperatorView of(ServletContext context) {
        return (OperatorView) context.getAttribute(ATTRIBUTE);
    }

    @Override
    public void close() {
        if (push != null) {
            push.close();
        }
        if (alertListener != null) {
            alertListener.close();
        }
        if (webhooks != null) {
            webhooks.close();
        }
    }
}
