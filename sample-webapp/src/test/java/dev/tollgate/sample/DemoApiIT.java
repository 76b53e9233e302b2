package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.File;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The demo-API contract of the sample WAR, deployed unmodified (the file Maven packaged) to an
 * embedded Jetty 12 by Arquillian and called over HTTP, one test per row of the table in the
 * README. Tests that spend from one account measure its balance before and after; only the
 * first test spends from {@code demo-silver}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DemoApiIT {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(32);
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(POOL)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static {
        // Hermetic: the in-memory ledger and no admin endpoints, whatever the environment says.
        // (Runs when the class loads, before Arquillian deploys the WAR.)
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_ADMIN_KEY", "");
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "");
    }

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        File war = new File(System.getProperty("sample.war", "target/sample-webapp.war"));
        return ShrinkWrap.createFromZipFile(WebArchive.class, war);
    }

    @AfterAll
    static void shutdown() {
        POOL.shutdownNow();
        System.clearProperty("TOLLGATE_JDBC_URL");
        System.clearProperty("TOLLGATE_ADMIN_KEY");
        System.clearProperty("TOLLGATE_RATELIMIT_STORE");
    }

    // ------------------------------------------------------------------ helpers

    private HttpRequest.Builder request(String path, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toExternalForm().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(30));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b;
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return HTTP.send(request(path, headers).GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        return HTTP.send(request(path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return JSONB.fromJson(r.body(), Map.class);
    }

    private BigDecimal balance(String key) throws Exception {
        HttpResponse<String> r = get("/api/balance", "X-API-Key", key);
        assertEquals(200, r.statusCode(), r.body());
        return new BigDecimal(json(r).get("balance").toString());
    }

    private static void assertProblem(HttpResponse<String> r, int status, String type) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(""));
        Map<String, Object> p = json(r);
        assertTrue(p.get("type").toString().endsWith(type), p::toString);
        assertEquals(status, new BigDecimal(p.get("status").toString()).intValue());
    }

    // ------------------------------------------------------------------ the contract

    @Test
    @Order(1)
    void hundredConcurrentReportsFromSilverGiveFourSuccessesAndNinetySixRefusals() throws Exception {
        assertEquals(new BigDecimal("20"), balance("demo-silver"));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(HTTP.sendAsync(request("/api/reports/q" + i, "X-API-Key", "demo-silver").GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        int refused = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertProblem(r, 402, "insufficient-funds");
                refused++;
            }
        }
        assertEquals(4, ok);
        assertEquals(96, refused);
        assertEquals(0, balance("demo-silver").signum());
    }

    @Test
    @Order(2)
    void helloIsFreeWithoutAKey() throws Exception {
        HttpResponse<String> r = get("/api/hello");
        assertEquals(200, r.statusCode());
        assertTrue(json(r).get("message").toString().contains("free"));
    }

    @Test
    @Order(3)
    void balanceNeedsAValidKey() throws Exception {
        assertProblem(get("/api/balance"), 401, "invalid-credentials");
        assertProblem(get("/api/balance", "X-API-Key", "demo-nobody"), 401, "unknown-account");
        HttpResponse<String> r = get("/api/balance", "X-API-Key", "demo-gold");
        assertEquals(200, r.statusCode());
        Map<String, Object> body = json(r);
        assertEquals(SampleHttp.accountIdOf("demo-gold"), body.get("account"),
                "the account's own id, never the key");
        String id = body.get("account").toString();
        String hash = SampleHttp.sha256Hex("demo-gold");
        assertFalse(hash.startsWith(id) || hash.startsWith(id.replaceFirst("^acct_", "")),
                "the id is not derived from the key's hash: " + id);
        assertTrue(body.get("balance") instanceof Number, "balance is a JSON number: " + body);
        HttpResponse<String> bearer = get("/api/balance", "Authorization", "Bearer demo-empty");
        assertEquals(BigDecimal.ZERO, new BigDecimal(json(bearer).get("balance").toString()));
    }

    @Test
    @Order(4)
    void quotesCostOneCreditEachAndTheBalanceIsExact() throws Exception {
        assertProblem(get("/api/quotes/ACME"), 402, "payment-required");
        assertEquals(new BigDecimal("1"), new BigDecimal(json(get("/api/quotes/ACME")).get("price").toString()));
        BigDecimal before = balance("demo-gold");
        for (String symbol : List.of("ACME", "MSFT", "NVDA")) {
            HttpResponse<String> r = get("/api/quotes/" + symbol, "X-API-Key", "demo-gold");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(symbol, json(r).get("symbol"));
        }
        assertEquals(before.subtract(new BigDecimal("3")), balance("demo-gold"));
        // Self-service: the caller's own newest charges, newest first, with its own key.
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> recent = (List<Map<String, Object>>) json(get("/api/balance", "X-API-Key",
                "demo-gold")).get("recent");
        assertTrue(recent.size() >= 3, () -> "recent charges: " + recent);
        for (Map<String, Object> charge : recent.subList(0, 3)) {
            assertEquals(0, new BigDecimal(charge.get("amount").toString()).compareTo(BigDecimal.ONE), charge::toString);
            assertTrue(charge.get("at") != null && charge.get("reference") != null, charge::toString);
        }
        assertProblem(get("/api/quotes/not-a-symbol", "X-API-Key", "demo-gold"), 400, "malformed-request");
        assertEquals(before.subtract(new BigDecimal("3")), balance("demo-gold"), "a 400 charges nothing");
        assertProblem(get("/api/quotes/ACME", "X-API-Key", "demo-empty"), 402, "insufficient-funds");
        assertProblem(get("/api/quotes/ACME", "X-API-Key", "demo-nobody"), 401, "unknown-account");
    }

    @Test
    @Order(5)
    void reportsCostFiveCreditsAndAFailureChargesNothing() throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> r = get("/api/reports/42", "X-API-Key", "demo-gold");
        assertEquals(200, r.statusCode());
        assertEquals("42", json(r).get("id"));
        assertEquals(before.subtract(new BigDecimal("5")), balance("demo-gold"));

        HttpResponse<String> failed = get("/api/reports/42?fail=true", "X-API-Key", "demo-gold");
        assertEquals(500, failed.statusCode());
        assertEquals(before.subtract(new BigDecimal("5")), balance("demo-gold"), "the failure was not charged");
    }

    @Test
    @Order(6)
    void headOnAPaidGetIsChargedLikeGet() throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> r = HTTP.send(request("/api/reports/7", "X-API-Key", "demo-gold")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals(before.subtract(new BigDecimal("5")), balance("demo-gold"));
    }

    @Test
    @Order(7)
    void postingAReportCostsTenAndARetryIsNotChargedAgain() throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> first = post("/api/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "it-report-1");
        assertEquals(201, first.statusCode(), first.body());
        HttpResponse<String> retry = post("/api/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "it-report-1");
        assertEquals(201, retry.statusCode());
        assertEquals(first.body(), retry.body(), "the same report, not a second one");
        assertEquals(first.headers().firstValue("Location"), retry.headers().firstValue("Location"));
        assertEquals(before.subtract(new BigDecimal("10")), balance("demo-gold"));

        assertProblem(post("/api/reports", "{\"title\":\"Q4\"}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "it-report-1"), 409, "idempotency-key-reused");
        HttpResponse<String> other = post("/api/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold");
        assertEquals(201, other.statusCode());
        assertNotEquals(json(first).get("id"), json(other).get("id"), "without a key, a new report");
        assertEquals(before.subtract(new BigDecimal("20")), balance("demo-gold"));
        assertProblem(post("/api/reports", "{\"t\":1}", "X-API-Key", "demo-gold", "Idempotency-Key", "k".repeat(256)),
                400, "malformed-request");
        assertProblem(post("/api/reports", "not json", "X-API-Key", "demo-gold"), 400, "malformed-request");
        assertEquals(before.subtract(new BigDecimal("20")), balance("demo-gold"));
    }

    @Test
    @Order(8)
    void sixteenConcurrentDuplicatesAreChargedOnce() throws Exception {
        BigDecimal before = balance("demo-gold");
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            calls.add(HTTP.sendAsync(request("/api/reports", "X-API-Key", "demo-gold", "Idempotency-Key", "it-dup-1",
                    "Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"dup\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString()));
        }
        String createdId = null;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get();
            if (r.statusCode() == 201) {
                String id = json(r).get("id").toString();
                assertTrue(createdId == null || createdId.equals(id), "every 201 is the same report");
                createdId = id;
            } else {
                assertProblem(r, 409, "idempotency-key-in-use");
                assertTrue(r.headers().firstValue("Retry-After").isPresent());
            }
        }
        assertEquals(before.subtract(new BigDecimal("10")), balance("demo-gold"));
    }

    @Test
    @Order(9)
    void premiumInsightsNeedTheEntitlementAndCostNothing() throws Exception {
        HttpResponse<String> refused = get("/api/premium/insights", "X-API-Key", "demo-empty");
        assertProblem(refused, 402, "entitlement-required");
        assertEquals("premium", json(refused).get("entitlement"));
        BigDecimal before = balance("demo-gold");
        assertEquals(200, get("/api/premium/insights", "X-API-Key", "demo-gold").statusCode());
        assertEquals(before, balance("demo-gold"));
    }

    @Test
    @Order(10)
    void searchAllowsFivePerMinutePerKeyAndPerAddressWithoutOne() throws Exception {
        for (int i = 0; i < 5; i++) {
            HttpResponse<String> r = get("/api/search?q=a", "X-API-Key", "demo-empty");
            assertEquals(200, r.statusCode());
            assertEquals("\"payer-5-per-60s\";q=5;w=60", r.headers().firstValue("RateLimit-Policy").orElseThrow());
        }
        HttpResponse<String> sixth = get("/api/search?q=a", "X-API-Key", "demo-empty");
        assertProblem(sixth, 429, "quota-exceeded");
        long retryAfter = Long.parseLong(sixth.headers().firstValue("Retry-After").orElseThrow());
        assertTrue(retryAfter >= 1, "Retry-After " + retryAfter);
        assertTrue(sixth.headers().firstValue("RateLimit").orElseThrow().contains(";r=0;"));

        for (int i = 0; i < 5; i++) {
            assertEquals(200, get("/api/search?q=a").statusCode(), "by address, a separate bucket");
        }
        assertProblem(get("/api/search?q=a"), 429, "quota-exceeded");
        assertEquals(200, get("/api/search?q=a", "X-API-Key", "demo-gold").statusCode(), "each key its own bucket");
    }

    @Test
    @Order(13)
    void newsHasAPlanAwareLimit() throws Exception {
        int basic = 0;
        for (int i = 0; i < 12; i++) {
            basic += get("/api/news", "X-API-Key", "demo-silver").statusCode() == 200 ? 1 : 0;
        }
        assertEquals(10, basic, "10 a minute without premium");
        for (int i = 0; i < 12; i++) {
            HttpResponse<String> r = get("/api/news", "X-API-Key", "demo-gold");
            assertEquals(200, r.statusCode(), "premium holders get 100 a minute");
            assertEquals("\"news-premium\";q=100;w=60", r.headers().firstValue("RateLimit-Policy").orElseThrow());
        }
    }

    @Test
    @Order(12)
    void adminEndpointsAreOffWithoutAnAdminKey() throws Exception {
        assertEquals(404, get("/admin/accounts/demo-gold", "X-Admin-Key", "").statusCode());
    }

    @Test
    @Order(11)
    void unknownPathsAreLeftToTheContainer() throws Exception {
        HttpResponse<String> r = get("/api/nothing-here");
        assertEquals(404, r.statusCode());
        assertFalse(r.headers().firstValue("Content-Type").orElse("").contains("problem"));
    }
}
