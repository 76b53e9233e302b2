package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * The Jakarta REST half of the sample ({@code /rest/…}, Jersey in the WAR, enforced by
 * {@code TollgateFeature}) deployed unmodified by Arquillian: the same prices, limits, refusals
 * and settlement as the servlet half, on one shared ledger (balances are read from
 * {@code /api/balance}). Runs on every container of the matrix, like {@link DemoApiIT}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RestApiIT {

    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final ExecutorService POOL = Executors.newFixedThreadPool(32);
    private static final HttpClient HTTP = HttpClient.newBuilder().executor(POOL)
            .connectTimeout(Duration.ofSeconds(10)).build();

    static {
        // Hermetic: the in-memory ledger and local rate limits, whatever the environment says.
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_ADMIN_KEY", "");
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "");
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
        POOL.shutdownNow();
        System.clearProperty("TOLLGATE_JDBC_URL");
        System.clearProperty("TOLLGATE_ADMIN_KEY");
        System.clearProperty("TOLLGATE_RATELIMIT_STORE");
    }

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

    @Test
    @Order(1)
    void hundredConcurrentReportsFromSilverGiveFourSuccessesAndNinetySixRefusals() throws Exception {
        assertEquals(new BigDecimal("20"), balance("demo-silver"));
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            calls.add(HTTP.sendAsync(request("/rest/reports/q" + i, "X-API-Key", "demo-silver").GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        for (CompletableFuture<HttpResponse<String>> c : calls) {
            HttpResponse<String> r = c.get();
            if (r.statusCode() == 200) {
                ok++;
            } else {
                assertProblem(r, 402, "insufficient-funds");
            }
        }
        assertEquals(4, ok);
        assertEquals(0, balance("demo-silver").signum());
    }

    @Test
    @Order(2)
    void quotesCostOneCreditEachAndBadInputChargesNothing() throws Exception {
        HttpResponse<String> refused = get("/rest/quotes/ACME");
        assertProblem(refused, 402, "payment-required");
        assertEquals(new BigDecimal("1"), new BigDecimal(json(refused).get("price").toString()));
        BigDecimal before = balance("demo-gold");
        for (String symbol : List.of("ACME", "MSFT", "NVDA")) {
            HttpResponse<String> r = get("/rest/quotes/" + symbol, "X-API-Key", "demo-gold");
            assertEquals(200, r.statusCode(), r.body());
            assertEquals(symbol, json(r).get("symbol"));
        }
        assertEquals(before.subtract(new BigDecimal("3")), balance("demo-gold"));
        assertProblem(get("/rest/quotes/not-a-symbol", "X-API-Key", "demo-gold"), 400, "malformed-request");
        assertEquals(before.subtract(new BigDecimal("3")), balance("demo-gold"), "a 400 charges nothing");
        assertProblem(get("/rest/quotes/ACME", "X-API-Key", "demo-empty"), 402, "insufficient-funds");
        assertProblem(get("/rest/quotes/ACME", "X-API-Key", "demo-nobody"), 401, "unknown-account");
    }

    @Test
    @Order(3)
    void reportsCostFiveCreditsAndAFailureChargesNothing() throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> r = get("/rest/reports/42", "X-API-Key", "demo-gold");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("42", json(r).get("id"));
        assertEquals(before.subtract(new BigDecimal("5")), balance("demo-gold"));
        assertEquals(500, get("/rest/reports/42?fail=true", "X-API-Key", "demo-gold").statusCode());
        assertEquals(before.subtract(new BigDecimal("5")), balance("demo-gold"), "the failure was not charged");
    }

    @Test
    @Order(4)
    void postingAReportCostsTenAndARetryIsReplayedNotCharged() throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> first = post("/rest/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "rest-it-1");
        assertEquals(201, first.statusCode(), first.body());
        HttpResponse<String> retry = post("/rest/reports", "{\"title\":\"Q3\"}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "rest-it-1");
        assertEquals(201, retry.statusCode());
        assertEquals(first.body(), retry.body());
        assertEquals("true", retry.headers().firstValue("Idempotent-Replayed").orElse(""));
        assertEquals(first.headers().firstValue("Location"), retry.headers().firstValue("Location"));
        assertEquals(before.subtract(new BigDecimal("10")), balance("demo-gold"));
        assertProblem(post("/rest/reports", "{\"title\":\"Q4\"}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "rest-it-1"), 409, "idempotency-key-reused");
        assertEquals(before.subtract(new BigDecimal("10")), balance("demo-gold"));
    }

    @Test
    @Order(5)
    void headOnAPaidGetIsChargedLikeGet() throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> r = HTTP.send(request("/rest/quotes/ACME", "X-API-Key", "demo-gold")
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, r.statusCode());
        assertEquals("", r.body());
        assertEquals(before.subtract(BigDecimal.ONE), balance("demo-gold"));
    }

    @Test
    @Order(6)
    void theSixthSearchInAMinuteIs429() throws Exception {
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> r = get("/rest/search?q=A", "X-API-Key", "demo-empty");
            assertEquals(200, r.statusCode(), r.body());
            assertTrue(r.headers().firstValue("RateLimit").isPresent(), () -> r.headers().map().toString());
        }
        HttpResponse<String> refused = get("/rest/search?q=A", "X-API-Key", "demo-empty");
        assertProblem(refused, 429, "quota-exceeded");
        assertTrue(Integer.parseInt(refused.headers().firstValue("Retry-After").orElse("0")) > 0);
    }
}
