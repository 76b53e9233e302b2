package dev.tollgate.spi;

import dev.tollgate.Money;
import dev.tollgate.ledger.AccountLimits;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Objects;

/**
 * What an account's plan includes per month, spent before its prepaid balance: a number of credits
 * (money, in the account's unit) or a number of calls. An account has at most one allowance.
 *
 * <p><b>Periods</b> are months in UTC starting at 00:00 UTC on the {@linkplain #anchorDay() anchor day};
 * a day past the month's end is clamped to its last day (anchor 31 starts February's period on the 28th,
 * or the 29th in a leap year). Anchor day 1 is the calendar month. There is no scheduler: a ledger
 * resets the usage lazily, at the first charge of a new period.
 *
 * <p><b>Spending.</b> On every paid charge of the account (a price above zero, in the account's unit):
 * {@link Unit#CREDITS} covers {@code min(price, remaining)} and the balance pays the rest;
 * {@link Unit#CALLS} covers the whole charge with one call while at least one remains, else the balance
 * pays. When the balance cannot pay its part, the charge is refused and nothing is taken from the
 * allowance. A release or expiry gives the allowance part back, unless the period has rolled over since
 * the hold (the part belonged to the old period and is dropped); a commit of a smaller actual amount
 * gives back the balance part first, then the allowance part (a call, once committed, counts as used).
 *
 * <p>Immutable and thread-safe.
 *
 * @param plan the plan's name (validated like an entitlement name)
 * @param unit what the allowance counts
 * @param limit how much per period: an amount of money for {@link Unit#CREDITS}, a whole number of calls for
 *     {@link Unit#CALLS}; positive, at most {@link AccountLimits#MAX_BALANCE} credits or {@link #MAX_CALLS}
 *     calls
 * @param currency the unit of the credits (the account's), or {@code null} for calls
 * @param anchorDay the day of the month a period starts, 1 (the calendar month) to 31
 * @since issue 12
 */
public record Allowance(String plan, Unit unit, BigDecimal limit, String currency, int anchorDay) {

    /** The most calls a period may include: {@value}. */
    public static final long MAX_CALLS = 1_000_000_000_000L;

    /** What an allowance counts. */
    public enum Unit {
        /** An amount of money, in the account's unit. */
        CREDITS,
        /** A number of paid calls, whatever each costs. */
        CALLS
    }

    // Validates: the message names the component.
    public Allowance {
        AccountLimits.requireValidEntitlement(plan);
        Objects.requireNonNull(unit, "unit");
        Objects.requireNonNull(limit, "limit");
        if (limit.signum() <= 0) {
            throw new IllegalArgumentException("allowance limit must be positive: " + limit.toPlainString());
        }
        if (unit == Unit.CALLS) {
            if (currency != null) {
                throw new IllegalArgumentException("an allowance of calls has no currency");
            }
            if (limit.stripTrailingZeros().scale() > 0 || limit.compareTo(BigDecimal.valueOf(MAX_CALLS)) > 0) {
                throw new IllegalArgumentException("allowance calls must be a whole number from 1 to " + MAX_CALLS);
            }
            limit = new BigDecimal(limit.toBigIntegerExact());
        } else {
            Objects.requireNonNull(currency, "currency");
            Money m = new Money(limit, currency); // checks the unit and the scale
            if (m.amount().compareTo(AccountLimits.MAX_BALANCE) > 0) {
                throw new IllegalArgumentException("allowance credits must be at most " + AccountLimits.MAX_BALANCE);
            }
            limit = m.amount();
        }
        if (anchorDay < 1 || anchorDay > 31) {
            throw new IllegalArgumentException("allowance anchor day must be 1 to 31: " + anchorDay);
        }
    }

    /**
     * An allowance of credits.
     *
     * @param plan the plan's name
     * @param perPeriod the credits per period, in the account's unit
     * @param anchorDay the day a period starts, 1 (calendar month) to 31
     * @return the allowance
     * @throws IllegalArgumentException if a value is out of range
     */
    public static Allowance credits(String plan, Money perPeriod, int anchorDay) {
        Objects.requireNonNull(perPeriod, "perPeriod");
        return new Allowance(plan, Unit.CREDITS, perPeriod.amount(), perPeriod.currency(), anchorDay);
    }

    /**
     * An allowance of calls.
     *
     * @param plan the plan's name
     * @param perPeriod the calls per period, 1 to {@link #MAX_CALLS}
     * @param anchorDay the day a period starts, 1 (calendar month) to 31
     * @return the allowance
     * @throws IllegalArgumentException if a value is out of range
     */
    public static Allowance calls(String plan, long perPeriod, int anchorDay) {
        return new Allowance(plan, Unit.CALLS, BigDecimal.valueOf(perPeriod), null, anchorDay);
    }

    /**
     * {@return the start of the period that contains an instant} 00:00 UTC on the anchor day (clamped to
     * the month's last day) of that instant's month, or of the month before when that day is still ahead.
     *
     * @param at the instant
     */
    public Instant periodStart(Instant at) {
        LocalDate day = at.atOffset(ZoneOffset.UTC).toLocalDate();
        YearMonth month = YearMonth.from(day);
        LocalDate start = anchorIn(month);
        if (day.isBefore(start)) {
            start = anchorIn(month.minusMonths(1));
        }
        return start.atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    /**
     * {@return when the period that starts at {@code periodStart} ends: the next period's start}
     *
     * @param periodStart a period's start, as from {@link #periodStart}
     */
    public Instant resetsAt(Instant periodStart) {
        YearMonth month = YearMonth.from(periodStart.atOffset(ZoneOffset.UTC));
        return anchorIn(month.plusMonths(1)).atStartOfDay(ZoneOffset.UTC).toInstant();
    }

    private LocalDate anchorIn(YearMonth month) {
        return month.atDay(Math.min(anchorDay, month.lengthOfMonth()));
    }

    /**
     * How much of a charge of {@code price} the allowance covers when {@code remaining} is left, and
     * what that uses of it.
     *
     * @param price the price (in the account's unit)
     * @param remaining what is left of the period's allowance
     * @return {@code [money covered, allowance used]}: for credits both {@code min(price, remaining)}; for
     *     calls {@code [price, 1]} when a call remains, else zeros; zeros for a zero price
     */
    public BigDecimal[] cover(BigDecimal price, BigDecimal remaining) {
        if (price.signum() <= 0 || remaining.signum() <= 0) {
            return new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO};
        }
        if (unit == Unit.CALLS) {
            return remaining.compareTo(BigDecimal.ONE) >= 0 ? new BigDecimal[] {price, BigDecimal.ONE}
                    : new BigDecimal[] {BigDecimal.ZERO, BigDecimal.ZERO};
        }
        BigDecimal c = price.min(remaining);
        return new BigDecimal[] {c, c};
    }

    /**
     * An allowance's state in its current period.
     *
     * <p>The constructor normalises both numbers, so that their text is the same whichever ledger counted
     * them: no trailing zeros, no exponent ({@code 100}, not {@code 1E+2} or {@code 100.000000000000000000}),
     * zero as {@code 0}, and calls as whole numbers.
     *
     * @param allowance the allowance
     * @param used what was used in the period (credits or calls; open holds included)
     * @param remaining {@code limit - used}, never below zero
     * @param periodStart when the current period began
     * @param resetsAt when it ends and the usage goes back to zero
     */
    public record State(Allowance allowance, BigDecimal used, BigDecimal remaining, Instant periodStart,
                        Instant resetsAt) {

        // Validates.
        public State {
            Objects.requireNonNull(allowance, "allowance");
            Objects.requireNonNull(used, "used");
            Objects.requireNonNull(remaining, "remaining");
            Objects.requireNonNull(periodStart, "periodStart");
            Objects.requireNonNull(resetsAt, "resetsAt");
            used = plain(used);
            remaining = plain(remaining);
        }

        /** A number without trailing zeros or exponent; zero as {@code 0}. */
        private static BigDecimal plain(BigDecimal n) {
            if (n.signum() == 0) {
                return BigDecimal.ZERO;
            }
            BigDecimal stripped = n.stripTrailingZeros();
            return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
        }

        /**
         * The state at {@code now} of an allowance whose usage {@code used} was last counted in the period
         * starting at {@code countedFrom}: zero used when a new period has begun since.
         *
         * @param allowance the allowance
         * @param used the usage counted
         * @param countedFrom the start of the period it was counted in, or {@code null} for none yet
         * @param now the current time
         * @return the state
         */
        public static State of(Allowance allowance, BigDecimal used, Instant countedFrom, Instant now) {
            Instant start = allowance.periodStart(now);
            BigDecimal u = countedFrom == null || countedFrom.isBefore(start) ? BigDecimal.ZERO : used;
            BigDecimal left = allowance.limit().subtract(u).max(BigDecimal.ZERO);
            return new State(allowance, u, left, start, allowance.resetsAt(start));
        }
    }
}
