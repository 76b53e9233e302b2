package dev.tollgate;

import dev.tollgate.internal.StatusSet;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Which outcomes are charged, and what a client is told when the ledger cannot answer.
 *
 * <table>
 *   <caption>Billing parameters</caption>
 *   <tr><th>name</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>{@value #BILLABLE_STATUSES}</td><td>{@code 2xx}</td><td>the response statuses that commit
 *       a hold, such as {@code 200-299,304}; any other status releases it</td></tr>
 *   <tr><td>{@value #LEDGER_RETRY_AFTER}</td><td>{@code 5}</td><td>seconds sent in {@code Retry-After}
 *       when the ledger is unavailable</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe; {@link #isBillable} allocates nothing.
 */
public final class BillingSettings {

    /** Parameter: the statuses that commit a hold. */
    public static final String BILLABLE_STATUSES = "tollgate.billableStatuses";
    /** Parameter: the Retry-After of 503 responses, in seconds. */
    public static final String LEDGER_RETRY_AFTER = "tollgate.ledgerRetryAfter";

    static final Set<String> NAMES = Set.of(BILLABLE_STATUSES, LEDGER_RETRY_AFTER);
    static final BillingSettings DEFAULTS = new BillingSettings(StatusSet.parse("2xx"), Duration.ofSeconds(5));

    private final StatusSet billableStatuses;
    private final Duration ledgerRetryAfter;

    private BillingSettings(StatusSet billableStatuses, Duration ledgerRetryAfter) {
        if (ledgerRetryAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidParameterException(LEDGER_RETRY_AFTER, ledgerRetryAfter, "must be at least 1 second");
        }
        this.billableStatuses = billableStatuses;
        this.ledgerRetryAfter = ledgerRetryAfter;
    }

    /**
     * {@return whether a response status commits the hold}
     *
     * @param status the status
     */
    public boolean isBillable(int status) {
        return billableStatuses.contains(status);
    }

    /** {@return the billable statuses as configured, such as {@code 2xx}} */
    public String billableStatuses() {
        return billableStatuses.toString();
    }

    /** {@return the Retry-After of 503 responses} */
    public Duration ledgerRetryAfter() {
        return ledgerRetryAfter;
    }

    BillingSettings withBillableStatuses(String statuses) {
        return new BillingSettings(statuses(statuses), ledgerRetryAfter);
    }

    BillingSettings withLedgerRetryAfter(Duration delay) {
        return new BillingSettings(billableStatuses, Objects.requireNonNull(delay, "delay"));
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    BillingSettings with(String name, String text) {
        return switch (name) {
            case BILLABLE_STATUSES -> withBillableStatuses(text);
            case LEDGER_RETRY_AFTER -> withLedgerRetryAfter(Duration.ofSeconds(ParameterText.wholeNumber(name, text)));
            default -> this;
        };
    }

    private static StatusSet statuses(String text) {
        try {
            return StatusSet.parse(Objects.requireNonNull(text, "statuses"));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(BILLABLE_STATUSES, text, e.getMessage());
        }
    }

    @Override
    public String toString() {
        return "BillingSettings[billableStatuses=" + billableStatuses + ", ledgerRetryAfter=" + ledgerRetryAfter + "]";
    }
}
