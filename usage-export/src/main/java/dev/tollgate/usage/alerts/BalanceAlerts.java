package dev.tollgate.usage.alerts;

import dev.tollgate.Money;
import dev.tollgate.ledger.AllowanceAdministration;
import dev.tollgate.spi.Account;
import dev.tollgate.spi.Allowance;
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
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Low-balance and allowance-used-up alerts. Low balance: a signed webhook when an account's available balance
 * falls to or below its threshold, once per crossing; the account is re-armed when its balance is seen above the
 * threshold again (a top-up), and the next fall sends a new alert.
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
 * <p><b>Allowance used up</b> ({@link Builder#allowanceUsedUp()}, off by default): a signed webhook of type
 * {@value #ALLOWANCE_USED_UP} when an account's remaining monthly {@link Allowance} is seen at or below a
 * threshold (zero by default: used up; or such as "10 calls left"), once per period: the crossing is kept under
 * the account and the period's start, so the next period's use-up fires again, and an allowance seen above the
 * threshold again within a period (a release, a bigger plan) re-arms it. The remaining allowance is read through
 * {@link #observeAllowance} or, after every charge and release, by {@link #listener} from a ledger that
 * implements {@link AllowanceAdministration}. Body:
 * <pre>{@code
 * {"id":"…","type":"dev.tollgate.alert.allowance-used-up","time":"2026-12-01T17:00:00Z","account":"acme",
 *  "plan":"starter","unit":"calls","limit":"5","used":"5","remaining":"0","threshold":"0",
 *  "periodStart":"2026-12-01T00:00:00Z","resetsAt":"2027-01-01T00:00:00Z"}
 * }</pre>
 * (an allowance of credits adds {@code "currency"} after {@code "unit"}). Same headers, delivery, store and
 * guarantees as the low-balance alert.
 *
 * <p>Another "ran low" alert is a {@link ThresholdWatch} of its own type over the same store, and a call to the
 * private {@code alert} method with its members.
 *
 * <p>Thread-safe.
 */
public final class BalanceAlerts {

    /** The {@code type} of a low-balance alert. */
    public static final String LOW_BALANCE = "dev.tollgate.alert.low-balance";
    /** The {@code type} of an allowance-used-up alert. */
    public static final String ALLOWANCE_USED_UP = "dev.tollgate.alert.allowance-used-up";

    private static final System.Logger LOG = System.getLogger(BalanceAlerts.class.getName());
    private static final int MAX_UNARMED = 10_000;

    private final WebhookDelivery delivery;
    private final Clock clock;
    private final Money defaultThreshold;
    private final Map<String, Money> thresholds;
    private final CrossingStore store;
    private final ThresholdWatch lowBalance;
    private final BigDecimal allowanceThreshold;
    private final ThresholdWatch allowanceUsedUp;
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
        this.allowanceThreshold = b.allowanceThreshold;
        this.allowanceUsedUp = new ThresholdWatch(ALLOWANCE_USED_UP, store);
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
     * {@return the remaining allowance at or below which an account's allowance counts as used up, or empty
     * when allowance-used-up alerts are off}
     */
    public Optional<BigDecimal> allowanceThreshold() {
        return Optional.ofNullable(allowanceThreshold);
    }

    /**
     * Observes an account's allowance in its current period, read at a given time; sends the
     * {@value #ALLOWANCE_USED_UP} alert when its remaining allowance is at or below the threshold for the first
     * time in that period (or since it was last seen above it). Does nothing when these alerts are off.
     *
     * @param account the account
     * @param state its allowance's state, as from {@link AllowanceAdministration#allowance}
     * @param observedAt when the state was read (take the time before reading it)
     * @return whether an alert was sent (handed to the delivery)
     * @throws CrossingStoreUnavailableException if the crossing store cannot be reached (nothing is sent; the
     *     next observation decides again)
     */
    public boolean observeAllowance(String account, Allowance.State state, Instant observedAt) {
        Objects.requireNonNull(account, "account");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(observedAt, "observedAt");
        if (allowanceThreshold == null) {
            return false;
        }
        Allowance a = state.allowance();
        String periodStart = DateTimeFormatter.ISO_INSTANT.format(state.periodStart());
        // One crossing per account and period: a new period's key starts armed. The suffix has a fixed form, so
        // the key is unambiguous whatever the account id holds.
        return alert(allowanceUsedUp, account + "@" + periodStart, state.remaining(), allowanceThreshold,
                observedAt, json -> {
                    JsonText.member(json, "account", account).append(',');
                    JsonText.member(json, "plan", a.plan()).append(',');
                    JsonText.member(json, "unit", a.unit().name().toLowerCase(Locale.ROOT)).append(',');
                    if (a.currency() != null) {
                        JsonText.member(json, "currency", a.currency()).append(',');
                    }
                    JsonText.member(json, "limit", plain(a.limit())).append(',');
                    JsonText.member(json, "used", plain(state.used())).append(',');
                    JsonText.member(json, "remaining", plain(state.remaining())).append(',');
                    JsonText.member(json, "threshold", plain(allowanceThreshold)).append(',');
                    JsonText.member(json, "periodStart", periodStart).append(',');
                    JsonText.member(json, "resetsAt", DateTimeFormatter.ISO_INSTANT.format(state.resetsAt()));
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
     * A listener that observes the balance of the account of every charge and release, and, with
     * {@link Builder#allowanceUsedUp}, its allowance, looking them up on the ledger on a thread of its own (a
     * bounded queue: when it is full, observations are dropped and counted by the returned listener, never the
     * request). Allowances are read when the ledger implements {@link AllowanceAdministration} (both built-in
     * ledgers do); with another ledger they are not watched, which one INFO line says now. Register it as any
     * {@link TollgateListener}; close it with the application.
     *
     * @param ledger where balances and allowances are looked up (the ledger Tollgate uses)
     * @param queue the most events waiting, 1 to 1,000,000
     * @return the listener
     */
    public AsyncTollgateListener listener(Ledger ledger, int queue) {
        Objects.requireNonNull(ledger, "ledger");
        AllowanceAdministration allowances = allowanceThreshold != null
                && ledger instanceof AllowanceAdministration aa ? aa : null;
        if (allowanceThreshold != null && allowances == null) {
            LOG.log(System.Logger.Level.INFO, "Allowance-used-up alerts off: {0} does not implement"
                    + " AllowanceAdministration", ledger.getClass().getName());
        }
        TollgateListener lookup = event -> {
            String account = event instanceof TollgateEvent.Charged c ? c.account()
                    : event instanceof TollgateEvent.Released r ? r.account() : null;
            if (account == null) {
                return;
            }
            if (threshold(account).isPresent()) {
                decide(LOW_BALANCE, account, readAt -> ledger.account(account).map(Account::balance)
                        .ifPresent(b -> observe(account, b, readAt)));
            }
            if (allowances != null) {
                decide(ALLOWANCE_USED_UP, account, readAt -> allowanceOf(allowances, account)
                        .ifPresent(s -> observeAllowance(account, s, readAt)));
            }
        };
        return new AsyncTollgateListener(lookup, queue);
    }

    /** {@return a number as the alert writes it: plain, without trailing zeros (a ledger may pad its scale)} */
    private static String plain(BigDecimal n) {
        return n.signum() == 0 ? "0" : n.stripTrailingZeros().toPlainString();
    }

    /** {@return an account's allowance state, or empty when it has none or is not an account of that ledger} */
    private static Optional<Allowance.State> allowanceOf(AllowanceAdministration allowances, String account) {
        try {
            return allowances.allowance(account);
        } catch (IllegalArgumentException e) {
            return Optional.empty(); // no such account (a payer of another scheme): nothing to watch
        }
    }

    /**
     * Runs one observation of the listener: reads a value (given the time taken before the read: a later
     * fall seen on another node wins over it) and observes it; an unreachable ledger or store sends nothing,
     * and the account's next charge decides again.
     */
    private void decide(String kind, String account, Consumer<Instant> readAndObserve) {
        try {
            readAndObserve.accept(clock.instant());
        } catch (LedgerUnavailableException e) {
            // The next charge of this account observes it again.
        } catch (CrossingStoreUnavailableException e) {
            LOG.log(System.Logger.Level.WARNING, "Alert {0} of {1} not decided: {2}", kind, masked(account),
                    e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "BalanceAlerts[" + delivery + ", " + store + ", default threshold " + defaultThreshold + ", "
                + thresholds.size() + " account thresholds, allowance threshold " + allowanceThreshold + "]";
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
        private BigDecimal allowanceThreshold;

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

        /**
         * Turns on {@value BalanceAlerts#ALLOWANCE_USED_UP} alerts, sent when an account's remaining allowance
         * reaches zero, once per period.
         *
         * @return this builder
         */
        public Builder allowanceUsedUp() {
            return allowanceUsedUp(BigDecimal.ZERO);
        }

        /**
         * Turns on {@value BalanceAlerts#ALLOWANCE_USED_UP} alerts with a threshold: sent when an account's
         * remaining allowance is at or below it, once per period (such as {@code 10}: "10 calls left", or 10
         * credits for an allowance of credits).
         *
         * @param remaining the threshold in the allowance's own unit (calls or credits), zero or more
         * @return this builder
         * @throws IllegalArgumentException if it is negative
         */
        public Builder allowanceUsedUp(BigDecimal remaining) {
            Objects.requireNonNull(remaining, "remaining");
            if (remaining.signum() < 0) {
                throw new IllegalArgumentException("the allowance threshold must be zero or more: "
                        + remaining.toPlainString());
            }
            this.allowanceThreshold = remaining;
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
