package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testapp.MeteredServlet;
import dev.tollgate.testing.SwitchableLedger;
import dev.tollgate.testing.TestServer;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 10, "charge the actual amount": a metered endpoint holds its maximum, sets what the call
 * really cost, and the payer is charged exactly that, with the rest returned, once.
 */
class MeteredChargeTest {

    private InMemoryLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        ledger = InMemoryLedger.builder().account("gold", Money.credits("100")).build();
        server = TestServer.builder()
                .servlet("metered", MeteredServlet.class, "/metered")
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

    /** The statement as "KIND available held" lines. */
    private List<String> statement() {
        return ledger.statement("gold", Instant.EPOCH, Instant.now().plusSeconds(60), 100).stream()
                .filter(e -> e.kind() != LedgerEntry.Kind.OPEN)
                .map(e -> e.kind() + " " + plain(e.availableDelta()) + " " + plain(e.heldDelta())).toList();
    }

    private static String plain(BigDecimal d) {
        return d.stripTrailingZeros().toPlainString();
    }

    @Test
    void theEndpointIsChargedWhatItSetAndTheRestReturns() throws Exception {
        HttpResponse<String> r = server.get("/metered?cost=2.5", "X-API-Key", "gold");
        assertEquals(200, r.statusCode());
        assertEquals("cost 2.5 counted; reserved 10 credits", r.body());
        assertEquals(Money.credits("97.5"), balance());
        assertEquals(List.of("HOLD -10 10", "COMMIT 0 -2.5", "RELEASE 7.5 -7.5"), statement());
        assertEquals(0, ledger.openHoldCount());
    }

    @Test
    void anEndpointThatSetsNothingPaysTheWholePrice() throws Exception {
        HttpResponse<String> r = server.get("/metered", "X-API-Key", "gold");
        assertEquals(200, r.statusCode());
        assertEquals(Money.credits("90"), balance());
        assertEquals(List.of("HOLD -10 10", "COMMIT 0 -10"), statement());
    }

    @Test
    void aZeroCostIsABillableCallChargedZero() throws Exception {
        assertEquals(200, server.get("/metered?cost=0", "X-API-Key", "gold").statusCode());
        assertEquals(Money.credits("100"), balance());
        assertEquals(List.of("HOLD -10 10", "COMMIT 0 0", "RELEASE 10 -10"), statement());
    }

    @Test
    void aCostAboveTheMaximumIsAProgrammingErrorAndNothingIsCharged() throws Exception {
        HttpResponse<String> r = server.get("/metered?cost=10.01", "X-API-Key", "gold");
        assertEquals(500, r.statusCode(), "the endpoint threw IllegalArgumentException");
        assertEquals(Money.credits("100"), balance(), "the failed call is released");
        assertEquals(List.of("HOLD -10 10", "RELEASE 10 -10"), statement());
    }

    @Test
    void aCostSetAfterTheResponseLeftIsIgnoredAndTheMaximumStands() throws Exception {
        HttpResponse<String> r = server.get("/metered?cost=1&late=true", "X-API-Key", "gold");
        assertEquals(200, r.statusCode());
        assertEquals("first part\ncost 1 ignored; reserved 10 credits", r.body());
        assertEquals(Money.credits("90"), balance(), "charged when the first byte left: the whole price");
    }

    @Test
    void aNonBillableOutcomeReleasesEverything() throws Exception {
        assertEquals(404, server.get("/metered?cost=3&status=404", "X-API-Key", "gold").statusCode());
        assertEquals(Money.credits("100"), balance());
        assertEquals(List.of("HOLD -10 10", "RELEASE 10 -10"), statement());
    }

    @Test
    void anIdempotentRetryIsReplayedNotChargedAgain() throws Exception {
        HttpResponse<String> first = server.get("/metered?cost=4", "X-API-Key", "gold", "Idempotency-Key", "m-1");
        HttpResponse<String> again = server.get("/metered?cost=4", "X-API-Key", "gold", "Idempotency-Key", "m-1");
        assertEquals(200, again.statusCode());
        assertEquals(first.body(), again.body());
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(Money.credits("96"), balance(), "charged the actual amount once");
    }

    @Test
    void aLedgerThatCannotChargePartOfAHoldFailsTheDeploymentOfAMeteredEndpoint() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("metered", MeteredServlet.class, "/metered")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, new SwitchableLedger(ledger))
                .start().close());
        String all = messages(e);
        assertTrue(all.contains(MeteredServlet.class.getName()) && all.contains("metered = true")
                && all.contains(SwitchableLedger.class.getName()), all);
    }

    private static String messages(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            b.append(c.getMessage()).append('\n');
            for (Throwable s : c.getSuppressed()) {
                b.append(messages(s));
            }
        }
        return b.toString();
    }
}
