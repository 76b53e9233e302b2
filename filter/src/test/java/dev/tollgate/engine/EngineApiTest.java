package dev.tollgate.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.annotations.RequiresPayment;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.TestServer;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An adapter written on the public engine API alone (a servlet playing a framework that calls
 * annotated handler methods): it gets the same 402, a ticket settles exactly once however often an
 * adapter asks, and a billable outcome after the ticket was abandoned is replaced, not delivered unpaid.
 */
class EngineApiTest {

    /** A "handler" of the hand-written adapter: priced by annotation, as a resource method would be. */
    public static final class Handler {
        @RequiresPayment(price = "3")
        public String quote() {
            return "quote";
        }
    }

    /** The hand-written adapter. */
    public static final class HandAdapter extends HttpServlet {
        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            Engine engine = Tollgate.from(getServletContext()).orElseThrow().engine();
            Endpoint endpoint;
            try {
                endpoint = engine.policyFor(Handler.class, Handler.class.getMethod("quote")).orElseThrow();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(e);
            }
            Admission admission;
            try {
                admission = engine.admit(endpoint, req, null);
            } catch (jakarta.servlet.ServletException e) {
                throw new IOException(e);
            }
            if (admission instanceof Answer answer) {
                Engine.write(answer, req, resp);
                return;
            }
            Ticket ticket = (Ticket) admission;
            if (req.getParameter("abandon") != null) {
                ticket.abandon("the test gave up on it");
            }
            Settled first = ticket.settle(200, () -> null, true);
            Settled again = ticket.settle(200, () -> null, true);
            if (first instanceof Settled.Replace replace) {
                Engine.write(replace.answer(), req, resp);
                return;
            }
            resp.setHeader("X-Settled", first.getClass().getSimpleName() + "," + again.getClass().getSimpleName());
            resp.getWriter().write(new Handler().quote());
        }
    }

    private InMemoryLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        ledger = InMemoryLedger.builder().account("gold", Money.credits("10")).build();
        server = TestServer.builder()
                .servlet("adapter", HandAdapter.class, "/quote")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Money balance() {
        return ledger.account("gold").orElseThrow().balance();
    }

    @Test
    void anAdapterOnTheEngineApiRefusesAsTheFilterDoes() throws Exception {
        HttpResponse<String> r = server.get("/quote");
        assertEquals(402, r.statusCode());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        assertTrue(r.body().contains("This endpoint costs 3 credits per call"), r.body());
    }

    @Test
    void aTicketSettledTwiceChargesOnce() throws Exception {
        HttpResponse<String> r = server.get("/quote", "X-API-Key", "gold");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("quote", r.body());
        assertEquals("Deliver,Deliver", r.headers().firstValue("X-Settled").orElse(""));
        assertEquals(Money.credits("7"), balance());
        assertEquals(0, ledger.openHoldCount());
    }

    @Test
    void aBillableOutcomeAfterAbandonIsReplacedAndNotCharged() throws Exception {
        HttpResponse<String> r = server.get("/quote?abandon=1", "X-API-Key", "gold");
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.body().contains("nothing was charged"), r.body());
        assertEquals(Money.credits("10"), balance());
        assertEquals(0, ledger.openHoldCount());
    }
}
