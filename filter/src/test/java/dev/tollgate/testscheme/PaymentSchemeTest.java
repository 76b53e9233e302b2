package dev.tollgate.testscheme;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.PremiumServlet;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A payment scheme added without editing {@code filter/}: {@link TestTokenScheme}, found by
 * {@code ServiceLoader}, accepted next to prepaid accounts with {@code tollgate.schemes}. Over real
 * HTTP against an embedded Jetty.
 */
class PaymentSchemeTest {

    /**
     * The 402s and 401 of an account-only endpoint, byte for byte as Tollgate sent them before
     * payment schemes existed (captured from main at 670ec8a).
     */
    private static final String NO_KEY = "{\"type\":\"https://tollgate.dev/problems/payment-required\",\"title\":"
            + "\"Payment required\",\"status\":402,\"detail\":\"This endpoint costs 1 credit per call. Send the key"
            + " of an account that can pay in the X-API-Key header or as Authorization: Bearer <key>.\",\"instance\":"
            + "\"/app/quotes/ACME\",\"price\":1,\"currency\":\"credits\",\"description\":\"One quote\","
            + "\"payment-options\":[{\"scheme\":\"account\",\"price\":1,\"currency\":\"credits\",\"description\":"
            + "\"Present the key of a funded account.\",\"header\":\"X-API-Key\"}]}";
    private static final String NO_FUNDS = "{\"type\":\"https://tollgate.dev/problems/insufficient-funds\","
            + "\"title\":\"Insufficient funds\",\"status\":402,\"detail\":\"This call costs 1 credit; the balance is"
            + " 0 credits.\",\"instance\":\"/app/quotes/ACME\",\"price\":1,\"currency\":\"credits\",\"balance\":0,"
            + "\"description\":\"One quote\",\"payment-options\":[{\"scheme\":\"account\",\"price\":1,\"currency\":"
            + "\"credits\",\"description\":\"Present the key of an account that holds at least the price.\"}]}";
    private static final String UNKNOWN_KEY = "{\"type\":\"https://tollgate.dev/problems/unknown-account\","
            + "\"title\":\"Unknown account\",\"status\":401,\"detail\":\"No account matches the credential sent.\","
            + "\"instance\":\"/app/quotes/ACME\"}";

    private InMemoryLedger memory;
    private TestServer server;

    private TestServer start(String schemes, String... params) throws Exception {
        memory = InMemoryLedger.builder().account("silver", Money.credits("20"))
                .account("empty", Money.credits("0")).build();
        TestServer.Builder b = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .servlet("reports", ReportServlet.class, "/reports/*")
                .servlet("premium", PremiumServlet.class, "/premium")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, memory);
        if (schemes != null) {
            b.initParam(TollgateConfig.SCHEMES, schemes);
        }
        for (int i = 0; i < params.length; i += 2) {
            b.initParam(params[i], params[i + 1]);
        }
        server = b.start();
        return server;
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, List<String>> headersWithoutDate(HttpResponse<String> r) {
        Map<String, List<String>> h = new java.util.TreeMap<>(r.headers().map());
        h.remove("date");
        return h;
    }

    @Test
    void accountOnlyRefusalsAreByteForByteUnchanged() throws Exception {
        start(null);
        HttpResponse<String> r = server.get("/quotes/ACME");
        assertEquals(402, r.statusCode());
        assertEquals(NO_KEY, r.body());
        assertEquals(Map.of("cache-control", List.of("no-store"), "content-length", List.of("479"),
                "content-type", List.of("application/problem+json"), "server", List.of("Jetty(12.0.32)")),
                headersWithoutDate(r));

        r = server.get("/quotes/ACME", "X-API-Key", "empty");
        assertEquals(402, r.statusCode());
        assertEquals(NO_FUNDS, r.body());
        assertEquals(Map.of("cache-control", List.of("no-store"), "content-length", List.of("412"),
                "content-type", List.of("application/problem+json"), "server", List.of("Jetty(12.0.32)")),
                headersWithoutDate(r));

        r = server.get("/quotes/ACME", "X-API-Key", "nobody");
        assertEquals(401, r.statusCode());
        assertEquals(UNKNOWN_KEY, r.body());
        assertEquals(Optional.of("Bearer realm=\"tollgate\""), r.headers().firstValue("WWW-Authenticate"));

        // With the scheme's module on the class path but not accepted, its token pays nothing.
        r = server.get("/reports/x", "X-Test-Token", "5");
        assertEquals(402, r.statusCode());
        assertFalse(r.body().contains("test-token"));
        assertFalse(r.headers().firstValue(TestTokenScheme.PRICE_HEADER).isPresent());
    }

    @Test
    void anEndpointAcceptingTwoSchemesOffersBoth() throws Exception {
        start("account, test-token");
        HttpResponse<String> r = server.get("/reports/q");
        assertEquals(402, r.statusCode());
        assertEquals(Optional.of("2 credits"), r.headers().firstValue(TestTokenScheme.PRICE_HEADER));
        assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"));
        Map<String, Object> p = json(r);
        assertEquals("https://tollgate.dev/problems/payment-required", p.get("type"));
        assertEquals("This endpoint costs 2 credits per call. Pay in one of the ways listed in payment-options.",
                p.get("detail"));
        List<Object> options = list(p.get("payment-options"));
        assertEquals(2, options.size());
        @SuppressWarnings("unchecked")
        Map<String, Object> account = (Map<String, Object>) options.get(0);
        @SuppressWarnings("unchecked")
        Map<String, Object> token = (Map<String, Object>) options.get(1);
        assertEquals("account", account.get("scheme"));
        assertEquals("X-API-Key", account.get("header"));
        assertEquals("test-token", token.get("scheme"));
        assertEquals("X-Test-Token", token.get("header"));
        assertEquals("Send a token worth the price.", token.get("description"));

        // Each scheme's credential is handled by that scheme.
        r = server.get("/reports/q", "X-API-Key", "silver");
        assertEquals(200, r.statusCode());
        assertEquals(Money.credits("18"), memory.account("silver").orElseThrow().balance());
        assertFalse(r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER).isPresent());

        r = server.get("/reports/q", "X-Test-Token", "5");
        assertEquals(200, r.statusCode());
        assertEquals("the report", r.body());
        assertEquals(Optional.of("5;paid=2"), r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER));
        assertEquals(Money.credits("18"), memory.account("silver").orElseThrow().balance());
    }

    @Test
    void aSpentTokenIsRefusedWithTheOffer() throws Exception {
        start("account,test-token");
        assertEquals(200, server.get("/reports/q", "X-Test-Token", "7").statusCode());
        HttpResponse<String> r = server.get("/reports/q", "X-Test-Token", "7");
        assertEquals(402, r.statusCode());
        assertEquals(Optional.of("2 credits"), r.headers().firstValue(TestTokenScheme.PRICE_HEADER));
        assertEquals("https://tollgate.dev/problems/payment-declined", json(r).get("type"));
        assertEquals("This token was spent or is in use.", json(r).get("detail"));

        r = server.get("/reports/q", "X-Test-Token", "1");
        assertEquals(402, r.statusCode());
        assertEquals("This token is worth 1; the call costs 2.", json(r).get("detail"));
    }

    @Test
    void aResponseThatIsNotBillableReleasesTheToken() throws Exception {
        start("account,test-token");
        assertEquals(404, server.get("/reports/missing", "X-Test-Token", "9").statusCode());
        HttpResponse<String> r = server.get("/reports/q", "X-Test-Token", "9");
        assertEquals(200, r.statusCode());
        assertEquals(Optional.of("9;paid=2"), r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER));
    }

    @Test
    void aMalformedTokenIs400() throws Exception {
        start("account,test-token");
        HttpResponse<String> r = server.get("/reports/q", "X-Test-Token", "five");
        assertEquals(400, r.statusCode());
        Map<String, Object> p = json(r);
        assertEquals("https://tollgate.dev/problems/malformed-request", p.get("type"));
        assertEquals("Send one X-Test-Token header of 1 to 9 digits.", p.get("detail"));
        assertFalse(r.headers().firstValue(TestTokenScheme.PRICE_HEADER).isPresent());
    }

    @Test
    void aTokenDeclinedAtSettlementIs402WithTheSchemesHeaders() throws Exception {
        start("account,test-token");
        HttpResponse<String> r = server.get("/reports/q", "X-Test-Token", TestTokenScheme.DECLINED);
        assertEquals(402, r.statusCode());
        assertFalse(r.body().contains("the report"));
        assertEquals(Optional.of("2 credits"), r.headers().firstValue(TestTokenScheme.PRICE_HEADER));
        assertEquals(Optional.of("666"), r.headers().firstValue("X-Test-Token-Declined"));
        assertEquals(Optional.of("no-store"), r.headers().firstValue("Cache-Control"));
        assertFalse(r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER).isPresent());
        Map<String, Object> p = json(r);
        assertEquals("https://tollgate.dev/problems/payment-declined", p.get("type"));
        assertEquals("Payment declined", p.get("title"));
        assertEquals("The token issuer declined this token.", p.get("detail"));
        List<Object> options = list(p.get("payment-options"));
        assertEquals(1, options.size());
        assertTrue(options.get(0).toString().contains("test-token"));
    }

    @Test
    void anUnknownOutcomeIs503WithoutAFreshChallenge() throws Exception {
        start("account,test-token");
        HttpResponse<String> r = server.get("/reports/q", "X-Test-Token", TestTokenScheme.UNKNOWN);
        assertEquals(503, r.statusCode());
        assertFalse(r.body().contains("the report"));
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertFalse(r.headers().firstValue(TestTokenScheme.PRICE_HEADER).isPresent());
        assertFalse(r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER).isPresent());
        Map<String, Object> p = json(r);
        assertEquals("https://tollgate.dev/problems/ledger-unavailable", p.get("type"));
        assertFalse(p.containsKey("payment-options"));
        assertEquals("The token issuer did not answer; do not send another token for this call before it does.",
                p.get("detail"));
    }

    @Test
    void aTokenCannotBuyAnEntitlement() throws Exception {
        start("account,test-token");
        HttpResponse<String> r = server.get("/premium");
        assertEquals(402, r.statusCode());
        List<Object> options = list(json(r).get("payment-options"));
        assertEquals(1, options.size()); // the token scheme offers nothing for an entitlement
        assertTrue(options.get(0).toString().contains("account"));
        assertFalse(r.headers().firstValue(TestTokenScheme.PRICE_HEADER).isPresent());

        r = server.get("/premium", "X-Test-Token", "5");
        assertEquals(402, r.statusCode());
        assertEquals("https://tollgate.dev/problems/entitlement-required", json(r).get("type"));
        assertFalse(r.body().contains("buy low"));
    }

    @Test
    void aCustomRendererCannotDropTheSchemesHeaders() throws Exception {
        start("account,test-token", TollgateConfig.RENDERER, PlainTextRenderer.class.getName());
        HttpResponse<String> r = server.get("/reports/q");
        assertEquals(402, r.statusCode());
        assertEquals("text/plain", r.headers().firstValue("Content-Type").orElseThrow().split(";")[0]);
        assertEquals(List.of("2 credits"), r.headers().allValues(TestTokenScheme.PRICE_HEADER));
    }

    @Test
    void theSchemesOrderIsTheOffersOrder() throws Exception {
        start("test-token,account");
        List<Object> options = list(json(server.get("/reports/q")).get("payment-options"));
        assertTrue(options.get(0).toString().contains("test-token"));
        assertTrue(options.get(1).toString().contains("account"));
    }

    @Test
    void aSchemeNobodyProvidesStopsTheStart() {
        Exception e = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
                () -> start("account,x402"));
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        assertTrue(all.toString().contains("tollgate.schemes names the payment scheme \"x402\", but none has that"
                + " name; found: [account, test-token]"), all.toString());
    }
}
