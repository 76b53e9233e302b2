package dev.tollgate.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;

/**
 * The client address of a request. The peer address ({@code getRemoteAddr()}) is the client unless
 * the peer is a configured trusted proxy; only then is the forwarding header the proxies write read
 * ({@code X-Forwarded-For} by default, or {@code Forwarded} of RFC 7239; never both, since a proxy
 * that writes one passes the other through from the client), right to left, skipping further
 * trusted proxies; the first untrusted hop is the client. Forwarding headers from anyone else are
 * ignored: they are trivially forged. A malformed header is ignored too (the peer address is used).
 * Addresses are read in every form containers and proxies write them: IPv6 bare or in brackets
 * (Jetty 12's {@code getRemoteAddr()} gives {@code [2001:db8::4]}, Tomcat's {@code 2001:db8:0:0:0:0:0:4}),
 * with or without a port, so an IPv6 peer can be a trusted proxy and IPv6 clients group by network.
 * No DNS lookups ever. Immutable and thread-safe.
 */
public final class ClientAddress {

    private final List<Cidr> trusted;
    private final boolean forwarded;

    private ClientAddress(List<Cidr> trusted, boolean forwarded) {
        this.trusted = List.copyOf(trusted);
        this.forwarded = forwarded;
    }

    /**
     * Parses a comma-separated list of addresses and CIDR blocks, such as
     * {@code 10.0.0.0/8, 192.168.1.7, ::1, fd00::/8}.
     *
     * @param spec the list; empty for none (the default: no proxy is trusted)
     * @return the resolver
     * @throws IllegalArgumentException if an item is not a literal address or block
     */
    public static ClientAddress trusting(String spec) {
        return trusting(spec, false);
    }

    /**
     * Parses the trusted proxies and chooses the header they write.
     *
     * @param spec the addresses and blocks; empty for none
     * @param forwarded true to read {@code Forwarded}, false for {@code X-Forwarded-For}
     * @return the resolver
     * @throws IllegalArgumentException if an item is not a literal address or block
     */
    public static ClientAddress trusting(String spec, boolean forwarded) {
        List<Cidr> list = new ArrayList<>();
        for (String raw : spec.split(",")) {
            String item = raw.strip();
            if (!item.isEmpty()) {
                list.add(Cidr.parse(item));
            }
        }
        return new ClientAddress(list, forwarded);
    }

    /** {@return whether any proxy is trusted} */
    public boolean trustsProxies() {
        return !trusted.isEmpty();
    }

    /**
     * {@return the client address of a request, as text (normalised: IPv6 without brackets or zone,
     * IPv4-mapped IPv6 as IPv4), or the peer address as the container gave it when it is not an IP
     * literal (for example a Unix socket)}
     *
     * @param request the request
     */
    public String of(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (trusted.isEmpty() && peer != null && peer.indexOf(':') < 0) {
            return peer; // an IPv4 peer, as containers write it: nothing to normalise (the common case, kept cheap)
        }
        // Jetty 12 brackets IPv6 peers ("[2001:db8::4]"), Tomcat does not: both parse here.
        byte[] peerBytes = Cidr.address(peer);
        if (peerBytes == null) {
            return peer;
        }
        String client = Cidr.format(peerBytes);
        if (trusted.isEmpty() || !isTrusted(peerBytes)) {
            return client;
        }
        List<String> hops = forwarded ? forwardedHops(request) : headerList(request, "X-Forwarded-For");
        if (hops == null) {
            return client;
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] hop = Cidr.address(hops.get(i));
            if (hop == null) {
                return client; // malformed or obfuscated: do not guess
            }
            if (!isTrusted(hop)) {
                return Cidr.format(hop);
            }
        }
        return client; // every hop is a trusted proxy
    }

    private boolean isTrusted(byte[] address) {
        for (Cidr c : trusted) {
            if (c.contains(address)) {
                return true;
            }
        }
        return false;
    }

    /** The {@code for=} values of all Forwarded elements in order, or null without the header. */
    private static List<String> forwardedHops(HttpServletRequest request) {
        List<String> values = headerList(request, "Forwarded");
        if (values == null) {
            return null;
        }
        List<String> hops = new ArrayList<>();
        for (String element : values) {
            String found = null;
            for (String pair : element.split(";")) {
                String p = pair.strip();
                if (p.regionMatches(true, 0, "for=", 0, 4)) {
                    found = p.substring(4).strip();
                }
            }
            if (found == null) {
                return List.of("malformed"); // an element without for= cannot be attributed
            }
            hops.add(unquoteForwarded(found));
        }
        return hops;
    }

    /** A {@code for=} value without its quotes; {@link Cidr#address} takes the brackets and port off. */
    private static String unquoteForwarded(String v) {
        if (v.length() >= 2 && v.startsWith("\"") && v.endsWith("\"")) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }

    /** All comma-separated items of all occurrences of a header, or null when absent. */
    private static List<String> headerList(HttpServletRequest request, String name) {
        Enumeration<String> e = request.getHeaders(name);
        if (e == null || !e.hasMoreElements()) {
            return null;
        }
        List<String> items = new ArrayList<>();
        while (e.hasMoreElements()) {
            for (String item : e.nextElement().split(",")) {
                String t = item.strip();
                if (!t.isEmpty()) {
                    items.add(t);
                }
            }
        }
        return items.isEmpty() ? null : items;
    }

    @Override
    public String toString() {
        return "ClientAddress[trusted=" + trusted + "]";
    }

    /** An address block. */
    record Cidr(byte[] network, int prefix, String text) {

        static Cidr parse(String text) {
            String address = text;
            int prefix = -1;
            int slash = text.indexOf('/');
            if (slash >= 0) {
                address = text.substring(0, slash);
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("not a CIDR block: " + text);
                }
            }
            if (address.length() > 2 && address.startsWith("[") && address.endsWith("]")) {
                address = address.substring(1, address.length() - 1); // [2001:db8::1], as in URLs
            }
            byte[] bytes = literal(address);
            if (bytes == null) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + text);
            }
            int bits = bytes.length * 8;
            if (prefix < 0) {
                prefix = bits;
            }
            if (prefix > bits) {
                throw new IllegalArgumentException("prefix longer than the address in " + text);
            }
            return new Cidr(bytes, prefix, text);
        }

        boolean contains(byte[] address) {
            byte[] a = address;
            if (a.length != network.length) {
                a = network.length == 4 ? mappedV4(a) : null;
                if (a == null) {
                    return false;
                }
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (a[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (a[full] & mask) == (network[full] & mask);
        }

        private static byte[] mappedV4(byte[] v6) {
            if (v6.length != 16) {
                return null;
            }
            for (int i = 0; i < 10; i++) {
                if (v6[i] != 0) {
                    return null;
                }
            }
            if (v6[10] != (byte) 0xff || v6[11] != (byte) 0xff) {
                return null;
            }
            return new byte[] {v6[12], v6[13], v6[14], v6[15]};
        }

        /**
         * Parses an address as containers and forwarding headers write it: an IPv4 literal with an
         * optional port ({@code 192.0.2.1}, {@code 192.0.2.1:8080}), a bare IPv6 literal
         * ({@code 2001:db8::1}), or a bracketed one with an optional port ({@code [2001:db8::1]},
         * {@code [2001:db8::1]:443}, as Jetty 12's {@code getRemoteAddr()} and RFC 7239 write it).
         * An RFC 7239 obfuscated port ({@code :_abc}) is accepted too; the port is ignored.
         *
         * @return the address bytes (4 for IPv4 and IPv4-mapped IPv6, else 16), or null if the text
         *     is not such an address; no name is ever looked up
         */
        static byte[] address(String s) {
            if (s == null || s.isEmpty() || s.length() > 80) {
                return null;
            }
            if (s.charAt(0) == '[') {
                int end = s.indexOf(']');
                if (end < 0 || end + 1 < s.length() && !isPort(s, end + 1)) {
                    return null;
                }
                String inner = s.substring(1, end);
                return inner.indexOf(':') < 0 ? null : literal(inner); // brackets enclose IPv6 only
            }
            int colon = s.indexOf(':');
            if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
                return isPort(s, colon) ? v4(s.substring(0, colon)) : null;
            }
            return literal(s);
        }

        /** Whether {@code s} from {@code from} is {@code :} and a port: 1 to 5 digits, or {@code _} and a token. */
        private static boolean isPort(String s, int from) {
            if (s.charAt(from) != ':' || from + 1 >= s.length()) {
                return false;
            }
            String p = s.substring(from + 1);
            if (p.charAt(0) == '_') {
                return p.chars().allMatch(c -> c < 128 && (Character.isLetterOrDigit(c) || c == '.' || c == '_'
                        || c == '-'));
            }
            return p.length() <= 5 && p.chars().allMatch(c -> c >= '0' && c <= '9');
        }

        /**
         * Parses a bare IPv4 or IPv6 literal (an IPv6 zone, {@code %eth0}, is dropped) with a
         * parser of our own: {@code InetAddress.getByName} would look up anything that is not a
         * literal in DNS.
         *
         * @return 4 bytes for IPv4 and IPv4-mapped IPv6, 16 for other IPv6, or null
         */
        static byte[] literal(String s) {
            if (s == null || s.isEmpty() || s.length() > 64) {
                return null;
            }
            byte[] b = s.indexOf(':') < 0 ? v4(s) : v6(s);
            if (b != null && b.length == 16) {
                byte[] v4 = mappedV4(b);
                if (v4 != null) {
                    return v4; // a dual-stack socket's IPv4 client is an IPv4 client
                }
            }
            return b;
        }

        /** Dotted quad, ASCII digits only (no leading sign, no Unicode digits), each 0 to 255. */
        private static byte[] v4(String s) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return null;
            }
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                String p = parts[i];
                if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return null;
                }
                int v = Integer.parseInt(p);
                if (v > 255) {
                    return null;
                }
                b[i] = (byte) v;
            }
            return b;
        }

        /** RFC 4291 text: eight groups of 1 to 4 hex digits, one {@code ::} at most, an IPv4 tail allowed. */
        private static byte[] v6(String text) {
            String s = text;
            int zone = s.indexOf('%');
            if (zone >= 0) {
                if (zone == s.length() - 1) {
                    return null;
                }
                s = s.substring(0, zone);
            }
            if (s.length() < 2 || s.length() > 45) {
                return null;
            }
            int gap = s.indexOf("::");
            if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
                return null;
            }
            int[] head = groups(gap < 0 ? s : s.substring(0, gap), gap < 0);
            int[] tail = gap < 0 ? new int[0] : groups(s.substring(gap + 2), true);
            if (head == null || tail == null) {
                return null;
            }
            int count = head.length + tail.length;
            if (gap < 0 ? count != 8 : count > 7) {
                return null;
            }
            byte[] b = new byte[16];
            for (int i = 0; i < head.length; i++) {
                b[2 * i] = (byte) (head[i] >> 8);
                b[2 * i + 1] = (byte) head[i];
            }
            for (int i = 0; i < tail.length; i++) {
                int g = 8 - tail.length + i;
                b[2 * g] = (byte) (tail[i] >> 8);
                b[2 * g + 1] = (byte) tail[i];
            }
            return b;
        }

        /** The 16-bit groups of one side of {@code ::} (empty text: none); the last may be dotted IPv4. */
        private static int[] groups(String part, boolean v4Tail) {
            if (part.isEmpty()) {
                return new int[0];
            }
            String[] items = part.split(":", -1);
            int last = items.length - 1;
            boolean dotted = v4Tail && items[last].indexOf('.') >= 0;
            int[] out = new int[items.length + (dotted ? 1 : 0)];
            for (int i = 0; i < items.length; i++) {
                String g = items[i];
                if (i == last && dotted) {
                    byte[] v4 = v4(g);
                    if (v4 == null) {
                        return null;
                    }
                    out[i] = (v4[0] & 0xff) << 8 | v4[1] & 0xff;
                    out[i + 1] = (v4[2] & 0xff) << 8 | v4[3] & 0xff;
                    continue;
                }
                if (g.isEmpty() || g.length() > 4) {
                    return null;
                }
                int v = 0;
                for (int k = 0; k < g.length(); k++) {
                    int d = hex(g.charAt(k));
                    if (d < 0) {
                        return null;
                    }
                    v = v << 4 | d;
                }
                out[i] = v;
            }
            return out;
        }

        /** ASCII hex digits only: {@link Character#digit} would take other scripts' digits too. */
        private static int hex(char c) {
            return java.util.HexFormat.isHexDigit(c) ? java.util.HexFormat.fromHexDigit(c) : -1;
        }

        static String format(byte[] b) {
            try {
                return java.net.InetAddress.getByAddress(b).getHostAddress();
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public String toString() {
            return text;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Cidr c && c.prefix == prefix && java.util.Arrays.equals(c.network, network);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(network) * 31 + prefix;
        }
    }
}
