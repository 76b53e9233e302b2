package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** {@code tollgate.balanceHeader}: the balance after the charge on paid responses, opt-in. */
class BalanceHeaderTest {

    /** A priced endpoint (2 credits by configuration). */
    public static final class PaidServlet extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            resp.setContentType("text/plain");
            resp.getWriter().write("paid content");
        }
    }

    private TestServer server;
    private InMemoryLedger ledger;

    private void start(String header) throws Exception {
        ledger = InMemoryLedger.builder().account("gold", Money.credits("10")).build();
        TestServer.Builder b = TestServer.builder()
                .servlet("paid", PaidServlet.class, "/paid")
                .initParam("tollgate.policy.paid.servlets", "paid")
                .initParam("tollgate.policy.paid.price", "2.5")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger);
        if (header != null) {
            b.initParam(TollgateConfig.BALANCE_HEADER, header);
        }
        server = b.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aPaidResponseCarriesTheBalanceAfterItsCharge() throws Exception {
        start("Tollgate-Balance");
        HttpResponse<String> r = server.get("/paid", "X-API-Key", "gold");
        assertEquals(200, r.statusCode());
        assertEquals("paid content", r.body());
        assertEquals(Optional.of("7.5"), r.headers().firstValue("Tollgate-Balance"));
        assertEquals(Optional.of("5"), server.get("/paid", "X-API-Key", "gold").headers()
                .firstValue("Tollgate-Balance"));
        HttpResponse<String> refused = server.get("/paid");
        assertEquals(402, refused.statusCode());
        assertFalse(refused.headers().firstValue("Tollgate-Balance").isPresent(), "only on charged responses");
    }

    @Test
    void offByDefault() throws Exception {
        start(null);
        HttpResponse<String> r = server.get("/paid", "X-API-Key", "gold");
        assertEquals(200, r.statusCode());
        assertFalse(r.headers().map().keySet().stream().anyMatch(h -> h.toLowerCase().contains("balance")));
    }

    @Test
    void aBadHeaderNameIsRefusedByName() {
        InvalidParameterException e = assertThrows(InvalidParameterException.class,
                () -> TollgateConfig.builder().balanceHeader("not a header"));
        assertEquals(true, e.getMessage().contains(TollgateConfig.BALANCE_HEADER), e.getMessage());
    }
}
