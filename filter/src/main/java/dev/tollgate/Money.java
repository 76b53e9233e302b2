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
 * <p><b>Limits on untrusted input.</b> Amounts often come from clients (an admin API, a payment
 * header), so every check that rejects an amount does a bounded amount of work, whatever its size:
 * <ul>
 *   <li>{@link #parse} refuses text longer than {@value #MAX_TEXT_LENGTH} characters before it
 *       looks at it further;</li>
 *   <li>the constructor refuses an unscaled value longer than {@value #MAX_UNSCALED_BITS} bits
 *       (about 1,200 decimal digits, trailing zeros included) and more than
 *       {@value #MAX_INTEGER_DIGITS} digits before the point (so {@code 1E+400000}) before any
 *       arithmetic on it, and then more than {@value #MAX_SCALE} digits after the point (so
 *       {@code 1E-400000}) once trailing zeros are gone;</li>
 *   <li>exception messages quote at most {@value #MAX_QUOTED} characters of the rejected text or
 *       amount, so an error response never grows with the input.</li>
 * </ul>
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

    /**
     * The longest text {@link #parse} reads: {@value} characters, room for every amount that fits
     * plus leading and trailing zeros.
     */
    public static final int MAX_TEXT_LENGTH = 64;

    /**
     * The largest unscaled value the constructor looks at, in bits: {@value} (about 1,200 decimal
     * digits). Larger values are refused before any arithmetic, which would cost time that grows
     * with their size.
     */
    public static final int MAX_UNSCALED_BITS = 4096;

    /** The most characters of a rejected text or amount that an exception message quotes: {@value}. */
    public static final int MAX_QUOTED = 40;

    // Rejects negative or over-precise amounts and malformed units; strips trailing zeros. The cheap
    // bounds come first, so a hostile amount such as 1E+400000 is refused before stripping or
    // setScale(0) would build a 400,000-digit number.
    public Money {
        Objects.requireNonNull(amount, "amount");
        Objects.requireNonNull(currency, "currency");
        if (amount.signum() < 0) {
            throw new IllegalArgumentException("amount must not be negative: " + quote(amount));
        }
        if (amount.unscaledValue().bitLength() > MAX_UNSCALED_BITS) {
            throw new IllegalArgumentException("amount has far too many digits " + quote(amount));
        }
        // Stripping trailing zeros lowers precision and scale alike, so this difference is final now.
        if (amount.signum() != 0 && (long) amount.precision() - amount.scale() > MAX_INTEGER_DIGITS) {
            throw new IllegalArgumentException(
                    "amount has more than " + MAX_INTEGER_DIGITS + " digits before the point: " + quote(amount));
        }
        amount = normalise(amount);
        if (amount.scale() > MAX_SCALE) {
            throw new IllegalArgumentException(
                    "amount has more than " + MAX_SCALE + " digits after the point: " + quote(amount));
        }
        if (amount.precision() > MAX_PRECISION) {
            throw new IllegalArgumentException(
                    "amount has more than " + MAX_PRECISION + " significant digits: " + quote(amount));
        }
        if (!isUnit(currency)) {
            throw new IllegalArgumentException(
                    "currency must be 1 to 32 letters, digits, '.', '_' or '-': " + quote(currency));
        }
    }

    /**
     * Parses an exact decimal such as {@code "5"} or {@code "0.25"}.
     *
     * @param amount the decimal text; no exponent, grouping or sign other than none; at most
     *     {@value #MAX_TEXT_LENGTH} characters
     * @param currency the unit
     * @return the amount
     * @throws IllegalArgumentException if the text is longer than {@value #MAX_TEXT_LENGTH}
     *     characters or not a plain non-negative decimal, or per the canonical constructor
     */
    public static Money parse(String amount, String currency) {
        Objects.requireNonNull(amount, "amount");
        if (amount.length() > MAX_TEXT_LENGTH) {
            throw new IllegalArgumentException("amount is longer than " + MAX_TEXT_LENGTH + " characters: "
                    + quote(amount));
        }
        if (!amount.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException(
                    "not a plain non-negative decimal number such as \"5\" or \"0.25\": " + quote(amount));
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

    /**
     * An amount for a message: scientific notation (bounded by the unscaled digits, unlike
     * {@code toPlainString()} of {@code 1E+400000}), cut to {@link #MAX_QUOTED} characters.
     */
    private static String quote(BigDecimal amount) {
        int bits = amount.unscaledValue().bitLength();
        // Printing a huge unscaled value would itself cost time that grows with it.
        return bits > MAX_UNSCALED_BITS ? "(about " + bits * 30103L / 100000 + " digits)" : quote(amount.toString());
    }

    /** Text for a message, in quotes, cut to {@link #MAX_QUOTED} characters. */
    private static String quote(String text) {
        return text.length() <= MAX_QUOTED ? "\"" + text + "\""
                : "\"" + text.substring(0, MAX_QUOTED) + "…\" (" + text.length() + " characters)";
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
