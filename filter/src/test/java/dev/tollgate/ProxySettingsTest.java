package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link ProxySettings}: a proxy that is not an address or a block is refused by parameter and value. */
class ProxySettingsTest {

    @Test
    void aHostNameIsNotAProxyAddress() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().trustedProxies("10.0.0.1, proxy.example.com"));
        assertEquals("Tollgate parameter tollgate.trustedProxies = \"10.0.0.1, proxy.example.com\": not an IP address"
                + " or CIDR block: proxy.example.com", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> TollgateConfig.builder().apply(Map.of(ProxySettings.FORWARDED_HEADER, "via")));
        assertEquals("Tollgate parameter tollgate.forwardedHeader = \"via\": expected x-forwarded-for or forwarded",
                e.getMessage());
    }

    @Test
    void addressesAreKeptStrippedAndTheHeaderReadInAnyCase() {
        ProxySettings s = TollgateConfig.builder().apply(Map.of("tollgate.trustedProxies", " 10.0.0.0/8, ::1 ",
                "tollgate.forwardedHeader", "Forwarded")).build().proxies();
        assertEquals(new ProxySettings("10.0.0.0/8, ::1", true), s);
        assertEquals(new ProxySettings("", false), TollgateConfig.builder().build().proxies());
    }
}
