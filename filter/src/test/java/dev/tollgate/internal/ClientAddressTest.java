package dev.tollgate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.servlet.http.HttpServletRequest;
import java.lang.reflect.Proxy;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClientAddressTest {

    /** A request with a peer address and headers (multi-valued), nothing else. */
    private static HttpServletRequest request(String peer, Map<String, List<String>> headers) {
        return (HttpServletRequest) Proxy.newProxyInstance(ClientAddressTest.class.getClassLoader(),
                new Class<?>[] {HttpServletRequest.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getRemoteAddr" -> peer;
                    case "getHeaders" -> Collections.enumeration(headers.getOrDefault((String) args[0], List.of()));
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Test
    void withoutTrustedProxiesThePeerIsTheClient() {
        ClientAddress a = ClientAddress.trusting("");
        assertEquals("10.0.0.5", a.of(request("10.0.0.5", Map.of("X-Forwarded-For", List.of("1.2.3.4")))));
    }

    @Test
    void aTrustedProxyNamesTheClientRightToLeft() {
        ClientAddress a = ClientAddress.trusting("10.0.0.0/8, 192.168.1.1");
        assertEquals("1.2.3.4", a.of(request("10.0.0.5", Map.of("X-Forwarded-For",
                List.of("6.6.6.6, 1.2.3.4, 192.168.1.1")))), "the spoofed left entry is never reached");
        assertEquals("1.2.3.4", a.of(request("10.0.0.5", Map.of("X-Forwarded-For", List.of("6.6.6.6", "1.2.3.4")))),
                "several header lines are one list");
        assertEquals("10.0.0.5", a.of(request("10.0.0.5", Map.of("X-Forwarded-For", List.of("10.1.1.1")))),
                "all hops trusted: the peer");
        assertEquals("10.0.0.5", a.of(request("10.0.0.5", Map.of("X-Forwarded-For", List.of("bogus, 1.2.3.4 x")))),
                "malformed: the peer");
        assertEquals("10.0.0.5", a.of(request("10.0.0.5", Map.of("X-Forwarded-For", List.of("evil.example.com")))),
                "names are never looked up");
        assertEquals("8.8.8.8", a.of(request("8.8.8.8", Map.of("X-Forwarded-For", List.of("7.7.7.7")))),
                "an untrusted peer is the client");
    }

    /** Regression (review): a client-sent Forwarded header beat the proxy's X-Forwarded-For. */
    @Test
    void onlyTheHeaderTheProxiesWriteIsRead() {
        ClientAddress xff = ClientAddress.trusting("::1, 127.0.0.1");
        assertEquals("9.9.9.9", xff.of(request("127.0.0.1", Map.of(
                "Forwarded", List.of("for=198.51.100.99"), "X-Forwarded-For", List.of("9.9.9.9")))),
                "a proxy that appends X-Forwarded-For passes a forged Forwarded through: ignore it");
        assertEquals("127.0.0.1", xff.of(request("127.0.0.1", Map.of("Forwarded", List.of("for=198.51.100.99")))));

        ClientAddress fwd = ClientAddress.trusting("::1, 127.0.0.1", true);
        assertEquals("2001:db8:0:0:0:0:0:1", fwd.of(request("127.0.0.1", Map.of(
                "Forwarded", List.of("for=\"[2001:db8::1]:4711\";proto=https"),
                "X-Forwarded-For", List.of("9.9.9.9")))));
        assertEquals("192.0.2.60", fwd.of(request("::1", Map.of("Forwarded", List.of("for=192.0.2.60:8080;by=203.0.113.43")))));
        assertEquals("127.0.0.1", fwd.of(request("127.0.0.1", Map.of("Forwarded", List.of("for=_hidden")))),
                "obfuscated identifiers are not addresses");
        assertEquals("127.0.0.1", fwd.of(request("127.0.0.1", Map.of("Forwarded", List.of("proto=https")))),
                "an element without for=");
        assertEquals("127.0.0.1", fwd.of(request("127.0.0.1", Map.of("X-Forwarded-For", List.of("9.9.9.9")))),
                "and X-Forwarded-For is ignored then");
    }

    @Test
    void ipv4MappedAndBlocks() {
        ClientAddress a = ClientAddress.trusting("172.16.0.0/12");
        assertEquals("5.6.7.8", a.of(request("::ffff:172.20.1.2", Map.of("X-Forwarded-For", List.of("5.6.7.8")))));
        assertEquals("172.32.0.1", a.of(request("172.32.0.1", Map.of("X-Forwarded-For", List.of("5.6.7.8")))),
                "outside the /12");
    }

    @Test
    void badConfigurationIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting("10.0.0.0/33"));
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting("proxy.example.com"));
        assertThrows(IllegalArgumentException.class, () -> ClientAddress.trusting("10.0.0.0/x"));
    }

    /** Issue 9 item 5: Jetty 12 brackets IPv6 peers; they were rejected, so no IPv6 proxy was trusted. */
    @Test
    void issue9BracketedIpv6PeersAndHopsAreAddresses() {
        ClientAddress a = ClientAddress.trusting("2001:db8:1::/48");
        assertEquals("198.51.100.7", a.of(request("[2001:db8:1::9]", Map.of("X-Forwarded-For",
                List.of("198.51.100.7")))), "Jetty 12's bracketed peer is a trusted proxy");
        assertEquals("198.51.100.7", a.of(request("2001:db8:1:0:0:0:0:9", Map.of("X-Forwarded-For",
                List.of("198.51.100.7")))), "Tomcat's expanded peer too");
        assertEquals("2001:db8:2:0:0:0:0:7", a.of(request("[2001:db8:1::9]", Map.of("X-Forwarded-For",
                List.of("[2001:db8:2::7]")))), "a bracketed hop");
        assertEquals("2001:db8:2:0:0:0:0:7", a.of(request("[2001:db8:1::9]", Map.of("X-Forwarded-For",
                List.of("[2001:db8:2::7]:51234")))), "a bracketed hop with a port");
        assertEquals("203.0.113.5", a.of(request("[2001:db8:1::9]", Map.of("X-Forwarded-For",
                List.of("203.0.113.5:4711")))), "an IPv4 hop with a port");
        assertEquals("2001:db8:9:0:0:0:0:1", a.of(request("[2001:db8:9::1]", Map.of("X-Forwarded-For",
                List.of("198.51.100.7")))), "an untrusted bracketed peer is the client, normalised");
        assertEquals("2001:db8:1:0:0:0:0:9", a.of(request("[2001:db8:1::9]", Map.of("X-Forwarded-For",
                List.of("[2001:db8:2::7")))), "an unclosed bracket is malformed: the peer");
        assertEquals("2001:db8:1:0:0:0:0:9", a.of(request("[2001:db8:1::9]", Map.of("X-Forwarded-For",
                List.of("[198.51.100.7]")))), "brackets hold IPv6 only");
        assertEquals("0:0:0:0:0:0:0:1", ClientAddress.trusting("").of(request("[::1]", Map.of())));
        assertEquals("127.0.0.1", ClientAddress.trusting("").of(request("[::ffff:127.0.0.1]", Map.of())),
                "a dual-stack socket's IPv4 client is IPv4");

        ClientAddress fwd = ClientAddress.trusting("[::1]", true);
        assertEquals("2001:db8:0:0:0:0:0:1", fwd.of(request("[::1]", Map.of("Forwarded",
                List.of("for=\"[2001:db8::1]:443\"")))), "RFC 7239 from an IPv6 proxy on Jetty");
        assertEquals("2001:db8:0:0:0:0:0:1", fwd.of(request("::1", Map.of("Forwarded",
                List.of("for=\"[2001:db8::1]:_gazonk\"")))), "an obfuscated port");
        assertEquals("0:0:0:0:0:0:0:1", fwd.of(request("[::1]", Map.of("Forwarded",
                List.of("for=\"[2001:db8::1]:x443\"")))), "a malformed port");
    }

    @Test
    void literalsAreParsedWithoutNameLookups() {
        assertEquals("2001:db8:0:0:0:0:0:1", fmt("2001:DB8::1"));
        assertEquals("0:0:0:0:0:0:0:0", fmt("::"));
        assertEquals("1:2:3:4:5:6:7:0", fmt("1:2:3:4:5:6:7::"));
        assertEquals("0:0:0:0:0:0:102:304", fmt("::1.2.3.4"));
        assertEquals("fe80:0:0:0:0:0:0:1", fmt("fe80::1%eth0"));
        assertEquals("1.2.3.4", fmt("::ffff:1.2.3.4"));
        for (String bad : List.of("1:2:3:4:5:6:7:8:9", "1::2::3", ":::", "1:2:3:4:5:6:7", "12345::", "::g",
                "::1.2.3", "1.2.3.4::", ":1::", "1::%", "1.2.3.256", "01.2.3.4.5", "+1.2.3.4", "\u0661.2.3.4",
                "\uff11::", "localhost", "a:b", "dead:beef", "x.example")) {
            assertEquals(null, ClientAddress.Cidr.literal(bad), bad);
        }
    }

    private static String fmt(String s) {
        byte[] b = ClientAddress.Cidr.literal(s);
        return b == null ? null : ClientAddress.Cidr.format(b);
    }
}
