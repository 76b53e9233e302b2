package dev.tollgate.testscheme;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.PlainServlet;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Schemes chosen per endpoint with {@code @RequiresPayment(schemes)} or a policy's {@code schemes},
 * next to account-only endpoints in the same application (no {@code tollgate.schemes} set).
 */
class PerEndpointSchemesTest {

    private InMemoryLedger memory;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        memory = InMemoryLedger.builder().account("silver", Money.credits("20")).build();
        server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .servlet("either", EitherServlet.class, "/either")
                .servlet("token-only", TokenOnlyServlet.class, "/token-only")
                .servlet("token-premium", TokenEntitlementServlet.class, "/token-premium")
                .servlet("plain", PlainServlet.class, "/plain")
                .initParam("tollgate.policy.plain.servlets", "plain")
                .initParam("tollgate.policy.plain.price", "4")
                .initParam("tollgate.policy.plain.schemes", "test-token, account")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, memory)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void anEndpointThatAcceptsBothOffersBothNextToAnAccountOnlyOne() throws Exception {
        HttpResponse<String> r = server.get("/either");
        assertEquals(402, r.statusCode());
        assertEquals(Optional.of("2 credits"), r.headers().firstValue(TestTokenScheme.PRICE_HEADER));
        List<Object> options = list(json(r).get("payment-options"));
        assertEquals(2, options.size());
        assertTrue(options.get(0).toString().contains("account"));
        assertTrue(options.get(1).toString().contains("test-token"));
        assertEquals(200, server.get("/either", "X-Test-Token", "2").statusCode());
        assertEquals(200, server.get("/either", "X-API-Key", "silver").statusCode());
        assertEquals(Money.credits("18"), memory.account("silver").orElseThrow().balance());

        r = server.get("/quotes/ACME");
        assertEquals(402, r.statusCode());
        assertFalse(r.headers().firstValue(TestTokenScheme.PRICE_HEADER).isPresent());
        assertEquals(1, list(json(r).get("payment-options")).size());
        assertEquals(402, server.get("/quotes/ACME", "X-Test-Token", "9").statusCode());
    }

    @Test
    void anEndpointThatAcceptsOnlyTheTokenIgnoresAccountKeys() throws Exception {
        HttpResponse<String> r = server.get("/token-only", "X-API-Key", "silver");
        assertEquals(402, r.statusCode());
        List<Object> options = list(json(r).get("payment-options"));
        assertEquals(1, options.size());
        assertTrue(options.get(0).toString().contains("test-token"));
        assertEquals(Money.credits("20"), memory.account("silver").orElseThrow().balance());

        r = server.get("/token-only", "X-Test-Token", "3");
        assertEquals(200, r.statusCode());
        assertEquals(Optional.of("3;paid=3"), r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER));
    }

    @Test
    void anEndpointNoAcceptedSchemeCanPayForSaysSo() throws Exception {
        HttpResponse<String> r = server.get("/token-premium");
        assertEquals(402, r.statusCode());
        assertEquals("This endpoint requires the 'premium' entitlement. None of the payment schemes this endpoint"
                + " accepts can pay for it.", json(r).get("detail"));
        assertEquals(402, server.get("/token-premium", "X-Test-Token", "5").statusCode());
    }

    @Test
    void aConfiguredPolicyChoosesItsSchemes() throws Exception {
        List<Object> options = list(json(server.get("/plain")).get("payment-options"));
        assertEquals(2, options.size());
        assertTrue(options.get(0).toString().contains("test-token"));
        assertEquals(200, server.get("/plain", "X-Test-Token", "4").statusCode());
    }

    @Test
    void aSchemeNobodyProvidesFailsTheStartNamingTheServlet() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("bad", UnknownSchemeServlet.class, "/bad").start().close());
        String all = messages(e);
        assertTrue(all.contains(UnknownSchemeServlet.class.getName()) && all.contains("\"x402\""), all);
    }

    @Test
    void aMeteredEndpointWithASchemeThatCannotChargePartOfAReservationFailsTheStart() {
        // Charging the whole maximum instead of the metered amount would overcharge.
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("metered", MeteredTokenServlet.class, "/metered").start().close());
        String all = messages(e);
        assertTrue(all.contains("metered = true") && all.contains(TestTokenScheme.NAME)
                && all.contains("cannot charge part of a reservation"), all);
    }

    @Test
    void aMalformedSchemeNameFailsTheStartNamingTheMember() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("plain", PlainServlet.class, "/plain")
                .initParam("tollgate.policy.bad.servlets", "plain")
                .initParam("tollgate.policy.bad.price", "1")
                .initParam("tollgate.policy.bad.schemes", "Test Token").start().close());
        String all = messages(e);
        assertTrue(all.contains("schemes: \"Test Token\" is not a payment scheme name"), all);
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" | ");
        }
        return sb.toString();
    }
}
