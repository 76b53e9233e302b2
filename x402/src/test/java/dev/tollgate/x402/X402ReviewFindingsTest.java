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
import java.net.http.HttpResponse;
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
        X402Scheme scheme = X402Scheme.builder().facilitator(facilitator.url()).payTo(Payments.PAY_TO).clock(clock)
                .requestTimeout(Duration.ofSeconds(5)).build();
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
}
