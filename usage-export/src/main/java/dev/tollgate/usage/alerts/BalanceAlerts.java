package dev.tollgate.usage.alerts;

import dev.tollgate.Money;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Ledger;
import dev.tollgate.spi.LedgerUnavailableException;
import dev.tollgate.spi.events.AsyncTollgateListener;
import dev.tollgate.spi.events.TollgateEvent;
import dev.tollgate.spi.events.TollgateListener;
import dev.tollgate.usage.internal.JsonText;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Low-balance alerts: a signed webhook when an account's available balance falls to or below its threshold,
 * once per crossing; the account is re-armed when its balance is seen above the threshold again (a top-up),
 * and the next fall sends a new alert.
 *
 * <p>Thresholds: a default for every account (optional) and per-account ones, each in a unit; an account
 * whose balance is in another unit than its threshold is not watched. Balances are observed through
 * {@link #observe} (call it after an operator's top-up or debit, too) or, for every charge and release,
 * through {@link #listener}, which looks the balance up on the ledger off the request thread.
 *
 * <p>The body sent ({@code Content-Type: application/json}):
 * <pre>{@code
 * {"id":"9b1c…","type":"dev.tollgate.alert.low-balance","time":"2026-12-01T17:00:00Z","account":"acme",
 *  "balance":"4.5","threshold":"10","currency":"credits"}
 * }</pre>
 * with the headers {@value WebhookDelivery#ID_HEADER} (the {@code id}) and {@value WebhookSigner#HEADER}. The
 * webhook is retried as {@link WebhookDelivery} says. The crossing state lives in this JVM: on several nodes,
 * each node alerts for the crossings it observes.
 *
 * <p>Thread-safe.
 */
public final class BalanceAlerts {

    /** The {@code type} of a low-balance alert. */
    public static final String LOW_BALANCE = "dev.tollgate.alert.low-balance";

    private final WebhookDelivery delivery;
    private final Clock clock;
    private final Money defaultThreshold;
    private final Map<String, Money> thresholds;
    private final ThresholdWatch<String> watch;

    private BalanceAlerts(Builder b) {
        this.delivery = b.delivery;
        this.clock = b.clock;
        this.defaultThreshold = b.defaultThreshold;
        this.thresholds = Map.copyOf(b.thresholds);
        this.watch = new ThresholdWatch<>(b.maxAccounts);
    }

    /**
     * {@return a builder}
     *
     * @param delivery sends the alerts
     */
    public static Builder builder(WebhookDelivery delivery) {
        return new Builder(Objects.requireNonNull(delivery, "delivery"));
    }

    /**
     * {@return the threshold of an account, if it is watched}
     *
     * @param account the account
     */
    public Optional<Money> threshold(String account) {
        return Optional.ofNullable(thresholds.getOrDefault(account, defaultThreshold));
    }

    /**
     * Observes an account's available balance; sends the alert when this is a crossing.
     *
     * @param account the account
     * @param balance its available balance
     * @return whether an alert was sent (handed to the delivery)
     */
    public boolean observe(String account, Money balance) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(balance, "balance");
        Money threshold = threshold(account).orElse(null);
        boolean unitMatches = threshold != null && threshold.currency().equals(balance.currency());
        if (!watch.observe(account, unitMatches ? balance.amount() : null, unitMatches ? threshold.amount() : null)) {
            return false;
        }
        String id = UUID.randomUUID().toString();
        StringBuilder json = new StringBuilder(200).append('{');
        JsonText.member(json, "id", id).append(',');
        JsonText.member(json, "type", LOW_BALANCE).append(',');
        JsonText.member(json, "time", DateTimeFormatter.ISO_INSTANT.format(clock.instant())).append(',');
        JsonText.member(json, "account", account).append(',');
        JsonText.member(json, "balance", balance.amount().toPlainString()).append(',');
        JsonText.member(json, "threshold", threshold.amount().toPlainString()).append(',');
        JsonText.member(json, "currency", balance.currency()).append('}');
        return delivery.send(id, json.toString());
    }

    /**
     * A listener that observes the balance of the account of every charge and release, looking it up on the
     * ledger on a thread of its own (a bounded queue: when it is full, observations are dropped and counted by
     * the returned listener, never the request). Register it as any {@link TollgateListener}; close it with
     * the application.
     *
     * @param ledger where balances are looked up (the ledger Tollgate uses)
     * @param queue the most events waiting, 1 to 1,000,000
     * @return the listener
     */
    public AsyncTollgateListener listener(Ledger ledger, int queue) {
        Objects.requireNonNull(ledger, "ledger");
        TollgateListener lookup = event -> {
            String account = event instanceof TollgateEvent.Charged c ? c.account()
                    : event instanceof TollgateEvent.Released r ? r.account() : null;
            if (account == null || threshold(account).isEmpty()) {
                return;
            }
            try {
                ledger.account(account).map(Account::balance).ifPresent(b -> observe(account, b));
            } catch (LedgerUnavailableException e) {
                // The next charge of this account observes it again.
            }
        };
        return new AsyncTollgateListener(lookup, queue);
    }

    @Override
    public String toString() {
        return "BalanceAlerts[" + delivery + ", default threshold " + defaultThreshold + ", " + thresholds.size()
                + " account thresholds]";
    }

    /** Builds {@link BalanceAlerts}; not thread-safe. */
    public static final class Builder {

        private final WebhookDelivery delivery;
        private Clock clock = Clock.systemUTC();
        private Money defaultThreshold;
        private final Map<String, Money> thresholds = new HashMap<>();
        private int maxAccounts = 1_000_000;

        private Builder(WebhookDelivery delivery) {
            this.delivery = delivery;
        }

        /**
         * @param threshold the threshold of every account without one of its own (none by default: only
         *     accounts given to {@link #threshold(String, Money)} are watched)
         * @return this builder
         */
        public Builder defaultThreshold(Money threshold) {
            this.defaultThreshold = Objects.requireNonNull(threshold, "threshold");
            return this;
        }

        /**
         * @param account an account
         * @param threshold its threshold
         * @return this builder
         */
        public Builder threshold(String account, Money threshold) {
            thresholds.put(Objects.requireNonNull(account, "account"), Objects.requireNonNull(threshold, "threshold"));
            return this;
        }

        /**
         * @param clock the time written into alerts (the system clock by default)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param max the most accounts remembered below their threshold (1,000,000 by default; see
         *     {@link ThresholdWatch})
         * @return this builder
         */
        public Builder maxAccounts(int max) {
            this.maxAccounts = max;
            return this;
        }

        /** {@return the alerts} */
        public BalanceAlerts build() {
            if (maxAccounts < 1 || maxAccounts > 10_000_000) {
                throw new IllegalArgumentException("maxAccounts must be 1 to 10000000: " + maxAccounts);
            }
            return new BalanceAlerts(this);
        }
    }
}
