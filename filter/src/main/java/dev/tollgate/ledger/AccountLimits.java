package dev.tollgate.ledger;

import dev.tollgate.Money;
import java.math.BigDecimal;

/**
 * The limits both built-in ledgers enforce on what an operator or a client hands them, in one place
 * so that the in-memory ledger and the PostgreSQL ledger accept and refuse exactly the same input.
 * Everything is checked before any state changes: a refused call changes nothing.
 *
 * <ul>
 *   <li><b>Account ids</b>: 1 to {@value #MAX_ID_LENGTH} characters (the longest credential
 *       {@link dev.tollgate.HeaderPayerResolver} accepts), no control characters (U+0000–U+001F,
 *       U+007F–U+009F) and no unpaired surrogates. At most 2,048 bytes in UTF-8, well under
 *       PostgreSQL's index entry limit.</li>
 *   <li><b>Entitlement names</b>: the same rules, except that they must not be blank.</li>
 *   <li><b>References</b> (the operator's note on a credit or debit): at most
 *       {@value #MAX_REFERENCE_LENGTH} characters, no control characters.</li>
 *   <li><b>Balances</b>: an account's available balance plus the money under its open holds
 *       never exceeds {@link #MAX_BALANCE} (10<sup>18</sup> in the account's unit). Opening an
 *       account and crediting it are refused when they would pass it; a hold moves money within
 *       that total and a release or expiry gives back what a hold took, so no later operation can
 *       overflow. The storage holds 20 digits before the point, a hundred times this maximum,
 *       which leaves room for the rare reversal of a commit whose outcome was unknown.</li>
 * </ul>
 *
 * <p>Stateless and thread-safe.
 */
public final class AccountLimits {

    /** The longest account id or entitlement name: {@value} characters. */
    public static final int MAX_ID_LENGTH = 512;

    /** The longest reference on a credit or debit: {@value} characters. */
    public static final int MAX_REFERENCE_LENGTH = 1000;

    /** The most an account may hold, available plus held: 10<sup>18</sup> in its unit. */
    public static final BigDecimal MAX_BALANCE = BigDecimal.TEN.pow(18);

    private AccountLimits() {
    }

    /**
     * Tells whether a string may be an account id.
     *
     * @param id the candidate; may be {@code null}
     * @return whether it is 1 to {@value #MAX_ID_LENGTH} characters without control characters
     *     or unpaired surrogates
     */
    public static boolean isValidId(String id) {
        return id != null && !id.isEmpty() && id.length() <= MAX_ID_LENGTH && isCleanText(id);
    }

    /**
     * Checks an account id.
     *
     * @param id the candidate
     * @return the id
     * @throws IllegalArgumentException if it breaks the rules; the message does not repeat the id
     *     (it may be a secret key or hold unprintable characters)
     */
    public static String requireValidId(String id) {
        if (!isValidId(id)) {
            throw new IllegalArgumentException("account id must be 1 to " + MAX_ID_LENGTH
                    + " characters without control characters");
        }
        return id;
    }

    /**
     * Checks an entitlement name.
     *
     * @param name the candidate
     * @return the name
     * @throws IllegalArgumentException if it is blank, longer than {@value #MAX_ID_LENGTH}
     *     characters or holds control characters
     */
    public static String requireValidEntitlement(String name) {
        if (name == null || name.isBlank() || name.length() > MAX_ID_LENGTH || !isCleanText(name)) {
            throw new IllegalArgumentException("entitlement must be 1 to " + MAX_ID_LENGTH
                    + " characters, not blank, without control characters");
        }
        return name;
    }

    /**
     * Checks a reference (the operator's note on a credit or debit).
     *
     * @param reference the candidate; {@code null} is allowed
     * @return the reference
     * @throws IllegalArgumentException if it is longer than {@value #MAX_REFERENCE_LENGTH}
     *     characters or holds control characters
     */
    public static String requireValidReference(String reference) {
        if (reference != null && (reference.length() > MAX_REFERENCE_LENGTH || !isCleanText(reference))) {
            throw new IllegalArgumentException("reference must be at most " + MAX_REFERENCE_LENGTH
                    + " characters without control characters");
        }
        return reference;
    }

    /**
     * Checks that an account's total (available plus held) stays within {@link #MAX_BALANCE}.
     *
     * @param total the total the change would produce
     * @param amount the amount being added, for the message
     * @throws IllegalArgumentException if the total exceeds the maximum
     */
    public static void requireWithinMaximum(BigDecimal total, Money amount) {
        if (total.compareTo(MAX_BALANCE) > 0) {
            throw overMaximum(amount);
        }
    }

    /**
     * The error for an amount that would take an account past {@link #MAX_BALANCE}, for a ledger
     * that learns of it from its store rather than from {@link #requireWithinMaximum}.
     *
     * @param amount the amount being added, for the message
     * @return the exception, to throw
     */
    public static IllegalArgumentException overMaximum(Money amount) {
        return new IllegalArgumentException("adding " + amount + " would take the account past the maximum balance"
                + " of " + MAX_BALANCE.toPlainString() + " " + amount.currency() + " (available plus held)");
    }

    static boolean isCleanText(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isISOControl(c)) {
                return false;
            }
            if (Character.isHighSurrogate(c)) {
                if (i + 1 == s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
