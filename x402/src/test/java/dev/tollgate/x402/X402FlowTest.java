package dev.tollgate.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.MutableClock;
import dev.tollgate.testing.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The x402 scheme over real HTTP: an embedded Jetty with Tollgate and a stub facilitator on the JDK's
 * HTTP server. Each test asserts what a client sees (status, decoded headers, body) and what the
 * facilitator was asked (verify and settle counts), and how often the endpoint ran.
 */
class X402FlowTest {

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

    private X402Scheme.Builder scheme() {
        return X402Scheme.builder().facilitator(facilitator.url()).payTo(Payments.PAY_TO).clock(clock)
                .requestTimeout(Duration.ofSeconds(5));
    }

    private TestServer start() throws Exception {
        return start(scheme().build());
    }

    private TestServer start(X402Scheme scheme) throws Exception {
        server = TestServer.builder()
                .servlet("forecast", TestServlets.Forecast.class, "/forecast")
                .servlet("quote", TestServlets.Quote.class, "/quote")
                .servlet("order", TestServlets.Order.class, "/order")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.builder().account("gold", Money.credits("10"))
                        .build())
                .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, scheme)
                .start();
        return server;
    }

    private HttpResponse<String> pay(String path, String header) throws Exception {
        return server.get(path, X402Codec.PAYMENT_SIGNATURE, header);
    }

    private static JsonObject body(HttpResponse<String> r) {
        return Json.createReader(new StringReader(r.body())).readObject();
    }

    private static String type(HttpResponse<String> r) {
        return body(r).getString("type").replace("https://tollgate.dev/problems/", "");
    }

    @Test
    void the402OffersV2InTheHeaderAndV1InTheBody() throws Exception {
        start();
        HttpResponse<String> r = server.get("/forecast?city=lisbon");
        assertEquals(402, r.statusCode());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElseThrow());
        JsonObject required = Payments.decode(r.headers().firstValue("PAYMENT-REQUIRED").orElseThrow());
        assertEquals(2, required.getInt("x402Version"));
        assertEquals(server.uri("/forecast?city=lisbon").toString(), required.getJsonObject("resource").getString("url"));
        JsonObject accepts = required.getJsonArray("accepts").getJsonObject(0);
        assertEquals("{\"scheme\":\"exact\",\"network\":\"eip155:84532\",\"amount\":\"10000\",\"asset\":\""
                + Payments.ASSET + "\",\"payTo\":\"" + Payments.PAY_TO + "\",\"maxTimeoutSeconds\":60,"
                + "\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}}", accepts.toString());
        JsonObject body = body(r);
        assertEquals("payment-required", type(r));
        assertEquals("x402", body.getJsonArray("payment-options").getJsonObject(0).getString("scheme"));
        assertEquals(1, body.getInt("x402Version"));
        assertTrue(body.containsKey("error"));
        JsonObject v1 = body.getJsonArray("accepts").getJsonObject(0);
        assertEquals("base-sepolia", v1.getString("network"));
        assertEquals("10000", v1.getString("maxAmountRequired"));
        assertEquals(server.uri("/forecast?city=lisbon").toString(), v1.getString("resource"));
        assertEquals("A forecast", v1.getString("description"));
        assertEquals(0, facilitator.verifies.get() + TestServlets.RUNS.get());
    }

    @Test
    void aPaymentIsVerifiedSettledAndDeliveredOnceAndNeverServedAgain() throws Exception {
        start();
        String header = Payments.v2("10000", clock.instant());
        HttpResponse<String> r = pay("/forecast", header);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("private", r.headers().firstValue("Cache-Control").orElseThrow());
        JsonObject settled = Payments.decode(r.headers().firstValue("PAYMENT-RESPONSE").orElseThrow());
        assertTrue(settled.getBoolean("success"));
        assertEquals("0x" + "ab".repeat(32), settled.getString("transaction"));
        assertEquals(Payments.PAYER, settled.getString("payer"));
        assertEquals(1, facilitator.verifies.get());
        assertEquals(1, facilitator.settles.get());
        // The facilitator got the payment verbatim and the route's requirement.
        JsonObject settleBody = facilitator.settleBodies.get(0);
        assertEquals(Payments.decode(header), settleBody.getJsonObject("paymentPayload"));
        assertEquals("10000", settleBody.getJsonObject("paymentRequirements").getString("amount"));

        HttpResponse<String> replay = pay("/forecast", header);
        assertEquals(402, replay.statusCode());
        assertEquals("payment-declined", type(replay));
        assertEquals(1, facilitator.verifies.get(), "a spent payment is refused before any facilitator call");
        assertEquals(1, facilitator.settles.get());
        assertEquals(1, TestServlets.RUNS.get());
    }

    @Test
    void malformedHeadersAre400WithoutAFacilitatorCall() throws Exception {
        start();
        Instant now = clock.instant();
        String good = new String(java.util.Base64.getDecoder().decode(Payments.v2("10000", now)),
                java.nio.charset.StandardCharsets.UTF_8);
        List<String> bad = List.of(
                "not base64!",
                Payments.base64("not json"),
                Payments.base64("[1,2]"),
                Payments.base64("{\"x402Version\":2}"),
                Payments.base64(good.replace("\"x402Version\":2", "\"x402Version\":1e999999999")),
                Payments.base64(good.replace("\"value\":\"10000\"", "\"value\":10000")),
                Payments.base64(good.replace("\"value\":\"10000\"", "\"value\":\"10000\",\"value\":\"1\"")),
                Payments.base64(good.replace("\"value\":\"10000\"", "\"value\":\"1" + "0".repeat(90) + "\"")),
                Payments.base64(good.replace("\"nonce\":\"0x", "\"nonce\":\"0xzz")),
                "A".repeat(X402Codec.MAX_HEADER_CHARS + 4),
                Payments.base64("{\"x402Version\":2,\"accepted\":" + "[".repeat(2000) + "]".repeat(2000) + "}"));
        for (String header : bad) {
            HttpResponse<String> r = pay("/forecast", header);
            assertEquals(400, r.statusCode(), header.length() > 80 ? header.substring(0, 80) : header);
            assertEquals("malformed-request", type(r));
            assertFalse(r.body().contains("Exception"), r.body());
        }
        HttpResponse<String> two = server.get("/forecast", "PAYMENT-SIGNATURE", Payments.v2("10000", now),
                "X-PAYMENT", Payments.v1("10000", now));
        assertEquals(400, two.statusCode());
        assertEquals(0, facilitator.verifies.get());
        assertEquals(0, TestServlets.RUNS.get());
    }

    @Test
    void localChecksRefuseBeforeAnyNetworkCall() throws Exception {
        start();
        Instant now = clock.instant();
        assertEquals(402, pay("/forecast", Payments.v2("9999", now)).statusCode(), "wrong amount");
        assertEquals(402, pay("/quote", Payments.v2("10000", now)).statusCode(), "another route's amount");
        HttpResponse<String> expired = pay("/forecast", Payments.v2("10000", now.minusSeconds(120)));
        assertEquals(402, expired.statusCode());
        assertTrue(body(expired).getString("detail").contains("authorization_expired"), expired.body());
        assertEquals(402, pay("/forecast", Payments.v2("10000", now.plusSeconds(3600))).statusCode(), "not yet valid");
        assertEquals(0, facilitator.verifies.get());
        assertEquals(0, TestServlets.RUNS.get());
    }

    @Test
    void anInvalidPaymentIs402AndNothingRuns() throws Exception {
        start();
        facilitator.verify = StubFacilitator.Answer.ok("{\"isValid\":false,\"invalidReason\":"
                + "\"invalid_exact_evm_insufficient_balance\",\"invalidMessage\":\"long text from viem\"}");
        HttpResponse<String> r = pay("/forecast", Payments.v2("10000", clock.instant()));
        assertEquals(402, r.statusCode());
        assertEquals("payment-declined", type(r));
        assertTrue(r.body().contains("invalid_exact_evm_insufficient_balance"));
        assertFalse(r.body().contains("long text from viem"));
        assertEquals("invalid_exact_evm_insufficient_balance",
                Payments.decode(r.headers().firstValue("PAYMENT-REQUIRED").orElseThrow()).getString("error"));
        assertEquals(0, facilitator.settles.get());
        assertEquals(0, TestServlets.RUNS.get());
    }

    @Test
    void aFailingFacilitatorIs502AndTheSamePaymentWorksOnceItIsBack() throws Exception {
        start();
        String header = Payments.v2("10000", clock.instant());
        facilitator.verify = new StubFacilitator.Answer(500, "{\"error\":\"boom\"}", 0);
        HttpResponse<String> r = pay("/forecast", header);
        assertEquals(502, r.statusCode());
        assertEquals("payment-provider-failed", type(r));
        assertFalse(r.body().contains("boom"));
        assertEquals(0, TestServlets.RUNS.get());
        facilitator.verify = StubFacilitator.Answer.ok(StubFacilitator.VALID);
        assertEquals(200, pay("/forecast", header).statusCode(), "the claim was released");
        assertEquals(1, facilitator.settles.get());
    }

    @Test
    void aSlowFacilitatorAtVerifyIs502() throws Exception {
        start(scheme().requestTimeout(Duration.ofMillis(300)).build());
        facilitator.verify = new StubFacilitator.Answer(200, StubFacilitator.VALID, 2_000);
        HttpResponse<String> r = pay("/forecast", Payments.v2("10000", clock.instant()));
        assertEquals(502, r.statusCode());
        assertEquals(0, TestServlets.RUNS.get());
        assertEquals(0, facilitator.settles.get());
    }

    @Test
    void aFacilitatorThatCannotBeReachedIs502() throws Exception {
        start();
        facilitator.close(); // gone after the start
        HttpResponse<String> r = pay("/forecast", Payments.v2("10000", clock.instant()));
        assertEquals(502, r.statusCode());
    }

    @Test
    void aFacilitatorThatCannotBeReachedIsSkippedForTheNextOne() throws Exception {
        start(X402Scheme.builder().facilitator("http://127.0.0.1:" + freePort()).facilitator(facilitator.url())
                .payTo(Payments.PAY_TO).clock(clock).build());
        assertEquals(200, pay("/forecast", Payments.v2("10000", clock.instant())).statusCode());
        assertEquals(1, facilitator.verifies.get());
        assertEquals(1, facilitator.settles.get());
    }

    @Test
    void aConfiguredPolicyAcceptsX402WithAPriceInTheAsset() throws Exception {
        server = TestServer.builder()
                .servlet("plain", TestServlets.Plain.class, "/plain/*")
                .initParam("tollgate.policy.weather.paths", "/plain/*")
                .initParam("tollgate.policy.weather.price", "0.02")
                .initParam("tollgate.policy.weather.currency", "USDC")
                .initParam("tollgate.policy.weather.schemes", "x402")
                .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, scheme().build())
                .start();
        HttpResponse<String> offer = server.get("/plain/x");
        assertEquals(402, offer.statusCode());
        assertEquals("20000", Payments.decode(offer.headers().firstValue("PAYMENT-REQUIRED").orElseThrow())
                .getJsonArray("accepts").getJsonObject(0).getString("amount"));
        assertEquals(200, pay("/plain/x", Payments.v2("20000", clock.instant())).statusCode());
        assertEquals(1, facilitator.settles.get());
    }

    private static int freePort() throws Exception {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void aDeclineAtSettlementIs402WithTheReasonAndNotTheMessage() throws Exception {
        start();
        facilitator.settle.add(StubFacilitator.Answer.ok("{\"success\":false,\"errorReason\":"
                + "\"invalid_exact_evm_nonce_already_used\",\"errorMessage\":\"kilobytes of viem\",\"transaction\":\"\","
                + "\"network\":\"eip155:84532\"}"));
        HttpResponse<String> r = pay("/forecast", Payments.v2("10000", clock.instant()));
        assertEquals(402, r.statusCode());
        assertEquals("payment-declined", type(r));
        assertFalse(r.body().contains("sunny"), "the endpoint's answer is not delivered unpaid");
        JsonObject answer = Payments.decode(r.headers().firstValue("PAYMENT-RESPONSE").orElseThrow());
        assertFalse(answer.getBoolean("success"));
        assertEquals("invalid_exact_evm_nonce_already_used", answer.getString("errorReason"));
        assertFalse(answer.containsKey("errorMessage"));
        assertFalse(r.body().contains("kilobytes of viem"));
    }

    @Test
    void settlementPendingIsRetriedOnceThenDelivered() throws Exception {
        start();
        facilitator.settle.add(StubFacilitator.Answer.ok("{\"success\":false,\"errorReason\":\"settlement_pending\","
                + "\"transaction\":\"0x" + "cd".repeat(32) + "\",\"network\":\"eip155:84532\"}"));
        facilitator.settle.add(StubFacilitator.Answer.ok(StubFacilitator.SETTLED));
        HttpResponse<String> r = pay("/forecast", Payments.v2("10000", clock.instant()));
        assertEquals(200, r.statusCode());
        assertEquals(2, facilitator.settles.get());
        assertEquals(facilitator.settleBodies.get(0), facilitator.settleBodies.get(1), "the same payload twice");
    }

    @Test
    void anOutcomeStillUnknownAfterTheRetryIs503WithoutAFreshChallengeAndKeepsTheClaim() throws Exception {
        start();
        String header = Payments.v2("10000", clock.instant());
        facilitator.settle.add(StubFacilitator.Answer.ok("{\"success\":false,\"errorReason\":\"settlement_pending\","
                + "\"transaction\":\"\",\"network\":\"eip155:84532\"}"));
        HttpResponse<String> r = pay("/forecast", header);
        assertEquals(503, r.statusCode());
        assertTrue(r.headers().firstValue("Retry-After").isPresent());
        assertTrue(r.headers().firstValue("PAYMENT-REQUIRED").isEmpty(), "no fresh challenge");
        assertFalse(r.body().contains("sunny"));
        assertEquals(2, facilitator.settles.get());
        HttpResponse<String> again = pay("/forecast", header);
        assertEquals(503, again.statusCode(), "the payment is not served while its outcome is unknown");
        assertTrue(again.headers().firstValue("PAYMENT-REQUIRED").isEmpty());
        assertEquals(1, facilitator.verifies.get());
        assertEquals(2, facilitator.settles.get());
        assertEquals(1, TestServlets.RUNS.get());
    }

    @Test
    void aSettleTimeoutIsRetriedOnceThen503() throws Exception {
        start(scheme().requestTimeout(Duration.ofMillis(300)).build());
        facilitator.settle.add(new StubFacilitator.Answer(200, StubFacilitator.SETTLED, 2_000));
        HttpResponse<String> r = pay("/forecast", Payments.v2("10000", clock.instant()));
        assertEquals(503, r.statusCode());
        assertEquals(2, facilitator.settles.get());
    }

    @Test
    void aFailedEndpointSettlesNothingAndFreesThePayment() throws Exception {
        start();
        String header = Payments.v2("10000", clock.instant());
        assertEquals(500, pay("/forecast?fail=true", header).statusCode());
        assertEquals(404, pay("/forecast?status=404", header).statusCode());
        assertEquals(0, facilitator.settles.get());
        assertEquals(200, pay("/forecast", header).statusCode());
        assertEquals(1, facilitator.settles.get());
    }

    @Test
    void sixteenConcurrentCopiesOfOnePaymentRunTheEndpointOnceAndSettleOnce() throws Exception {
        start();
        facilitator.verify = new StubFacilitator.Answer(200, StubFacilitator.VALID, 100); // widen the race window
        String header = Payments.v2("10000", clock.instant());
        ExecutorService pool = Executors.newFixedThreadPool(16);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(pool.submit((Callable<HttpResponse<String>>) () -> {
                go.await();
                return pay("/forecast", header);
            }));
        }
        go.countDown();
        int delivered = 0;
        for (Future<HttpResponse<String>> f : calls) {
            HttpResponse<String> r = f.get();
            if (r.statusCode() == 200) {
                delivered++;
            } else {
                assertTrue(r.statusCode() == 409 || r.statusCode() == 402, r.statusCode() + " " + r.body());
                assertFalse(r.body().contains("sunny"));
            }
        }
        pool.shutdown();
        assertEquals(1, delivered);
        assertEquals(1, TestServlets.RUNS.get());
        assertEquals(1, facilitator.verifies.get());
        assertEquals(1, facilitator.settles.get());
    }

    @Test
    void oneEndpointTakesAnApiKeyOrX402AndIts402OffersBoth() throws Exception {
        start();
        HttpResponse<String> r = server.get("/quote");
        assertEquals(402, r.statusCode());
        var options = body(r).getJsonArray("payment-options");
        assertEquals("account", options.getJsonObject(0).getString("scheme"));
        assertEquals("x402", options.getJsonObject(1).getString("scheme"));
        assertEquals("1000", Payments.decode(r.headers().firstValue("PAYMENT-REQUIRED").orElseThrow())
                .getJsonArray("accepts").getJsonObject(0).getString("amount"));
        assertEquals(200, server.get("/quote", "X-API-Key", "gold").statusCode());
        assertEquals(0, facilitator.verifies.get());
        HttpResponse<String> paid = pay("/quote", Payments.v2("1000", clock.instant()));
        assertEquals(200, paid.statusCode());
        assertEquals(1, facilitator.settles.get());
    }

    @Test
    void aV1ClientPaysWithXPaymentAndGetsXPaymentResponse() throws Exception {
        start();
        HttpResponse<String> r = server.get("/forecast", "X-PAYMENT", Payments.v1("10000", clock.instant()));
        assertEquals(200, r.statusCode(), r.body());
        assertTrue(r.headers().firstValue("X-PAYMENT-RESPONSE").isPresent());
        assertTrue(r.headers().firstValue("PAYMENT-RESPONSE").isEmpty());
        JsonObject sent = facilitator.verifyBodies.get(0);
        assertEquals(1, sent.getInt("x402Version"));
        assertEquals("10000", sent.getJsonObject("paymentRequirements").getString("maxAmountRequired"));
        assertEquals("base-sepolia", sent.getJsonObject("paymentRequirements").getString("network"));
    }

    @Test
    void paymentIdentifiersReplayTheStoredResponseAndRefuseReuseWithAnotherPayment() throws Exception {
        start();
        Instant now = clock.instant();
        String id = "pay_0123456789abcdef";
        String header = Payments.v2("10000", now, Payments.nonce(), id);
        HttpResponse<String> first = pay("/order", header);
        assertEquals(200, first.statusCode());
        HttpResponse<String> again = pay("/order", header);
        assertEquals(200, again.statusCode());
        assertEquals(first.body(), again.body());
        assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElseThrow());
        assertEquals(1, facilitator.settles.get());
        assertEquals(1, TestServlets.RUNS.get());

        HttpResponse<String> other = pay("/order", Payments.v2("10000", now, Payments.nonce(), id));
        assertEquals(409, other.statusCode());
        HttpResponse<String> missing = pay("/order", Payments.v2("10000", now));
        assertEquals(400, missing.statusCode());
        assertEquals(1, facilitator.settles.get());
        assertEquals(1, TestServlets.RUNS.get());
    }

    @Test
    void aNetworkTheFacilitatorDoesNotSupportStopsTheStartNamingTheEndpoint() {
        facilitator.supported = "{\"kinds\":[{\"x402Version\":2,\"scheme\":\"exact\",\"network\":\"eip155:8453\"}]}";
        Exception e = assertThrows(Exception.class, this::start);
        String all = messages(e);
        assertTrue(all.contains("does not support the exact scheme on eip155:84532"), all);
        assertTrue(all.matches("(?s).*GET (forecast|quote|order): .*"), all);
    }

    @Test
    void aPriceX402CannotReadStopsTheStartNamingTheEndpoint() {
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("unpriceable", TestServlets.Unpriceable.class, "/u")
                .attribute(Tollgate.PAYMENT_SCHEMES_ATTRIBUTE, scheme().build()).start().close());
        String all = messages(e);
        assertTrue(all.contains("Unpriceable"), all);
        assertTrue(all.contains("price is in credits"), all);
    }

    @Test
    void anUnreachableFacilitatorAtStartStopsTheDeployment() throws Exception {
        int port = freePort();
        Exception e = assertThrows(Exception.class, () -> start(X402Scheme.builder()
                .facilitator("http://127.0.0.1:" + port).payTo(Payments.PAY_TO).build()));
        assertTrue(messages(e).contains("cannot check what the x402 facilitator supports"), messages(e));
    }

    @Test
    void aBrowserGetsAReadablePageWithThePriceStill402WithTheHeaders() throws Exception {
        start();
        HttpResponse<String> r = server.get("/forecast", "Accept", "text/html,application/xhtml+xml,*/*;q=0.8");
        assertEquals(402, r.statusCode());
        assertTrue(r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/html"));
        assertTrue(r.headers().firstValue("PAYMENT-REQUIRED").isPresent());
        assertTrue(r.body().contains("0.01 USDC"), r.body());
        assertFalse(r.body().contains("<script"), r.body());
    }

    @Test
    void aDisabledSchemeOffersNothingAndRefusesWith503() throws Exception {
        start(X402Scheme.disabled("not configured in this test"));
        assertEquals(503, server.get("/forecast").statusCode(), "an x402-only endpoint is never free");
        HttpResponse<String> quote = server.get("/quote");
        assertEquals(402, quote.statusCode());
        assertEquals(1, body(quote).getJsonArray("payment-options").size());
        assertEquals(503, pay("/quote", Payments.v2("1000", clock.instant())).statusCode());
    }

    @Test
    void theServiceLoaderSchemeReadsTollgateX402Parameters() throws Exception {
        server = TestServer.builder()
                .servlet("forecast", TestServlets.Forecast.class, "/forecast")
                .initParam("tollgate.x402.facilitator", facilitator.url())
                .initParam("tollgate.x402.payTo", Payments.PAY_TO)
                .initParam("tollgate.x402.requestTimeoutMillis", "5000")
                .initParam("tollgate.x402.authHeader.Authorization", "Bearer s3cret-token")
                .start();
        HttpResponse<String> offer = server.get("/forecast");
        assertEquals(402, offer.statusCode());
        assertTrue(offer.headers().firstValue("PAYMENT-REQUIRED").isPresent());
        assertEquals(200, pay("/forecast", Payments.v2("10000", Instant.now())).statusCode());
        assertEquals("Bearer s3cret-token", facilitator.authorization, "sent to the facilitator");
        assertFalse(offer.body().contains("s3cret"));
    }

    @Test
    void aBadOrMisspelledX402ParameterStopsTheStartNamingIt() {
        Exception bad = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("forecast", TestServlets.Forecast.class, "/forecast")
                .initParam("tollgate.x402.facilitator", facilitator.url())
                .initParam("tollgate.x402.payTo", "0x12").start().close());
        assertTrue(messages(bad).contains("tollgate.x402.payTo = \"0x12\""), messages(bad));
        Exception typo = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("forecast", TestServlets.Forecast.class, "/forecast")
                .initParam("tollgate.x402.facilitater", facilitator.url()).start().close());
        assertTrue(messages(typo).contains("tollgate.x402.facilitater") && messages(typo).contains("tollgate-x402"),
                messages(typo));
        Exception none = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("forecast", TestServlets.Forecast.class, "/forecast").start().close());
        assertTrue(messages(none).contains("tollgate.x402.facilitator is required"), messages(none));
    }

    static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = e; c != null; c = c.getCause()) {
            all.append(c.getMessage()).append(" | ");
        }
        return all.toString();
    }
}
