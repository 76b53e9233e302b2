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
 * value decoded with one charset. A malformed escape is kept as it stands rather than refused, so
 * no input makes it throw; its work is linear in the input. Stateless and thread-safe.
 */
final class FormDecoder {

    private FormDecoder() {
    }

    /**
     * Adds the fields of {@code bytes} to {@code into}, in order, after any already there.
     *
     * @param bytes the encoded form
     * @param charset how the percent-decoded bytes of names and values are to be read
     * @param into name to values, in insertion order
     */
    static void decode(byte[] bytes, Charset charset, Map<String, List<String>> into) {
        int start = 0;
        int n = bytes.length;
        while (start <= n) {
            int end = start;
            while (end < n && bytes[end] != '&') {
                end++;
            }
            if (end > start) {
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
