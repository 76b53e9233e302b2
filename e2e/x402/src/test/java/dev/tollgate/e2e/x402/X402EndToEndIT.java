package dev.tollgate.e2e.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.Configurations;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.ajax.JSON;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 11, end to end: the sample WAR is paid in test USDC by the official x402 clients, {@code @x402/fetch}
 * 2.27.0 (v2, {@code PAYMENT-SIGNATURE}) and {@code x402-fetch} 1.2.0 (v1, {@code X-PAYMENT}), through a facilitator
 * built on the official {@code @x402/core} + {@code @x402/evm} 2.27.0, on a local Hardhat chain: no internet once
 * {@code npm ci} has run. Each test asserts what a client sees (status, decoded payment headers, body) and what
 * the chain shows: the payer's and the merchant's USDC balances, and the block count (the chain mines one block
 * per transaction, and only settlements send transactions, so the block count is the number of transfers).
 *
 * <p>Needs Node 20+ and npm on the PATH; without them the tests are skipped with a message, except under
 * {@code CI=true}, where they fail. How to run it by hand: docs/x402-e2e.md.
 */
class X402EndToEndIT {

    private static final BigInteger FORECAST = BigInteger.valueOf(10_000); // 0.01 USDC in atomic units
    private static final BigInteger QUOTE = BigInteger.valueOf(1_000); // 0.001 USDC
    private static final String NETWORK = "eip155:84532";
    private static final String[] SETTINGS = {"TOLLGATE_X402_FACILITATOR", "TOLLGATE_X402_PAY_TO",
            "TOLLGATE_X402_NETWORK", "TOLLGATE_X402_ASSET", "TOLLGATE_JDBC_URL", "TOLLGATE_RATELIMIT_STORE"};
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    private static X402Stack stack;
    private static Server sample;
    private static OfficialClients clients;
    private static String skipped;

    @BeforeAll
    static void startEverything() throws Exception {
        Path work = Path.of(System.getProperty("x402.e2e.work", "target/x402-e2e")).toAbsolutePath();
        Path node = Path.of(System.getProperty("x402.e2e.node", "node")).toAbsolutePath();
        Files.createDirectories(work);
        // This run's logs only (the npm ci logs stay: they are written only when npm ci runs).
        for (String log : new String[] {"chain.log", "facilitator.log", "setup.log", "clients.log"}) {
            Files.deleteIfExists(work.resolve(log));
        }
        String missing = NodeToolchain.missing(work.resolve("toolchain.log"));
        if (missing != null) {
            String why = "x402 end-to-end test (e2e/x402) needs Node " + NodeToolchain.MIN_NODE_MAJOR
                    + "+ and npm: " + missing;
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new IllegalStateException("CI=true, so it must run: " + why);
            }
            skipped = "SKIPPED: " + why + ". Install Node " + NodeToolchain.MIN_NODE_MAJOR
                    + "+ to run it; under CI=true it fails instead of skipping.";
            System.err.println("\n" + "!".repeat(100) + "\n!!! " + skipped + "\n" + "!".repeat(100) + "\n");
            return;
        }
        long start = System.nanoTime();
        // The two installs are independent: run them side by side (the v1 client's is the big one).
        CompletableFuture<Boolean> v1 = CompletableFuture.supplyAsync(() -> {
            try {
                return NodeToolchain.installIfStale(node.resolve("v1"), work.resolve("npm-ci-v1.log"));
            } catch (Exception e) {
                throw new CompletionException(e);
            }
        });
        try {
            NodeToolchain.installIfStale(node, work.resolve("npm-ci.log"));
        } finally {
            try {
                v1.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof Exception c ? c : e;
            }
        }
        long installed = System.nanoTime();
        stack = X402Stack.start(node, work);
        long stackUp = System.nanoTime();
        System.setProperty("TOLLGATE_X402_FACILITATOR", stack.facilitatorUrl());
        System.setProperty("TOLLGATE_X402_PAY_TO", X402Stack.PAY_TO);
        System.setProperty("TOLLGATE_X402_NETWORK", NETWORK);
        System.setProperty("TOLLGATE_X402_ASSET", X402Stack.USDC);
        // Empty hides the environment variable of the same name: the in-memory ledger and limits.
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "");
        sample = deploySample();
        clients = new OfficialClients(node, stack.env(), work.resolve("clients.log"));
        System.out.printf("x402 e2e: npm ci check %d ms, chain + token + facilitator %d ms, sample %d ms%n",
                (installed - start) / 1_000_000, (stackUp - installed) / 1_000_000,
                (System.nanoTime() - stackUp) / 1_000_000);
    }

    /** Each test is reported as skipped, with the reason, when the machine has no Node (outside CI). */
    @BeforeEach
    void skipWithoutNode() {
        Assumptions.assumeTrue(skipped == null, () -> skipped);
    }

    @AfterAll
    static void stopEverything() throws Exception {
        try {
            if (sample != null) {
                sample.stop();
            }
        } finally {
            for (String s : SETTINGS) {
                System.clearProperty(s);
            }
            if (stack != null) {
                stack.close();
            }
        }
    }

    private static Server deploySample() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        Configurations.setServerDefault(server).add(new AnnotationConfiguration());
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/");
        webapp.setWar(new File(System.getProperty("sample.war", "target/sample-webapp.war")).getAbsolutePath());
        webapp.setThrowUnavailableOnStartupException(true);
        webapp.setParentLoaderPriority(false);
        server.setHandler(webapp);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return server;
    }

    private static String url(String path) {
        return "http://127.0.0.1:" + ((ServerConnector) sample.getConnectors()[0]).getLocalPort() + path;
    }

    // ---------------------------------------------------------------- the scenarios

    @Test
    void paidRequestIsServedAndSettledExactlyOnce() throws Exception {
        Chain before = Chain.read();
        OfficialClients.Outcome o = clients.v2(url("/api/x402/forecast"), "payer");

        assertEquals(200, o.status(), o.toString());
        assertNull(o.error(), o.toString());
        assertEquals(1, o.paymentSignatures().size(), "one payment, one header: " + o);
        Map<String, Object> offer = onlyExactOffer(o.paymentRequired());
        assertEquals(NETWORK, offer.get("network"));
        assertEquals("10000", offer.get("amount"));
        assertTrue(X402Stack.USDC.equalsIgnoreCase((String) offer.get("asset")), offer.toString());
        assertTrue(X402Stack.PAY_TO.equalsIgnoreCase((String) offer.get("payTo")), offer.toString());
        assertSettled(o.paymentResponse(), X402Stack.PAYER);
        assertEquals("private", o.cacheControl(), "a paid response is for this client only");
        Chain after = Chain.read();
        after.assertMoved(before, FORECAST, 1);
    }

    @Test
    void theSamePaymentHeaderReplayedIsRefusedWithoutATransfer() throws Exception {
        OfficialClients.Outcome paid = clients.v2(url("/api/x402/forecast"), "payer");
        assertEquals(200, paid.status(), paid.toString());
        Chain before = Chain.read();

        HttpResponse<String> replay = get("/api/x402/forecast", "PAYMENT-SIGNATURE", paid.paymentSignatures().get(0));

        assertEquals(402, replay.statusCode(), replay.body());
        assertNotSettledHeader(replay);
        assertEquals("no-store", replay.headers().firstValue("Cache-Control").orElse(null));
        HttpResponse<String> elsewhere = get("/rest/x402/forecast", "PAYMENT-SIGNATURE",
                paid.paymentSignatures().get(0));
        assertEquals(402, elsewhere.statusCode(), "the same requirement on another endpoint: " + elsewhere.body());
        assertNotSettledHeader(elsewhere);
        Chain.read().assertMoved(before, BigInteger.ZERO, 0);
    }

    @Test
    void anUnfundedPayerIsRefusedWith402() throws Exception {
        Chain before = Chain.read();
        OfficialClients.Outcome o = clients.v2(url("/api/x402/forecast"), "poor");

        assertEquals(402, o.status(), o.toString());
        assertEquals(1, o.paymentSignatures().size(), "the client did sign and send a payment: " + o);
        if (o.paymentResponse() != null) {
            assertEquals(Boolean.FALSE, o.paymentResponse().get("success"), o.toString());
        }
        assertEquals("no-store", o.cacheControl(), o.toString());
        assertNotNull(o.lastPaymentRequired(), "the refusal is a fresh x402 offer: " + o);
        assertTrue(String.valueOf(o.lastPaymentRequired().get("error")).contains("insufficient_balance"),
                "the facilitator's reason is passed through: " + o.lastPaymentRequired());
        Chain after = Chain.read();
        after.assertMoved(before, BigInteger.ZERO, 0);
        assertEquals(before.poor, after.poor);
    }

    @Test
    void anEndpointFailureSettlesNothing() throws Exception {
        Chain before = Chain.read();
        OfficialClients.Outcome o = clients.v2(url("/api/x402/forecast?fail=true"), "payer");

        assertEquals(500, o.status(), o.toString());
        assertEquals(1, o.paymentSignatures().size(), "the client did pay: " + o);
        assertTrue(o.paymentResponse() == null || Boolean.FALSE.equals(o.paymentResponse().get("success")),
                "no successful settlement reported: " + o);
        assertFalse(String.valueOf(o.body()).contains("Exception"), "no exception in the body: " + o.body());
        Chain after = Chain.read();
        after.assertMoved(before, BigInteger.ZERO, 0);

        // Nothing was settled, so the payment is not used up: the same header buys the call once it succeeds.
        HttpResponse<String> retry = get("/api/x402/forecast", "PAYMENT-SIGNATURE", o.paymentSignatures().get(0));
        assertEquals(200, retry.statusCode(), retry.body());
        Chain.read().assertMoved(after, FORECAST, 1);
    }

    @Test
    void oneHeaderSentSixTimesAtOnceIsServedAndSettledOnce() throws Exception {
        String header = clients.v2SignOnly(url("/api/x402/forecast"));
        Chain before = Chain.read();

        List<Integer> statuses = sendAtOnce(header, List.of("/api/x402/forecast", "/api/x402/forecast",
                "/api/x402/forecast", "/api/x402/forecast", "/api/x402/forecast", "/api/x402/forecast"));

        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "exactly one delivery: " + statuses);
        assertTrue(statuses.stream().allMatch(s -> s == 200 || (s >= 400 && s < 500)),
                "the other copies are refused as client errors, never 5xx: " + statuses);
        Chain.read().assertMoved(before, FORECAST, 1);
    }

    /**
     * The servlet and the Jakarta REST forecast ask for the same requirement (price, asset, payTo), so one signed
     * header fits both: sent to both at once, it still buys one response.
     */
    @Test
    void oneHeaderSentToTheServletAndTheRestForecastAtOnceIsServedOnce() throws Exception {
        String header = clients.v2SignOnly(url("/api/x402/forecast"));
        Chain before = Chain.read();

        List<Integer> statuses = sendAtOnce(header, List.of("/api/x402/forecast", "/rest/x402/forecast",
                "/api/x402/forecast", "/rest/x402/forecast", "/api/x402/forecast", "/rest/x402/forecast"));

        assertEquals(1, statuses.stream().filter(s -> s == 200).count(), "exactly one delivery: " + statuses);
        assertTrue(statuses.stream().allMatch(s -> s == 200 || (s >= 400 && s < 500)), statuses.toString());
        Chain.read().assertMoved(before, FORECAST, 1);
    }

    /** Sends one {@code PAYMENT-SIGNATURE} to each path, all released at the same moment; the statuses in order. */
    private static List<Integer> sendAtOnce(String header, List<String> paths) throws Exception {
        CyclicBarrier together = new CyclicBarrier(paths.size());
        ExecutorService pool = Executors.newFixedThreadPool(paths.size());
        List<Integer> statuses = new ArrayList<>();
        try {
            List<Future<HttpResponse<String>>> sent = new ArrayList<>();
            for (String path : paths) {
                sent.add(pool.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    return get(path, "PAYMENT-SIGNATURE", header);
                }));
            }
            for (Future<HttpResponse<String>> f : sent) {
                statuses.add(f.get(120, TimeUnit.SECONDS).statusCode());
            }
        } finally {
            pool.shutdownNow();
        }
        System.out.println("x402 e2e: one header sent to " + paths + " at once -> " + statuses);
        return statuses;
    }

    @Test
    void malformedPaymentHeadersAre400Problems() throws Exception {
        Chain before = Chain.read();
        String[][] malformed = {
            {"PAYMENT-SIGNATURE", "%%% not base64 %%%"},
            {"PAYMENT-SIGNATURE", b64("{\"x402Version\":2,")},
            {"PAYMENT-SIGNATURE", b64("[1,2,3]")},
            {"PAYMENT-SIGNATURE", b64("{\"x402Version\":2,\"accepted\":{},\"payload\":{\"signature\":\"0x\"}}")},
            {"X-PAYMENT", "%%% not base64 %%%"},
            {"X-PAYMENT", b64("{\"x402Version\":1,\"scheme\":\"exact\"")},
        };
        for (String[] h : malformed) {
            HttpResponse<String> r = get("/api/x402/forecast", h[0], h[1]);
            String what = h[0] + ": " + h[1] + " -> " + r.statusCode() + " " + r.body();
            assertEquals(400, r.statusCode(), what);
            assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"), what);
            Map<String, Object> problem = json(r.body());
            assertEquals(400L, problem.get("status"), what);
            assertFalse(r.body().contains("Exception"), "no exception class in the body: " + what);
        }
        Chain.read().assertMoved(before, BigInteger.ZERO, 0);
    }

    @Test
    void theV1ClientPays() throws Exception {
        Chain before = Chain.read();
        OfficialClients.Outcome o = clients.v1(url("/api/x402/forecast"));

        assertEquals(200, o.status(), o.toString());
        assertNull(o.error(), o.toString());
        assertEquals(1, o.paymentSignatures().size(), "one X-PAYMENT: " + o);
        assertSettled(o.paymentResponse(), X402Stack.PAYER);
        assertEquals("base-sepolia", o.paymentResponse().get("network"), "the v1 name of the chain");
        assertEquals("private", o.cacheControl(), o.toString());
        Chain paid = Chain.read();
        paid.assertMoved(before, FORECAST, 1);

        HttpResponse<String> replay = get("/api/x402/forecast", "X-PAYMENT", o.paymentSignatures().get(0));
        assertEquals(402, replay.statusCode(), "a v1 payment is spent too: " + replay.body());
        assertNotSettledHeader(replay);
        Chain.read().assertMoved(paid, BigInteger.ZERO, 0);
    }

    @Test
    void quotesOfferAnApiKeyAndX402AndTheV2ClientPays() throws Exception {
        HttpResponse<String> offer = get("/api/quotes/ACME");
        assertEquals(402, offer.statusCode(), offer.body());
        String required = offer.headers().firstValue("PAYMENT-REQUIRED").orElse(null);
        assertNotNull(required, "a v2 offer in PAYMENT-REQUIRED: " + offer.headers().map());
        Map<String, Object> header = json(new String(Base64.getDecoder().decode(required), StandardCharsets.UTF_8));
        assertEquals("1000", onlyExactOffer(header).get("amount"));
        Map<String, Object> problem = json(offer.body());
        List<String> schemes = new ArrayList<>();
        for (Object option : (Object[]) problem.get("payment-options")) {
            schemes.add(String.valueOf(((Map<?, ?>) option).get("scheme")));
        }
        assertTrue(schemes.contains("account"), "an API key (account) option: " + schemes);
        assertTrue(schemes.stream().anyMatch(s -> !s.equals("account")), "and an x402 option: " + schemes);
        assertEquals(1L, problem.get("x402Version"), "v1 clients read the body: " + offer.body());
        Map<?, ?> v1 = (Map<?, ?>) ((Object[]) problem.get("accepts"))[0];
        assertEquals("1000", v1.get("maxAmountRequired"), offer.body());
        assertEquals("base-sepolia", v1.get("network"), offer.body());

        Chain before = Chain.read();
        OfficialClients.Outcome o = clients.v2(url("/api/quotes/ACME"), "payer");
        assertEquals(200, o.status(), o.toString());
        assertSettled(o.paymentResponse(), X402Stack.PAYER);
        Chain.read().assertMoved(before, QUOTE, 1);

        Chain beforeKey = Chain.read();
        HttpResponse<String> byKey = get("/api/quotes/ACME", "X-API-Key", "demo-gold");
        assertEquals(200, byKey.statusCode(), "the API key still pays in credits: " + byKey.body());
        Chain.read().assertMoved(beforeKey, BigInteger.ZERO, 0);
    }

    @Test
    void theRestForecastIsPaidByTheV2Client() throws Exception {
        Chain before = Chain.read();
        OfficialClients.Outcome o = clients.v2(url("/rest/x402/forecast"), "payer");

        assertEquals(200, o.status(), o.toString());
        assertEquals("10000", onlyExactOffer(o.paymentRequired()).get("amount"));
        assertSettled(o.paymentResponse(), X402Stack.PAYER);
        Chain.read().assertMoved(before, FORECAST, 1);
    }

    // ---------------------------------------------------------------- helpers

    /** The payer's, the poor payer's and the merchant's USDC, and the block count, at one moment. */
    private record Chain(BigInteger payer, BigInteger poor, BigInteger payTo, long blocks) {

        static Chain read() throws Exception {
            return new Chain(stack.usdcBalance(X402Stack.PAYER), stack.usdcBalance(X402Stack.POOR),
                    stack.usdcBalance(X402Stack.PAY_TO), stack.blockNumber());
        }

        /** Exactly {@code transfers} transactions since {@code before}, moving {@code amount} payer to merchant. */
        void assertMoved(Chain before, BigInteger amount, int transfers) {
            assertEquals(before.payTo.add(amount), payTo, "the merchant's balance");
            assertEquals(before.payer.subtract(amount), payer, "the payer's balance");
            assertEquals(before.blocks + transfers, blocks, "transactions on the chain (one per settlement)");
        }
    }

    private static void assertSettled(Map<String, Object> paymentResponse, String payer) {
        assertNotNull(paymentResponse, "a payment response header");
        assertEquals(Boolean.TRUE, paymentResponse.get("success"), paymentResponse.toString());
        assertTrue(NETWORK.equals(paymentResponse.get("network")) || "base-sepolia".equals(
                paymentResponse.get("network")), "v2 or v1 name of the chain: " + paymentResponse);
        assertTrue(payer.equalsIgnoreCase(String.valueOf(paymentResponse.get("payer"))), paymentResponse.toString());
        assertTrue(String.valueOf(paymentResponse.get("transaction")).matches("0x[0-9a-fA-F]{64}"),
                paymentResponse.toString());
    }

    private static void assertNotSettledHeader(HttpResponse<String> r) {
        for (String name : new String[] {"PAYMENT-RESPONSE", "X-PAYMENT-RESPONSE"}) {
            r.headers().firstValue(name).ifPresent(h -> {
                Map<String, Object> decoded = json(new String(Base64.getDecoder().decode(h), StandardCharsets.UTF_8));
                assertEquals(Boolean.FALSE, decoded.get("success"), name + ": " + decoded);
            });
        }
    }

    private static Map<String, Object> onlyExactOffer(Map<String, Object> paymentRequired) {
        assertNotNull(paymentRequired, "a 402 with PAYMENT-REQUIRED first");
        assertEquals(2L, paymentRequired.get("x402Version"), paymentRequired.toString());
        Object[] accepts = (Object[]) paymentRequired.get("accepts");
        assertEquals(1, accepts.length, paymentRequired.toString());
        @SuppressWarnings("unchecked")
        Map<String, Object> offer = (Map<String, Object>) accepts[0];
        assertEquals("exact", offer.get("scheme"));
        return offer;
    }

    private static HttpResponse<String> get(String path, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(60)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(String text) {
        return (Map<String, Object>) new JSON().fromJSON(text);
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
