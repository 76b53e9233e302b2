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
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

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
 * webhook is retried as {@link WebhookDelivery} says.
 *
 * <p>Crossing state lives in a {@link CrossingStore} ({@link Builder#crossingStore}): by default in this JVM
 * (each node alerts for the crossings it observes; a restart alerts again for an account still low); with a
 * {@link PostgresCrossingStore} shared by every node, the webhook of a crossing is handed to the delivery of
 * exactly one node, once, also across restarts. The delivery itself is in that node's memory: if the node stops
 * before the receiver acknowledged, that alert is lost (the crossing stays marked as fired until a re-arm).
 * A webhook the delivery refuses (full or closed) re-arms the account, so a later observation sends it; when
 * that re-arm fails too (the store is down), an error is logged and the re-arm is tried again before the next
 * observation of that account (at most 10,000 such accounts are remembered; past that the oldest stays fired
 * until its balance is seen above the threshold). Account ids are logged masked (their first 4 characters):
 * with a ledger without key look-up an account id is the raw API key.
 *
 * <p>Another "ran low" alert (such as allowance used up, once allowances exist) is a {@link ThresholdWatch} of
 * its own type over the same store, and a call to the private {@code alert} method with its members.
 *
 * <p>Thread-safe.
 */
public final class BalanceAlerts {

    /** The {@code type} of a low-balance alert. */
    public static final String LOW_BALANCE = "dev.tollgate.alert.low-balance";

    private static final System.Logger LOG = System.getLogger(BalanceAlerts.class.getName());
    private static final int MAX_UNARMED = 10_000;

    private final WebhookDelivery delivery;
    private final Clock clock;
    private final Money defaultThreshold;
    private final Map<String, Money> thresholds;
    private final CrossingStore store;
    private final ThresholdWatch lowBalance;
    /** Keys whose alert fired but was neither delivered nor re-armed, with the time that fired; bounded. */
    private final Map<Unarmed, Instant> unarmed = new LinkedHashMap<>(16, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<Unarmed, Instant> eldest) {
            if (size() <= MAX_UNARMED) {
                return false;
            }
            LOG.log(System.Logger.Level.ERROR, "Alert {0} of {1} forgotten: more than {2} alerts wait to be"
                    + " re-armed; it stays fired until it is seen above its threshold", eldest.getKey().kind(),
                    masked(eldest.getKey().key()), MAX_UNARMED);
            return true;
        }
    };

    /** A key of an alert kind. */
    private record Unarmed(String kind, String key) {
    }

    private BalanceAlerts(Builder b) {
        this.delivery = b.delivery;
        this.clock = b.clock;
        this.defaultThreshold = b.defaultThreshold;
        this.thresholds = Map.copyOf(b.thresholds);
        this.store = b.store != null ? b.store : CrossingStore.inMemory(b.maxAccounts);
        this.lowBalance = new ThresholdWatch(LOW_BALANCE, store);
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
     * Observes an account's available balance, read now; sends the alert when this is a crossing.
     *
     * @param account the account
     * @param balance its available balance
     * @return whether an alert was sent (handed to the delivery)
     * @throws CrossingStoreUnavailableException if the crossing store cannot be reached (nothing is sent; the
     *     next observation decides again)
     */
    public boolean observe(String account, Money balance) {
        return observe(account, balance, clock.instant());
    }

    /**
     * Observes an account's available balance, read at a given time; sends the alert when this is a crossing.
     * The time orders observations made on several nodes: one read before a crossing fired does not re-arm it.
     *
     * @param account the account
     * @param balance its available balance
     * @param observedAt when the balance was read (take the time before reading it)
     * @return whether an alert was sent (handed to the delivery)
     * @throws CrossingStoreUnavailableException if the crossing store cannot be reached (nothing is sent; the
     *     next observation decides again)
     */
    public boolean observe(String account, Money balance, Instant observedAt) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(balance, "balance");
        Objects.requireNonNull(observedAt, "observedAt");
        Money threshold = threshold(account).orElse(null);
        boolean unitMatches = threshold != null && threshold.currency().equals(balance.currency());
        return alert(lowBalance, account, unitMatches ? balance.amount() : null,
                unitMatches ? threshold.amount() : null, observedAt, json -> {
                    JsonText.member(json, "account", account).append(',');
                    JsonText.member(json, "balance", balance.amount().toPlainString()).append(',');
                    JsonText.member(json, "threshold", threshold.amount().toPlainString()).append(',');
                    JsonText.member(json, "currency", balance.currency());
                });
    }

    /**
     * The generic half of every alert: asks the watch whether this observation is a crossing (only one caller
     * on all nodes sharing the store is told so), then hands the webhook {@code {"id","type","time", members…}}
     * to the delivery; a webhook the delivery refuses re-arms the key.
     */
    private boolean alert(ThresholdWatch watch, String key, BigDecimal value, BigDecimal threshold,
            Instant observedAt, Consumer<StringBuilder> members) {
        retryRearm(watch, key);
        if (!watch.observe(key, value, threshold, observedAt)) {
            return false;
        }
        String id = UUID.randomUUID().toString();
        StringBuilder json = new StringBuilder(200).append('{');
        JsonText.member(json, "id", id).append(',');
        JsonText.member(json, "type", watch.kind()).append(',');
        JsonText.member(json, "time", DateTimeFormatter.ISO_INSTANT.format(clock.instant())).append(',');
        members.accept(json);
        if (delivery.send(id, json.append('}').toString())) {
            return true;
        }
        try {
            watch.rearm(key, observedAt);
        } catch (CrossingStoreUnavailableException e) {
            Unarmed u = new Unarmed(watch.kind(), key);
            synchronized (unarmed) {
                unarmed.put(u, observedAt);
            }
            LOG.log(System.Logger.Level.ERROR, "Alert {0} of {1} fired, not delivered, not re-armed (re-armed at its"
                    + " next observation): {2}", watch.kind(), masked(key), e.getMessage());
        }
        return false;
    }

    /**
     * Re-arms a key whose alert fired but was neither delivered nor re-armed, before its observation is decided.
     *
     * @throws CrossingStoreUnavailableException if the store still cannot be reached (the key stays to re-arm)
     */
    private void retryRearm(ThresholdWatch watch, String key) {
        Unarmed u = new Unarmed(watch.kind(), key);
        Instant firedAt;
        synchronized (unarmed) {
            if (unarmed.isEmpty() || (firedAt = unarmed.get(u)) == null) {
                return;
            }
        }
        watch.rearm(key, firedAt);
        synchronized (unarmed) {
            unarmed.remove(u, firedAt);
        }
    }

    /** {@return an account id fit for a log line: it may be a raw API key, so only its first 4 characters} */
    static String masked(String account) {
        return account.length() <= 4 ? "****" : account.substring(0, 4) + "****";
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
            Instant readAt = clock.instant(); // before the read: a later fall on another node wins over it
            try {
                ledger.account(account).map(Account::balance).ifPresent(b -> observe(account, b, readAt));
            } catch (LedgerUnavailableException e) {
                // The next charge of this account observes it again.
            } catch (CrossingStoreUnavailableException e) {
                // Nothing was sent: the next charge of this account decides again.
                LOG.log(System.Logger.Level.WARNING, "Low-balance alert of {0} not decided: {1}", masked(account),
                        e.getMessage());
            }
        };
        return new AsyncTollgateListener(lookup, queue);
    }

    @Override
    public String toString() {
        return "BalanceAlerts[" + delivery + ", " + store + ", default threshold " + defaultThreshold + ", "
                + thresholds.size() + " account thresholds]";
    }

    /** Builds {@link BalanceAlerts}; not thread-safe. */
    public static final class Builder {

        private final WebhookDelivery delivery;
        private Clock clock = Clock.systemUTC();
        private Money defaultThreshold;
        private final Map<String, Money> thresholds = new HashMap<>();
        private int maxAccounts = 1_000_000;
        private boolean maxAccountsSet;
        private CrossingStore store;

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
         * @param max the most accounts remembered (armed or fired) by the default in-memory store
         *     (1,000,000 by default; see {@link CrossingStore#inMemory}); not with {@link #crossingStore}
         * @return this builder
         */
        public Builder maxAccounts(int max) {
            this.maxAccounts = max;
            this.maxAccountsSet = true;
            return this;
        }

        /**
         * @param store where crossings are kept ({@link CrossingStore#inMemory} of {@link #maxAccounts} by
         *     default); give every node the same {@link PostgresCrossingStore} to alert once per crossing across
         *     nodes and restarts
         * @return this builder
         */
        public Builder crossingStore(CrossingStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** {@return the alerts} */
        public BalanceAlerts build() {
            if (maxAccounts < 1 || maxAccounts > 10_000_000) {
                throw new IllegalArgumentException("maxAccounts must be 1 to 10000000: " + maxAccounts);
            }
            if (maxAccountsSet && store != null) {
                throw new IllegalArgumentException("maxAccounts bounds the in-memory crossing store; " + store
                        + " was given instead");
            }
            return new BalanceAlerts(this);
        }
    }
}
