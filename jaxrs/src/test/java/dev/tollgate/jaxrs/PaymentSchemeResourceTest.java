package dev.tollgate.jaxrs;

import static dev.tollgate.testing.Problem.json;
import static dev.tollgate.testing.Problem.list;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.TollgateConfig;
import dev.tollgate.jaxrs.app.RestApp;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.TestServer;
import dev.tollgate.testscheme.TestTokenScheme;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A payment scheme from another module (the filter test-jar's {@link TestTokenScheme}, found by
 * {@code ServiceLoader}) on Jakarta REST resources: the gate needs no change to offer it, take it
 * and deliver its receipt, for a buffered entity and for a streamed one.
 */
class PaymentSchemeResourceTest {

    private InMemoryLedger memory;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        memory = InMemoryLedger.builder().account("gold", Money.credits("1000")).build();
        server = TestServer.builder()
                .attribute(Tollgate.LEDGER_ATTRIBUTE, memory)
                .initParam(TollgateConfig.SCHEMES, "account,test-token")
                .customize(c -> {
                    ServletHolder rest = new ServletHolder("rest", ServletContainer.class);
                    rest.setInitParameter("jakarta.ws.rs.Application", RestApp.class.getName());
                    rest.setInitOrder(1);
                    rest.setAsyncSupported(true);
                    c.addServlet(rest, "/rest/*");
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    @Test
    void theOfferListsBothSchemes() throws Exception {
        HttpResponse<String> r = server.get("/rest/quotes/ACME");
        assertEquals(402, r.statusCode());
        assertEquals(Optional.of("1 credits"), r.headers().firstValue(TestTokenScheme.PRICE_HEADER));
        assertEquals(2, list(json(r).get("payment-options")).size());
    }

    @Test
    void aTokenPaysWithAReceiptForABufferedAndAStreamedEntity() throws Exception {
        HttpResponse<String> r = server.get("/rest/quotes/ACME", "X-Test-Token", "5");
        assertEquals(200, r.statusCode());
        assertTrue(r.body().contains("101.50"));
        assertEquals(Optional.of("5;paid=1"), r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER));

        r = server.get("/rest/big/stream?mib=2", "X-Test-Token", "10");
        assertEquals(200, r.statusCode());
        assertEquals(2 * 1024 * 1024, r.body().length());
        assertEquals(Optional.of("10;paid=6"), r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER));
        assertEquals(Money.credits("1000"), memory.account("gold").orElseThrow().balance());
    }

    @Test
    void aDeclineReplacesTheEntityWithTheSchemes402() throws Exception {
        HttpResponse<String> r = server.get("/rest/quotes/ACME", "X-Test-Token", TestTokenScheme.DECLINED);
        assertEquals(402, r.statusCode());
        assertFalse(r.body().contains("101.50"));
        assertEquals("https://tollgate.dev/problems/payment-declined", json(r).get("type"));
        assertEquals(Optional.of("1 credits"), r.headers().firstValue(TestTokenScheme.PRICE_HEADER));

        r = server.get("/rest/big/stream?mib=2", "X-Test-Token", TestTokenScheme.DECLINED);
        assertEquals(402, r.statusCode());
        assertEquals("https://tollgate.dev/problems/payment-declined", json(r).get("type"));
    }

    @Test
    void anUnknownOutcomeIs503WithoutAnOffer() throws Exception {
        HttpResponse<String> r = server.get("/rest/quotes/ACME", "X-Test-Token", TestTokenScheme.UNKNOWN);
        assertEquals(503, r.statusCode());
        assertFalse(r.headers().firstValue(TestTokenScheme.PRICE_HEADER).isPresent());
        assertFalse(json(r).containsKey("payment-options"));
    }

    @Test
    void aResourceChoosesItsSchemes() throws Exception {
        HttpResponse<String> r = server.get("/rest/token/only", "X-API-Key", "gold");
        assertEquals(402, r.statusCode());
        assertEquals(1, list(json(r).get("payment-options")).size());
        assertTrue(r.body().contains("test-token"));
        assertEquals(Money.credits("1000"), memory.account("gold").orElseThrow().balance());

        r = server.get("/rest/token/only", "X-Test-Token", "2");
        assertEquals(200, r.statusCode());
        assertEquals("token only", r.body());
        assertEquals(Optional.of("2;paid=2"), r.headers().firstValue(TestTokenScheme.RECEIPT_HEADER));
    }

    @Test
    void aResourceNamingAnUnknownSchemeIs503() throws Exception {
        HttpResponse<String> r = server.get("/rest/token/unknown", "X-API-Key", "gold");
        assertEquals(503, r.statusCode());
        assertFalse(r.body().contains("unreachable"));
        assertEquals(Money.credits("1000"), memory.account("gold").orElseThrow().balance());
    }
}
