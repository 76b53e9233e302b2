package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.ledger.LedgerEntry;
import dev.tollgate.testapp.DispatchingServlet;
import dev.tollgate.testapp.LargeResultServlet;
import dev.tollgate.testing.SwitchableLedger;
import dev.tollgate.testing.TestServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
        try (Socket socket = connect("/large", "X-API-Key", "gold")) {
            String head = readHead(socket.getInputStream());
            assertTrue(head.startsWith("HTTP/1.1 200"), head);
            assertTrue(socket.getInputStream().readNBytes(1024).length > 0, "the first bytes of the result");
            socket.setSoLinger(true, 0); // close with a reset
        }
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
        try (Socket socket = connect("/large?mib=8&failAfterMib=2", "X-API-Key", "gold")) {
            socket.setSoTimeout(10_000);
            InputStream in = socket.getInputStream();
            head = readHead(in);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] buf = new byte[64 * 1024];
            try {
                for (int n; (n = in.read(buf)) >= 0; ) {
                    body.write(buf, 0, n);
                }
            } catch (IOException reset) {
                // a reset is one way to cut a response off
            }
            all = body.toByteArray();
        }
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertTrue(head.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked"), head);
        String tail = new String(all, Math.max(0, all.length - 16), Math.min(16, all.length), StandardCharsets.US_ASCII);
        assertFalse(tail.endsWith("0\r\n\r\n"), "no last chunk: the client can tell the result is incomplete");
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

    private Socket connect(String path, String... headers) throws IOException {
        URI uri = server.uri(path);
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        StringBuilder request = new StringBuilder("GET " + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** Reads up to the blank line that ends the response head. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int state = 0;
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) ? state + 1 : (b == '\n' && (state == 1 || state == 3))
                    ? state + 1 : 0;
            if (state == 4) {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }
}
