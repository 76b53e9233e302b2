package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testapp.DispatchingServlet;
import dev.tollgate.testapp.LargeResultServlet;
import dev.tollgate.testing.RawHttp;
import dev.tollgate.testing.SwitchableLedger;
import dev.tollgate.testing.TestServer;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 3: a paid result larger than the container's buffer used to leave before its
 * charge; a client that read it and reset the connection got it for free. No byte of a billable
 * response may leave before the charge is committed.
 */
class LargeResponseChargeTest {

    private InMemoryLedger memory;
    private SwitchableLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        memory = InMemoryLedger.builder().account("gold", Money.credits("1000")).build();
        ledger = new SwitchableLedger(memory);
        server = TestServer.builder()
                .servlet("large", LargeResultServlet.class, "/large")
                .servlet("dispatching", DispatchingServlet.class, "/dispatching")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Money balance() {
        return memory.account("gold").orElseThrow().balance();
    }

    private List<LedgerEntry> commits() {
        return memory.statement("gold", Instant.EPOCH, Instant.now().plusSeconds(60), 100).stream()
                .filter(e -> e.kind() == LedgerEntry.Kind.COMMIT).toList();
    }

    @Test
    void aClientThatReadsTheStartOfALargeResultAndResetsTheConnectionIsCharged() throws Exception {
        String head = RawHttp.readStartAndReset(RawHttp.get(server.uri("/large"), "X-API-Key", "gold"), 1024);
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        ledger.awaitSettlements(1);
        assertEquals(Money.credits("993"), balance(), "the result left, so it was charged");
        assertEquals(1, commits().size(), "the statement shows the charge");
        assertEquals(0, memory.openHoldCount());
    }

    @Test
    void aLargeResultWhoseChargeFailsIsReplacedBy503WithNoneOfItsBytes() throws Exception {
        ledger.failCommit = true;
        for (String query : List.of("mib=8", "mib=8&writer=true", "mib=1&flush=true")) {
            HttpResponse<String> r = server.get("/large?" + query, "X-API-Key", "gold");
            assertEquals(503, r.statusCode(), query);
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), query);
            assertTrue(r.body().contains("ledger-unavailable"), r.body());
            assertFalse(r.body().contains("xxxx"), "none of the endpoint's bytes: " + query);
        }
        assertEquals(Money.credits("1000"), balance());
        assertEquals(0, memory.openHoldCount());
        assertEquals(List.of(), commits());
    }

    /**
     * The documented policy: the endpoint failed after bytes of its result had left; the charge
     * stands (it was committed when they left) and the response is cut off, not completed.
     */
    @Test
    void anEndpointThatFailsAfterItsResultStartedIsChargedAndItsResponseIsCutOff() throws Exception {
        byte[] all;
        String head;
        try (Socket socket = RawHttp.get(server.uri("/large?mib=8&failAfterMib=2"), "X-API-Key", "gold")) {
            head = RawHttp.readHead(socket.getInputStream());
            all = RawHttp.readUntilClosed(socket.getInputStream());
        }
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), head);
        assertFalse(RawHttp.endsWithLastChunk(all), "no last chunk: the client can tell the result is incomplete");
        assertTrue(all.length > 1024 * 1024, "the first MiB arrived: " + all.length);
        assertTrue(all.length < 4 * 1024 * 1024, "not the whole result: " + all.length);
        ledger.awaitSettlements(1);
        assertEquals(Money.credits("993"), balance(), "bytes of the result had left: the charge stands");
        assertEquals(1, commits().size());
    }

    /** {@code AsyncContext.dispatch()} used to complete the response before the charge. */
    @Test
    void anAsyncDispatchIsChargedBeforeItsResponseLeaves() throws Exception {
        HttpResponse<String> ok = server.get("/dispatching", "X-API-Key", "gold");
        assertEquals(200, ok.statusCode(), ok.body());
        assertEquals("dispatched result", ok.body());
        ledger.awaitSettlements(1);
        assertEquals(Money.credits("996"), balance());

        ledger.failCommit = true;
        HttpResponse<String> failed = server.get("/dispatching", "X-API-Key", "gold");
        assertEquals(503, failed.statusCode(), failed.body());
        assertFalse(failed.body().contains("dispatched result"));
        assertEquals(Money.credits("996"), balance());
        assertEquals(0, memory.openHoldCount());
    }
}
