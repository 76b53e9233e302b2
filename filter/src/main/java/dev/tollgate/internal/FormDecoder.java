package dev.tollgate.internal;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes {@code application/x-www-form-urlencoded} bytes (a form body or a query string) into
 * name-value pairs, the way servlet containers do: fields split at {@code &}, names from values at
 * the first {@code =}, {@code +} is a space, {@code %XY} a byte, and the bytes of each name and
 * value decoded with one charset. A malformed escape is kept as it stands rather than refused; its
 * work is linear in the input and it stops at {@value #MAX_FIELDS} fields. Stateless and thread-safe.
 */
final class FormDecoder {

    /**
     * The most fields a form body may have: Jetty 12's default ({@code maxFormKeys}), and Tomcat's
     * {@code maxParameterCount} since 10.1.42 (10,000 before). The Servlet API exposes neither
     * container's setting, so these defaults apply whatever the container is configured with.
     */
    static final int MAX_FIELDS = 1_000;

    /** The most bytes a form body may have: Jetty 12's default {@code maxFormContentSize}. */
    static final int MAX_BYTES = 200_000;

    private FormDecoder() {
    }

    /**
     * Decodes a form body within the limits a container applies to the forms it parses.
     *
     * @param bytes the encoded body
     * @param charset how the percent-decoded bytes of names and values are to be read
     * @param into name to values, in insertion order
     * @throws IllegalStateException when the body has more than {@value #MAX_BYTES} bytes or more
     *         than {@value #MAX_FIELDS} fields, as Jetty refuses such a form; the message carries
     *         no input
     */
    static void decodeBody(byte[] bytes, Charset charset, Map<String, List<String>> into) {
        if (bytes.length > MAX_BYTES) {
            throw new IllegalStateException("form body larger than " + MAX_BYTES + " bytes");
        }
        if (decode(bytes, charset, into, MAX_FIELDS) < 0) {
            throw new IllegalStateException("form with more than " + MAX_FIELDS + " fields");
        }
    }

    /**
     * Adds all the fields of {@code bytes} to {@code into}, in order, after any already there.
     *
     * @param bytes the encoded form
     * @param charset how the percent-decoded bytes of names and values are to be read
     * @param into name to values, in insertion order
     */
    static void decode(byte[] bytes, Charset charset, Map<String, List<String>> into) {
        decode(bytes, charset, into, Integer.MAX_VALUE);
    }

    /**
     * Adds the fields of {@code bytes} to {@code into}, in order, after any already there.
     *
     * @param bytes the encoded form
     * @param charset how the percent-decoded bytes of names and values are to be read
     * @param into name to values, in insertion order
     * @param maxFields the most fields to add
     * @return the number of fields added, or -1 when there were more than {@code maxFields} (the
     *         first {@code maxFields} are then added)
     */
    static int decode(byte[] bytes, Charset charset, Map<String, List<String>> into, int maxFields) {
        int fields = 0;
        int start = 0;
        int n = bytes.length;
        while (start <= n) {
            int end = start;
            while (end < n && bytes[end] != '&') {
                end++;
            }
            if (end > start) {
                if (fields == maxFields) {
                    return -1;
                }
                fields++;
                int eq = start;
                while (eq < end && bytes[eq] != '=') {
                    eq++;
                }
                String name = unescape(bytes, start, eq, charset);
                String value = eq < end ? unescape(bytes, eq + 1, end, charset) : "";
                into.computeIfAbsent(name, k -> new ArrayList<>(1)).add(value);
            }
            start = end + 1;
        }
        return fields;
    }

    private static String unescape(byte[] b, int from, int to, Charset charset) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            byte c = b[i];
            if (c == '+') {
                out.write(' ');
            } else if (c == '%' && hex(b, i + 1, to) >= 0 && hex(b, i + 2, to) >= 0) {
                out.write(hex(b, i + 1, to) << 4 | hex(b, i + 2, to));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(charset);
    }

    /** The value of the hex digit at {@code i}, or -1 when there is none before {@code to}. */
    private static int hex(byte[] b, int i, int to) {
        return i < to && java.util.HexFormat.isHexDigit(b[i]) ? java.util.HexFormat.fromHexDigit(b[i]) : -1;
    }
}
