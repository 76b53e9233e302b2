package dev.tollgate;

import java.util.Locale;

/**
 * Reads the text of a parameter ({@code web.xml}, {@code tollgate.properties}) as a value; a text
 * that is not one is refused with an {@link InvalidParameterException} naming the parameter. The
 * settings classes check the values themselves. Stateless.
 */
final class ParameterText {

    private ParameterText() {
    }

    /** {@return {@code true} or {@code false}, in any case} */
    static boolean bool(String name, String text) {
        if (text.equalsIgnoreCase("true")) {
            return true;
        }
        if (text.equalsIgnoreCase("false")) {
            return false;
        }
        throw new InvalidParameterException(name, text, "expected true or false");
    }

    /** {@return a whole number} */
    static long wholeNumber(String name, String text) {
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new InvalidParameterException(name, text, "expected a whole number");
        }
    }

    /**
     * {@return a whole number, held to the range of an {@code int}} Clamped, not cast: a cast would
     * wrap {@code 4294967360} to {@code 64} and {@code -4294967296} to {@code 0}, valid values the
     * user never wrote.
     */
    static int clampedInt(String name, String text) {
        return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, wholeNumber(name, text)));
    }

    /** {@return the text, which must not be empty} */
    static String nonEmpty(String name, String text) {
        if (text.isEmpty()) {
            throw new InvalidParameterException(name, text, "must not be empty");
        }
        return text;
    }

    /** {@return the constant of {@code type} named by the text, in any case} */
    static <E extends Enum<E>> E choice(String name, String text, Class<E> type, String expected) {
        try {
            return Enum.valueOf(type, text.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new InvalidParameterException(name, text, expected);
        }
    }
}
