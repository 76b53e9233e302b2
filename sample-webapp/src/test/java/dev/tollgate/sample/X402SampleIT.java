package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The sample's x402 endpoints deployed unmodified, configured by the settings the end-to-end harness
 * uses ({@code TOLLGATE_X402_FACILITATOR}, {@code TOLLGATE_X402_PAY_TO}), against a stub facilitator
 * in this JVM that accepts every payment: the 402s, a paid call, a replay, a failing endpoint and a
 * malformed header. Signatures are not checked here; the end-to-end harness does that on a chain.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class X402SampleIT {

    private static final String PAY_TO = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";
    private static final String PAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    private static final AtomicInteger SETTLES = new AtomicInteger();
    private static final HttpServer FACILITATOR;

    static {
        try {
            FACILITATOR = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        answer("/supported", "{\"kinds\":[{\"x402Version\":2,\"scheme\":\"exact\",\"network\":\"eip155:84532\"},"
                + "{\"x402Version\":1,\"scheme\":\"exact\",\"network\":\"base-sepolia\"}]}");
        answer("/verify", "{\"isValid\":true,\"payer\":\"" + PAYER + "\"}");
        answer("/settle", "{\"success\":true,\"transaction\":\"0x" + "ab".repeat(32) + "\",\"network\":"
                + "\"eip155:84532\",\"payer\":\"" + PAYER + "\"}");
        FACILITATOR.start();
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "");
        System.setProperty("TOLLGATE_X402_FACILITATOR", "http://127.0.0.1:" + FACILITATOR.getAddress().getPort());
        System.setProperty("TOLLGATE_X402_PAY_TO", PAY_TO);
    }

    private static void answer(String path, String body) {
        FACILITATOR.createContext(path, x -> {
            x.getRequestBody().readAllBytes();
            if (path.equals("/settle")) {
                SETTLES.incrementAndGet();
            }
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
    }

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("sample.war", "target/sample-webapp.war")));
    }

    @AfterAll
    static void shutdown() {
        // Empty hides an environment variable of the same name from the next deployments in this JVM.
        System.setProperty("TOLLGATE_X402_FACILITATOR", "");
        System.clearProperty("TOLLGATE_X402_PAY_TO");
        System.clearProperty("TOLLGATE_JDBC_URL");
        System.clearProperty("TOLLGATE_RATELIMIT_STORE");
        FACILITATOR.stop(0);
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return SampleHttp.send(base, "GET", path, null, headers);
    }

    private static String decode(HttpResponse<String> r, String header) {
        return new String(Base64.getDecoder().decode(r.headers().firstValue(header).orElseThrow()),
                StandardCharsets.UTF_8);
    }

    /** A v2 payment of an amount, as the official client builds it (unsigned: the stub does not check). */
    private static String payment(String amount) {
        long now = System.currentTimeMillis() / 1000;
        String json = "{\"x402Version\":2,\"accepted\":{\"scheme\":\"exact\",\"network\":\"eip155:84532\",\"amount\":\""
                + amount + "\",\"asset\":\"0x036CbD53842c5426634e7929541eC2318f3dCF7e\",\"payTo\":\"" + PAY_TO
                + "\",\"maxTimeoutSeconds\":60,\"extra\":{\"name\":\"USDC\",\"version\":\"2\"}},\"payload\":{"
                + "\"signature\":\"0x" + "11".repeat(65) + "\",\"authorization\":{\"from\":\"" + PAYER + "\",\"to\":\""
                + PAY_TO + "\",\"value\":\"" + amount + "\",\"validAfter\":\"" + (now - 600) + "\",\"validBefore\":\""
                + (now + 60) + "\",\"nonce\":\"0x" + String.format("%064x", System.nanoTime()) + "\"}}}";
        return Base64.getEncoder().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theX402EndpointsOfferTheirPricesToV2AndV1Clients() throws Exception {
        for (String path : List.of("/api/x402/forecast", "/rest/x402/forecast")) {
            HttpResponse<String> r = get(path);
            assertEquals(402, r.statusCode(), path);
            assertTrue(decode(r, "PAYMENT-REQUIRED").contains("\"amount\":\"10000\""), path);
            Map<String, Object> body = SampleHttp.json(r);
            assertEquals("1", String.valueOf(body.get("x402Version")).replace(".0", ""), path);
            assertTrue(r.body().contains("\"maxAmountRequired\":\"10000\""), r.body());
            assertTrue(r.body().contains("\"network\":\"base-sepolia\""), r.body());
        }
        HttpResponse<String> quote = get("/api/quotes/ACME");
        assertEquals(402, quote.statusCode());
        assertTrue(decode(quote, "PAYMENT-REQUIRED").contains("\"amount\":\"1000\""));
        assertTrue(quote.body().contains("\"scheme\":\"account\"") && quote.body().contains("\"scheme\":\"x402\""),
                quote.body());
        assertEquals(200, get("/api/quotes/ACME", "X-API-Key", "demo-gold").statusCode());
    }

    @Test
    void aPaymentIsSettledOnceAndAFailureSettlesNothing() throws Exception {
        int before = SETTLES.get();
        String header = payment("10000");
        assertEquals(500, get("/api/x402/forecast?fail=true", "PAYMENT-SIGNATURE", header).statusCode());
        assertEquals(before, SETTLES.get());
        HttpResponse<String> paid = get("/api/x402/forecast", "PAYMENT-SIGNATURE", header);
        assertEquals(200, paid.statusCode(), paid.body());
        assertTrue(decode(paid, "PAYMENT-RESPONSE").contains("\"success\":true"));
        assertEquals(before + 1, SETTLES.get());
        assertEquals(402, get("/api/x402/forecast", "PAYMENT-SIGNATURE", header).statusCode());
        assertEquals(200, get("/rest/x402/forecast", "PAYMENT-SIGNATURE", payment("10000")).statusCode());
        assertEquals(200, get("/api/quotes/ACME", "PAYMENT-SIGNATURE", payment("1000")).statusCode());
        assertEquals(400, get("/api/x402/forecast", "PAYMENT-SIGNATURE", "not base64!").statusCode());
        assertEquals(before + 3, SETTLES.get());
    }
}
