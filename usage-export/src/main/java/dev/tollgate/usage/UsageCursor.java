package dev.tollgate.usage;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A position in a {@link UsageLog}: opaque to consumers, stable (the same position always has the same
 * text), and resumable (store {@link #token()} and {@link #parse} it later, in another process). A cursor
 * names the log it belongs to, so one log refuses another's cursor instead of skipping or repeating
 * records. Immutable.
 */
public final class UsageCursor {

    /** The longest token {@link #parse} accepts. */
    public static final int MAX_TOKEN_LENGTH = 200;

    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1," + MAX_TOKEN_LENGTH + "}");
    private static final Pattern LOG = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,99}");
    private static final String VERSION = "u1";

    private final String log;
    private final long position;

    private UsageCursor(String log, long position) {
        this.log = log;
        this.position = position;
    }

    /**
     * A cursor of a log (for implementations of {@link UsageLog}).
     *
     * @param log the log's name: lower-case letters, digits, {@code _ . -}, at most 100 characters
     * @param position where in the log: the last record read (0: before the first record)
     * @return the cursor
     * @throws IllegalArgumentException if the name or the position is invalid
     */
    public static UsageCursor of(String log, long position) {
        Objects.requireNonNull(log, "log");
        if (!LOG.matcher(log).matches()) {
            throw new IllegalArgumentException("a usage log name is lower-case letters, digits and _ . -: " + log);
        }
        if (position < 0) {
            throw new IllegalArgumentException("a usage cursor's position is never negative: " + position);
        }
        return new UsageCursor(log, position);
    }

    /**
     * Reads a token made by {@link #token()}.
     *
     * @param token the token
     * @return the cursor
     * @throws IllegalArgumentException if it is not such a token (the message never repeats more than 40
     *     characters of it)
     */
    public static UsageCursor parse(String token) {
        if (token == null || !TOKEN.matcher(token).matches()) {
            throw invalid(token);
        }
        String text;
        try {
            text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid(token);
        }
        String[] parts = text.split(":", -1);
        if (parts.length != 3 || !parts[0].equals(VERSION) || !LOG.matcher(parts[1]).matches()
                || !parts[2].matches("[0-9]{1,18}")) {
            throw invalid(token);
        }
        return new UsageCursor(parts[1], Long.parseLong(parts[2]));
    }

    private static IllegalArgumentException invalid(String token) {
        String shown = token == null ? "null" : token.length() > 40 ? token.substring(0, 40) + "…" : token;
        return new IllegalArgumentException("not a usage cursor: " + shown);
    }

    /** {@return the opaque text of this cursor: URL-safe, at most {@value #MAX_TOKEN_LENGTH} characters} */
    public String token() {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((VERSION + ":" + log + ":" + position).getBytes(StandardCharsets.UTF_8));
    }

    /** {@return the name of the log this cursor belongs to} */
    public String log() {
        return log;
    }

    /** {@return the position in the log: the last record read, 0 before the first} */
    public long position() {
        return position;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof UsageCursor c && c.log.equals(log) && c.position == position;
    }

    @Override
    public int hashCode() {
        return log.hashCode() * 31 + Long.hashCode(position);
    }

    @Override
    public String toString() {
        return token();
    }
}
