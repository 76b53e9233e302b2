package dev.tollgate.sample;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Refuses JSON nested deeper than {@value #MAX_DEPTH} arrays and objects before a parser sees it.
 * JSON-B implementations build nested values by recursion, so a body of 5,000 {@code [} ends in a
 * {@code StackOverflowError}; the parser's own depth limit (Parsson's 1,000) comes too late for
 * that. The scan is one pass over the bytes, outside strings, with constant state.
 *
 * <p>{@link #tooDeep(byte[])} checks a body already in memory; {@link #limit(InputStream)} checks
 * a stream while a parser reads it, and fails the read that would hand over the first byte too
 * deep, so the parser never receives it. Not thread-safe per stream; the static methods are.
 */
public final class JsonNesting {

    /** The deepest nesting of arrays and objects accepted: {@value}. */
    public static final int MAX_DEPTH = 64;

    private int depth;
    private boolean inString;
    private boolean escaped;

    private JsonNesting() {
    }

    /** {@return whether the JSON text in these bytes nests deeper than {@link #MAX_DEPTH}} */
    public static boolean tooDeep(byte[] bytes) {
        JsonNesting scan = new JsonNesting();
        return !scan.accept(bytes, 0, bytes.length);
    }

    /**
     * Wraps a stream so that reading past {@link #MAX_DEPTH} levels throws {@link TooDeepException}.
     *
     * @param in the JSON text
     * @return the guarded stream
     */
    public static InputStream limit(InputStream in) {
        JsonNesting scan = new JsonNesting();
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0 && !scan.accept(new byte[] {(byte) b}, 0, 1)) {
                    throw new TooDeepException();
                }
                return b;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = super.read(b, off, len);
                if (n > 0 && !scan.accept(b, off, n)) {
                    throw new TooDeepException();
                }
                return n;
            }
        };
    }

    /** Advances over the bytes; false once the nesting is too deep. */
    private boolean accept(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            byte c = b[i];
            if (inString) {
                if (escaped) {
                    escaped = false;
                } else if (c == '\\') {
                    escaped = true;
                } else if (c == '"') {
                    inString = false;
                }
            } else if (c == '"') {
                inString = true;
            } else if (c == '[' || c == '{') {
                if (++depth > MAX_DEPTH) {
                    return false;
                }
            } else if ((c == ']' || c == '}') && depth > 0) {
                depth--;
            }
        }
        return true;
    }

    /** A JSON text nested deeper than {@link JsonNesting#MAX_DEPTH}. */
    public static final class TooDeepException extends IOException {
        private static final long serialVersionUID = 1L;

        TooDeepException() {
            super("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
    }
}
