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
 *   <tr><td>{@value #BALANCE_HEADER}</td><td>(none)</td><td>opt-in: the name of a response header that
 *       carries the account's available balance after the charge on paid responses of the built-in
 *       account scheme, such as {@code Tollgate-Balance}; empty for none</td></tr>
 * </table>
 *
 * <p>Immutable and thread-safe; {@link #isBillable} allocates nothing.
 */
public final class BillingSettings {

    /** Parameter: the statuses that commit a hold. */
    public static final String BILLABLE_STATUSES = "tollgate.billableStatuses";
    /** Parameter: the Retry-After of 503 responses, in seconds. */
    public static final String LEDGER_RETRY_AFTER = "tollgate.ledgerRetryAfter";

    /** Parameter: the response header with the balance after a charge (opt-in). */
    public static final String BALANCE_HEADER = "tollgate.balanceHeader";

    static final Set<String> NAMES = Set.of(BILLABLE_STATUSES, LEDGER_RETRY_AFTER, BALANCE_HEADER);
    static final BillingSettings DEFAULTS = new BillingSettings(StatusSet.parse("2xx"), Duration.ofSeconds(5), null);

    private final StatusSet billableStatuses;
    private final Duration ledgerRetryAfter;
    private final String balanceHeader;

    private BillingSettings(StatusSet billableStatuses, Duration ledgerRetryAfter, String balanceHeader) {
        if (ledgerRetryAfter.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidParameterException(LEDGER_RETRY_AFTER, ledgerRetryAfter, "must be at least 1 second");
        }
        if (balanceHeader != null && !balanceHeader.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}")) {
            throw new InvalidParameterException(BALANCE_HEADER, balanceHeader, "not a header name");
        }
        this.billableStatuses = billableStatuses;
        this.ledgerRetryAfter = ledgerRetryAfter;
        this.balanceHeader = balanceHeader;
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

    /**
     * {@return the header that carries the balance after a charge on paid responses, or
     * {@code null} when off (the default)}
     */
    public String balanceHeader() {
        return balanceHeader;
    }

    BillingSettings withBillableStatuses(String statuses) {
        return new BillingSettings(statuses(statuses), ledgerRetryAfter, balanceHeader);
    }

    BillingSettings withLedgerRetryAfter(Duration delay) {
        return new BillingSettings(billableStatuses, Objects.requireNonNull(delay, "delay"), balanceHeader);
    }

    BillingSettings withBalanceHeader(String header) {
        return new BillingSettings(billableStatuses, ledgerRetryAfter,
                header == null || header.isBlank() ? null : header.strip());
    }

    /** {@return these settings with one parameter applied; unchanged if the name is not one of them} */
    BillingSettings with(String name, String text) {
        return switch (name) {
            case BILLABLE_STATUSES -> withBillableStatuses(text);
            case LEDGER_RETRY_AFTER -> withLedgerRetryAfter(Duration.ofSeconds(ParameterText.wholeNumber(name, text)));
            case BALANCE_HEADER -> withBalanceHeader(text);
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
        return "BillingSettings[billableStatuses=" + billableStatuses + ", ledgerRetryAfter=" + ledgerRetryAfter
                + ", balanceHeader=" + balanceHeader + "]";
    }
}
