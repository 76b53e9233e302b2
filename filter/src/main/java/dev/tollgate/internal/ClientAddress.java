package dev.tollgate.internal;

import jakarta.servlet.http.HttpServletRequest;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;

/**
 * The client address of a request. The peer address ({@code getRemoteAddr()}) is the client unless
 * the peer is a configured trusted proxy; only then is the forwarding header the proxies write read
 * ({@code X-Forwarded-For} by default, or {@code Forwarded} of RFC 7239; never both, since a proxy
 * that writes one passes the other through from the client), right to left, skipping further
 * trusted proxies; the first untrusted hop is the client. Forwarding headers from anyone else are
 * ignored: they are trivially forged. A malformed header is ignored too (the peer address is used).
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
     * {@return the client address of a request, as text (normalised for IPv6)}
     *
     * @param request the request
     */
    public String of(HttpServletRequest request) {
        String peer = request.getRemoteAddr();
        if (trusted.isEmpty() || peer == null) {
            return peer;
        }
        byte[] peerBytes = Cidr.literal(peer);
        if (peerBytes == null || !isTrusted(peerBytes)) {
            return peer;
        }
        List<String> hops = forwarded ? forwardedHops(request) : headerList(request, "X-Forwarded-For");
        if (hops == null) {
            return peer;
        }
        for (int i = hops.size() - 1; i >= 0; i--) {
            byte[] hop = Cidr.literal(hops.get(i));
            if (hop == null) {
                return peer; // malformed or obfuscated: do not guess
            }
            if (!isTrusted(hop)) {
                return Cidr.format(hop);
            }
        }
        return peer; // every hop is a trusted proxy
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

    private static String unquoteForwarded(String v) {
        String s = v;
        if (s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")) {
            s = s.substring(1, s.length() - 1);
        }
        if (s.startsWith("[")) {
            int end = s.indexOf(']');
            return end < 0 ? "malformed" : s.substring(1, end); // [v6]:port
        }
        int colon = s.indexOf(':');
        if (colon >= 0 && s.indexOf(':', colon + 1) < 0) {
            s = s.substring(0, colon); // v4:port
        }
        return s;
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

        /** Parses an IPv4 or IPv6 literal without any name lookup; null if it is not one. */
        static byte[] literal(String s) {
            if (s == null || s.isEmpty() || s.length() > 45) {
                return null;
            }
            if (s.indexOf(':') < 0) {
                String[] parts = s.split("\\.", -1);
                if (parts.length != 4) {
                    return null;
                }
                byte[] b = new byte[4];
                for (int i = 0; i < 4; i++) {
                    String p = parts[i];
                    if (p.isEmpty() || p.length() > 3 || !p.chars().allMatch(Character::isDigit)) {
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
            String lower = s.toLowerCase(Locale.ROOT);
            int zone = lower.indexOf('%');
            if (zone >= 0) {
                lower = lower.substring(0, zone);
            }
            if (!lower.chars().allMatch(c -> c == ':' || c == '.' || Character.digit(c, 16) >= 0)) {
                return null;
            }
            try {
                // With only hex digits, colons and dots, this parses a literal; it never resolves names.
                byte[] b = java.net.InetAddress.getByName(lower).getAddress();
                return b;
            } catch (java.net.UnknownHostException e) {
                return null;
            }
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
