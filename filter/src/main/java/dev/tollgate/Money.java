package dev.tollgate;

import java.math.BigDecimal;
import java.util.Objects;

/**
 * An exact, non-negative amount in one unit (a currency code or a credit unit such as
 * {@code credits}).
 *
 * <p>Amounts are {@link BigDecimal}s normalised to their shortest form, so {@code 5},
 * {@code 5.0} and {@code 5.00} are equal; binary floating point is never involved. At most
 * {@value #MAX_SCALE} digits after the point and {@value #MAX_INTEGER_DIGITS} before it are allowed,
 * which fits a SQL {@code NUMERIC(38, 18)} column.
 *
 * <p>The constructor throws {@link NullPointerException} for a null argument and
 * {@link IllegalArgumentException} for a negative or over-precise amount or a malformed unit.
 * Instances are immutable and thread-safe.
 *
 * @param amount the amount, zero or more
 * @param currency the unit: 1 to 32 letters, digits, {@code .}, {@code _} or {@code -}
 */
public record Money(BigDecimal amount, String currency) implements Comparable<Money> {

    /** The unit used when none is given: {@value}. */
    public static final String DEFAULT_CURRENCY = "credits";

    /** The largest number of digits after the decimal point: {@value}. */
    public static final int MAX_SCALE = 18;

    /** The largest number of significant digits: {@value}. */
    public static final int MAX_PRECISION = 38;

    /** The largest number of digits before the decimal point: {@value}. */
    public static final int MAX_INTEGER_DIGITS = 20;

    // Rejects negative or over-precise amounts and malformed units; strips trailing zeros.
    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("amount must not be negative: " + amount.toPlainString());
        }
        amount = normalise(amount);
        if (amount.scale() > MAX_SCALE) {
            throw new IllegalArgumentException(
                    "amount has more than " + MAX_SCALE + " digits after the point: " + amount.toPlainString());
        }
        if (amount.precision() > MAX_PRECISION) {
            throw new IllegalArgumentException(
                    "amount has more than " + MAX_PRECISION + " significant digits: " + amount.toPlainString());
        }
        if (amount.precision() - amount.scale() > MAX_INTEGER_DIGITS) {
            throw new IllegalArgumentException(
                    "amount has more than " + MAX_INTEGER_DIGITS + " digits before the point: " + amount.toPlainString());
        }
        if (!isUnit(currency)) {
            throw new IllegalArgumentException(
                    "currency must be 1 to 32 letters, digits, '.', '_' or '-': \"" + currency + "\"");
        }
    }

    /**
     * Parses an exact decimal such as {@code "5"} or {@code "0.25"}.
     *
     * @param amount the decimal text; no exponent, grouping or sign other than none
     * @param currency the unit
     * @return the amount
     * @throws IllegalArgumentException if the text is not a plain non-negative decimal, or per
     *     the canonical constructor
     */
    public static Money parse(String amount, String currency) {
        Objects.requireNonNull(amount, "amount");
        if (!amount.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException(
                    "not a plain non-negative decimal number such as \"5\" or \"0.25\": \"" + amount + "\"");
        }
        return new Money(new BigDecimal(amount), currency);
    }

    /**
     * Returns an amount in {@link #DEFAULT_CURRENCY}.
     *
     * @param amount the amount
     * @return the amount in credits
     */
    public static Money credits(String amount) {
        return parse(amount, DEFAULT_CURRENCY);
    }

    /**
     * Returns zero in the given unit.
     *
     * @param currency the unit
     * @return zero
     */
    public static Money zero(String currency) {
        return new Money(BigDecimal.ZERO, currency);
    }

    /** {@return whether the amount is zero} */
    public boolean isZero() {
        return amount.signum() == 0;
    }

    /**
     * Adds an amount in the same unit.
     *
     * @param other the amount to add
     * @return the sum
     * @throws IllegalArgumentException if the units differ
     */
    public Money plus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.add(other.amount), currency);
    }

    /**
     * Subtracts an amount in the same unit.
     *
     * @param other the amount to subtract
     * @return the difference
     * @throws IllegalArgumentException if the units differ or the result would be negative
     */
    public Money minus(Money other) {
        requireSameCurrency(other);
        return new Money(amount.subtract(other.amount), currency);
    }

    /**
     * Compares amounts in the same unit.
     *
     * @throws IllegalArgumentException if the units differ
     */
    @Override
    public int compareTo(Money other) {
        requireSameCurrency(other);
        return amount.compareTo(other.amount);
    }

    /**
     * {@return whether this amount is at least {@code other}, in the same unit}
     *
     * @param other the amount to compare with
     */
    public boolean covers(Money other) {
        return compareTo(other) >= 0;
    }

    private void requireSameCurrency(Money other) {
        if (!currency.equals(other.currency)) {
            throw new IllegalArgumentException("units differ: " + currency + " and " + other.currency);
        }
    }

    /** {@return the amount and unit, such as {@code "0.25 credits"}} */
    @Override
    public String toString() {
        return amount.toPlainString() + " " + currency;
    }

    private static BigDecimal normalise(BigDecimal amount) {
        if (amount.signum() == 0) {
            return BigDecimal.ZERO;
        }
        if (amount.scale() == 0) {
            return amount; // already canonical; the common case for credits, and free of allocation
        }
        BigDecimal stripped = amount.stripTrailingZeros();
        return stripped.scale() < 0 ? stripped.setScale(0) : stripped;
    }

    /** The same as matching {@code [A-Za-z0-9._-]{1,32}}, without a regex (money is made per request). */
    private static boolean isUnit(String s) {
        int n = s.length();
        if (n == 0 || n > 32) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_'
                    || c == '-')) {
                return false;
            }
        }
        return true;
    }
}
