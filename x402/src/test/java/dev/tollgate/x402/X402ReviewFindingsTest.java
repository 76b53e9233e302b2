package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.TestServer;
import jakarta.json.Json;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The findings of the attacker review of the x402 scheme (issue 11): unknown settlement outcomes
 * stay unknown, one authorization is one claim whatever the header's version, facilitator answers
 * are checked against the payment, and short validity windows are refused before {@code /verify}.
 */
class X402ReviewFindingsTest {

    private static final String OTHER = "0x" + "99".repeat(20);
    private static final String NONCE_USED = "{\"success\":false,\"errorReason\":\"invalid_exact_evm_nonce_already_used\","
            + "\"transaction\":\"\",\"network\":\"eip155:84532\"}";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T12:00:00Z"));
    private StubFacilitator facilitator;
    private TestServer server;

    @BeforeEach
    void facilitator() throws Exception {
        facilitator = new StubFacilitator();
        TestServlets.RUNS.set(0);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        facilitator.close();
    }

    private void start() throws Exception {
        start(null);
    }

    private void start(String resourceBaseUrl) throws Exception {
        X402Scheme scheme = X402Scheme.builder().facilitator(facilitator.url()).payTo(Payments.PAY_TO).clock(clock)
                .requestTimeout(Duration.ofSeconds(5)).resourceBaseUrl(resourceBaseUrl).build();
        server = TestServer.builder().servlet("forecast", TestServlets.Forecast.class, "/forecast")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.builder().account("gold", Money.credits("10"))
                        .build())
                .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, scheme).start();
    }

    /** Asserts a 503 with Retry-After, no fresh offer, and that the same header is still refused without /verify. */
    private void assertUnknownAndKept(HttpResponse<String> r, String header) throws Exception {
        assertEquals(503, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("Retry-After").isPresent(), "Retry-After");
        assertFalse(r.headers().firstValue(X402Codec.PAYMENT_REQUIRED).isPresent(), "no fresh offer");
        assertFalse(r.body().contains("Forecast"), "nothing of the response delivered");
        int verifies = facilitator.verifies.get();
        HttpResponse<String> again = server.get("/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(503, again.statusCode(), "the claim is kept while the outcome is unknown: " + again.body());
        assertEquals(verifies, facilitator.verifies.get(), "a kept claim never reaches /verify again");
    }

    // H1: the first /settle's outcome is unknown, the retry fails: still unknown.
    @Test
    void aSettleThatFailsAfterA5xxIsUnknownAndKeepsTheClaim() throws Exception {
        start();
        facilitator.settle.add(new StubFacilitator.Answer(502, "{}", 0));
        facilitator.settle.add(StubFacilitator.Answer.ok(NONCE_USED));
        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(2, facilitator.settles.get());
        assertUnknownAndKept(r, header);
    }

    // H1, with settlement_pending first.
    @Test
    void aSettleThatFailsAfterPendingIsUnknownAndKeepsTheClaim() throws Exception {
        start();
        facilitator.settle.add(StubFacilitator.Answer.ok("{\"success\":false,\"errorReason\":\"settlement_pending\","
                + "\"transaction\":\"\",\"network\":\"eip155:84532\"}"));
        facilitator.settle.add(StubFacilitator.Answer.ok(NONCE_USED));
        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", header);
        assertUnknownAndKept(r, header);
    }

    // H2: a failure that names a transaction was broadcast: unknown, never declined.
    @Test
    void aSettleFailureCarryingATransactionIsUnknown() throws Exception {
        start();
        facilitator.settle.add(StubFacilitator.Answer.ok("{\"success\":false,\"errorReason\":\"settle_exact_node_failure\","
                + "\"transaction\":\"0x" + "8e".repeat(32) + "\",\"network\":\"eip155:84532\"}"));
        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(1, facilitator.settles.get(), "a definite answer is not retried");
        assertUnknownAndKept(r, header);
    }

    // A plain failure (no transaction, no unknown attempt before) is still a 402 that frees the claim.
    @Test
    void aPlainSettleFailureIsStillDeclined() throws Exception {
        start();
        facilitator.settle.add(StubFacilitator.Answer.ok(NONCE_USED));
        HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", Payments.v2("10000", clock.instant()));
        assertEquals(402, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue(X402Codec.PAYMENT_RESPONSE).isPresent());
    }

    // M1: the same EIP-3009 authorization as PAYMENT-SIGNATURE then as X-PAYMENT is one claim.
    @Test
    void oneAuthorizationSentAsV2AndAsV1IsServedOnce() throws Exception {
        start();
        String nonce = Payments.nonce();
        String v2 = Payments.v2("10000", clock.instant(), nonce, null);
        String v1 = Payments.encode(Json.createObjectBuilder().add("x402Version", 1).add("scheme", "exact")
                .add("network", "base-sepolia")
                .add("payload", Payments.payload("10000", clock.instant(), nonce.toUpperCase().replace("0X", "0x")))
                .build());
        assertEquals(200, server.get("/forecast", "PAYMENT-SIGNATURE", v2).statusCode());
        HttpResponse<String> b = server.get("/forecast", "X-PAYMENT", v1);
        assertEquals(402, b.statusCode(), b.body());
        assertTrue(b.body().contains("payment_already_used"), b.body());
        assertEquals(1, facilitator.verifies.get());
        assertEquals(1, facilitator.settles.get());
        assertEquals(1, TestServlets.RUNS.get());
    }

    // L1: /verify naming another payer is not trusted.
    @Test
    void aVerifyNamingAnotherPayerRunsNothing() throws Exception {
        start();
        facilitator.verify = StubFacilitator.Answer.ok("{\"isValid\":true,\"payer\":\"" + OTHER + "\"}");
        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(0, TestServlets.RUNS.get());
        assertEquals(0, facilitator.settles.get());
        assertUnknownAndKept(r, header);
    }

    // L1: a success on another network, without a transaction, or for another payer is not trusted.
    @Test
    void aSettleSuccessThatContradictsThePaymentIsUnknown() throws Exception {
        for (String answer : new String[] {
                "{\"success\":true,\"transaction\":\"0x" + "ab".repeat(32) + "\",\"network\":\"eip155:1\"}",
                "{\"success\":true,\"transaction\":\"\",\"network\":\"eip155:84532\"}",
                "{\"success\":true,\"transaction\":\"0x" + "ab".repeat(32) + "\r\nX: y\",\"network\":\"eip155:84532\"}",
                "{\"success\":true,\"transaction\":\"0x" + "ab".repeat(32) + "\",\"network\":\"eip155:84532\",\"payer\":\""
                        + OTHER + "\"}"}) {
            facilitator();
            start();
            facilitator.settle.add(StubFacilitator.Answer.ok(answer));
            String header = Payments.v2("10000", clock.instant());
            HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", header);
            assertFalse(r.headers().firstValue(X402Codec.PAYMENT_RESPONSE).isPresent(), answer);
            assertUnknownAndKept(r, header);
            stop();
        }
        server = null;
        facilitator = new StubFacilitator();
    }

    // L2: an authorization that ends before the endpoint could run and settle is refused locally.
    @Test
    void aShortValidityWindowIsRefusedBeforeVerify() throws Exception {
        start();
        String nonce = Payments.nonce();
        String header = Payments.v2("10000", clock.instant().minusSeconds(45), nonce, null); // validBefore = now + 15 s
        HttpResponse<String> r = server.get("/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(402, r.statusCode(), r.body());
        assertTrue(r.body().contains("authorization_expired: it must stay valid (validBefore) at least 30 s"), r.body());
        assertEquals(0, facilitator.verifies.get());
        assertEquals(200, server.get("/forecast", "PAYMENT-SIGNATURE",
                Payments.v2("10000", clock.instant().minusSeconds(29))).statusCode(), "31 s left is enough");
    }

    /** Sends a GET with a Host header of the client's choosing (the JDK client will not) and returns the answer. */
    private String rawGet(String path, String host) throws Exception {
        URI u = server.uri(path);
        try (Socket socket = new Socket(u.getHost(), u.getPort())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + u.getRawPath() + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String paymentRequired(String rawAnswer) {
        for (String line : rawAnswer.split("\r\n")) {
            if (line.regionMatches(true, 0, X402Codec.PAYMENT_REQUIRED + ":", 0, X402Codec.PAYMENT_REQUIRED.length() + 1)) {
                return new String(Base64.getDecoder().decode(line.substring(line.indexOf(':') + 1).strip()),
                        StandardCharsets.UTF_8);
            }
        }
        throw new AssertionError("no " + X402Codec.PAYMENT_REQUIRED + " in " + rawAnswer);
    }

    // L3: the resource URL in offers (and sent to the facilitator for v1) never comes from the Host header.
    @Test
    void theResourceUrlIgnoresTheHostHeader() throws Exception {
        start();
        String answer = rawGet("/forecast", "evil.example:666");
        assertTrue(answer.startsWith("HTTP/1.1 402"), answer);
        assertFalse(answer.contains("evil.example"), answer);
        assertTrue(paymentRequired(answer).contains("\"url\":\"http://127.0.0.1:" + server.uri("/").getPort()
                + "/app/forecast\""), paymentRequired(answer));
    }

    // L3: with a configured base URL, that is the resource URL's origin.
    @Test
    void theResourceUrlUsesTheConfiguredBase() throws Exception {
        start("https://api.example.com/");
        String answer = rawGet("/forecast", "evil.example");
        assertFalse(answer.contains("evil.example"), answer);
        assertTrue(answer.contains("\"resource\":\"https://api.example.com/app/forecast\""), answer); // v1 body
        assertTrue(paymentRequired(answer).contains("\"url\":\"https://api.example.com/app/forecast\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> X402Scheme.builder().facilitator(facilitator.url())
                .payTo(Payments.PAY_TO).resourceBaseUrl("https://api.example.com/v1?k=s3cret").build()).getMessage()
                .contains(X402Parameters.RESOURCE_BASE_URL));
    }

    // L4: a facilitator URL's credentials and query never appear in a message.
    @Test
    void facilitatorUrlSecretsAreNeverEchoed() {
        for (String url : List.of("https://user:s3cret@facilitator.example/x402", "https://facilitator.example/x402?key=s3cret",
                "https://facilitator.example/x402#s3cret", "ftp://user:s3cret@facilitator.example/x402?key=s3cret")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Facilitator(
                    List.of(URI.create(url)), Duration.ofSeconds(1), Duration.ofSeconds(1), Map.of()));
            assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
            IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> X402Parameters.read(
                    Map.of(X402Parameters.FACILITATOR, url, X402Parameters.PAY_TO, Payments.PAY_TO), clock, true));
            assertFalse(p.getMessage().contains("s3cret"), p.getMessage());
            assertTrue(p.getMessage().contains(X402Parameters.FACILITATOR), p.getMessage());
        }
        assertEquals("https://facilitator.example:8443/x402",
                Facilitator.redact(URI.create("https://u:p@facilitator.example:8443/x402?key=s3cret#f")));
    }

    // L5: an authentication header value with CR or LF stops the start, naming the parameter, not the value.
    @Test
    void anAuthHeaderValueWithALineBreakIsRefusedAtStartUp() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> X402Parameters.read(Map.of(
                X402Parameters.FACILITATOR, "http://127.0.0.1:9", X402Parameters.PAY_TO, Payments.PAY_TO,
                X402Parameters.AUTH_HEADER + "Authorization", "Bearer s3cret\r\nX-Evil: 1"), clock, true));
        assertTrue(e.getMessage().contains(X402Parameters.AUTH_HEADER + "Authorization"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> X402Scheme.builder()
                .facilitator("http://127.0.0.1:9").payTo(Payments.PAY_TO).authHeader("Authorization", "a\nb").build());
        assertTrue(b.getMessage().contains("Authorization"), b.getMessage());
    }

    // L5: a v1 payment for another scheme is refused locally.
    @Test
    void aV1PaymentForAnotherSchemeIsRefusedBeforeVerify() throws Exception {
        start();
        String v1 = Payments.encode(Json.createObjectBuilder().add("x402Version", 1).add("scheme", "upto")
                .add("network", "base-sepolia").add("payload", Payments.payload("10000", clock.instant(),
                        Payments.nonce())).build());
        HttpResponse<String> r = server.get("/forecast", "X-PAYMENT", v1);
        assertEquals(402, r.statusCode(), r.body());
        assertTrue(r.body().contains("unsupported_scheme"), r.body());
        assertEquals(0, facilitator.verifies.get());
    }
}
