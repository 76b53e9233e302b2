package dev.tollgate.usage.internal;

/**
 * Writes JSON strings: the few shapes this module sends are written by hand, so it needs no JSON library.
 * Not API: used by this module's packages only, and may change.
 */
public final class JsonText {

    private JsonText() {
    }

    /**
     * Appends {@code "name":} and the quoted value, or {@code null}.
     *
     * @param out where
     * @param name the member name
     * @param value the value; may be {@code null}
     * @return {@code out}
     */
    public static StringBuilder member(StringBuilder out, String name, String value) {
        quote(out, name).append(':');
        return value == null ? out.append("null") : quote(out, value);
    }

    /**
     * Appends a JSON string literal.
     *
     * @param out where
     * @param s the text
     * @return {@code out}
     */
    public static StringBuilder quote(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20 || ch == '\u2028' || ch == '\u2029' || Character.isSurrogate(ch)
                            && !validSurrogate(s, i)) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"');
    }

    private static boolean validSurrogate(String s, int i) {
        char ch = s.charAt(i);
        if (Character.isHighSurrogate(ch)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
