package dev.tollgate.internal;

import java.util.Locale;

/**
 * A set of HTTP status codes parsed from text such as {@code "2xx"}, {@code "200-299,304"} or
 * {@code "200, 201, 204"}. Immutable; lookups allocate nothing.
 */
public final class StatusSet {

    private final boolean[] members = new boolean[600];
    private final String text;

    private StatusSet(String text) {
        this.text = text;
    }

    /**
     * Parses a comma-separated list of codes ({@code 204}), ranges ({@code 200-299}) and classes
     * ({@code 2xx}).
     *
     * @param text the list
     * @return the set
     * @throws IllegalArgumentException if an item is malformed or outside 100–599
     */
    public static StatusSet parse(String text) {
        StatusSet s = new StatusSet(text.strip());
        for (String raw : text.split(",")) {
            String item = raw.strip().toLowerCase(Locale.ROOT);
            if (item.isEmpty()) {
                continue;
            }
            int from;
            int to;
            try {
                if (item.matches("[1-5]xx")) {
                    from = (item.charAt(0) - '0') * 100;
                    to = from + 99;
                } else if (item.matches("[0-9]{3}-[0-9]{3}")) {
                    from = Integer.parseInt(item.substring(0, 3));
                    to = Integer.parseInt(item.substring(4));
                } else if (item.matches("[0-9]{3}")) {
                    from = Integer.parseInt(item);
                    to = from;
                } else {
                    throw new IllegalArgumentException();
                }
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("\"" + raw.strip()
                        + "\" is not a status code, a range such as 200-299 or a class such as 2xx");
            }
            if (from < 100 || to > 599 || from > to) {
                throw new IllegalArgumentException("\"" + raw.strip() + "\" is outside 100-599");
            }
            for (int i = from; i <= to; i++) {
                s.members[i] = true;
            }
        }
        return s;
    }

    /**
     * {@return whether the status is in the set}
     *
     * @param status an HTTP status code
     */
    public boolean contains(int status) {
        return status >= 0 && status < 600 && members[status];
    }

    @Override
    public String toString() {
        return text;
    }
}
