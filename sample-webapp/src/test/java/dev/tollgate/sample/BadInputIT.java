package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.Map;
import java.util.regex.Pattern;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, item 7: bad input to the sample WAR, deployed unmodified. Malformed or deeply nested
 * JSON is a 400 problem on both halves ({@code /api} and {@code /rest}) and charges nothing; an
 * endpoint failure is a generic 500 problem; the admin API refuses absurd amounts quickly with a
 * short 400; and no body ever names an exception class. Runs on every container of the matrix.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class BadInputIT {

    private static final String ADMIN_KEY = "it-bad-input-admin-key";
    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    /** A Java class name (dotted package, capitalised class) or an exception's simple name. */
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*|\\w+(Exception|Error)\\b|StackOverflow");

    static {
        // Hermetic: the in-memory ledger, local limits, and the admin API on (in this JVM's containers).
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_ADMIN_KEY", ADMIN_KEY);
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
        System.clearProperty("TOLLGATE_JDBC_URL");
        System.clearProperty("TOLLGATE_ADMIN_KEY");
        System.clearProperty("TOLLGATE_RATELIMIT_STORE");
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toExternalForm().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return JSONB.fromJson(r.body(), Map.class);
    }

    private BigDecimal balance(String key) throws Exception {
        HttpResponse<String> r = send("GET", "/api/balance", null, "X-API-Key", key);
        assertEquals(200, r.statusCode(), r.body());
        return new BigDecimal(json(r).get("balance").toString());
    }

    /** A problem response that names no class, with a short body. */
    private static Map<String, Object> assertProblem(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), () -> r.body().substring(0, Math.min(500, r.body().length())));
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("").replace(" ", "")
                .replace(";charset=UTF-8", ""), r::body);
        assertTrue(r.body().length() < 1000, () -> r.body().length() + " characters");
        assertFalse(CLASS_NAME.matcher(r.body()).find(), r::body);
        Map<String, Object> p = json(r);
        assertEquals(status, new BigDecimal(p.get("status").toString()).intValue(), r::body);
        return p;
    }

    private static String nested(int depth) {
        return "[".repeat(depth) + "]".repeat(depth);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/reports", "/rest/reports"})
    void malformedJsonIsA400OnBothHalvesAndChargesNothing(String path) throws Exception {
        BigDecimal before = balance("demo-gold");
        for (String body : new String[] {"{bad", "\"s\"", "[1,", "{\"a\":"}) {
            Map<String, Object> p = assertProblem(send("POST", path, body, "X-API-Key", "demo-gold"), 400);
            assertTrue(p.get("type").toString().endsWith("malformed-request"), p::toString);
        }
        assertEquals(before, balance("demo-gold"), "a 400 charges nothing");
        assertEquals(201, send("POST", path, "{\"pages\":[1,[2,{\"x\":\"[[[[\"}]]}", "X-API-Key", "demo-gold")
                .statusCode(), "nesting within the limit, and brackets inside strings, are fine");
    }

    @Test
    void anOverLongBodyIs413ContentTooLargeAndChargesNothing() throws Exception {
        BigDecimal before = balance("demo-gold");
        String body = "{\"title\":\"" + "x".repeat(70_000) + "\"}";
        Map<String, Object> p = assertProblem(send("POST", "/api/reports", body, "X-API-Key", "demo-gold"), 413);
        assertTrue(p.get("type").toString().endsWith("content-too-large"), p::toString);
        assertEquals(before, balance("demo-gold"), "a 413 charges nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/reports", "/rest/reports"})
    void deeplyNestedJsonIsA400NotAStackOverflow(String path) throws Exception {
        BigDecimal before = balance("demo-gold");
        String objects = "{\"a\":".repeat(5000) + "1" + "}".repeat(5000);
        for (String body : new String[] {nested(5000), objects, nested(JsonNesting.MAX_DEPTH + 1)}) {
            Map<String, Object> p = assertProblem(send("POST", path, body, "X-API-Key", "demo-gold"), 400);
            assertTrue(p.get("detail").toString().contains("deeper than"), p::toString);
        }
        // With an Idempotency-Key the body is read first by Tollgate, then by the endpoint: same answer.
        assertProblem(send("POST", path, nested(5000), "X-API-Key", "demo-gold", "Idempotency-Key", "deep-1"), 400);
        assertEquals(before, balance("demo-gold"), "a 400 charges nothing");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/api/reports/42?fail=true", "/rest/reports/42?fail=true"})
    void anEndpointFailureIsAGeneric500ProblemThatNamesNoClass(String path) throws Exception {
        BigDecimal before = balance("demo-gold");
        Map<String, Object> p = assertProblem(send("GET", path, null, "X-API-Key", "demo-gold"), 500);
        assertFalse(p.get("detail").toString().contains("fail=true"), "the exception's message stays in the log");
        assertEquals(before, balance("demo-gold"), "a failure charges nothing");
    }

    /**
     * Needs the admin API, which this test JVM turns on with a system property: the containers that
     * run in another JVM (Payara Micro) exclude the tag {@code admin-api} rather than skip.
     */
    @Test
    @Tag("admin-api")
    void theAdminApiRefusesAbsurdAmountsQuicklyWithAShort400() throws Exception {
        String[] key = {"X-Admin-Key", ADMIN_KEY};
        HttpResponse<String> probe = send("GET", "/admin/accounts/demo-gold", null, key);
        assertEquals(200, probe.statusCode(), probe.body());
        Object balanceBefore = json(probe).get("balance");

        for (String amount : new String[] {"1e400000", "1e1000000", "1e-400000", "-1", "\"" + "9".repeat(60_000) + "\"",
                "\"1e5\"", "{\"nested\":1}", "true", nested(5000)}) {
            long start = System.nanoTime();
            HttpResponse<String> r = send("POST", "/admin/accounts/demo-gold/credit",
                    "{\"amount\":" + amount + ",\"reference\":\"it\"}", key);
            long millis = (System.nanoTime() - start) / 1_000_000;
            Map<String, Object> p = assertProblem(r, 400);
            assertTrue(p.get("type").toString().endsWith("malformed-request"), p::toString);
            assertTrue(millis < 2_000, () -> amount.substring(0, Math.min(20, amount.length())) + " took " + millis
                    + " ms"); // a generous safety net; the 400 and its short body are the point
        }
        assertProblem(send("POST", "/admin/accounts/demo-gold/credit", "{bad", key), 400);
        assertProblem(send("POST", "/admin/accounts", "{\"id\":\"x\",\"balance\":\"1\",\"currency\":\""
                + "c".repeat(10_000) + "\"}", key), 400);
        assertProblem(send("GET", "/admin/accounts/demo-gold/statement?limit=" + "9".repeat(5000), null, key), 400);
        assertProblem(send("GET", "/admin/accounts/" + "n".repeat(3000), null, key), 404);
        assertProblem(send("POST", "/admin/accounts/" + "n".repeat(3000) + "/credit", "{\"amount\":\"1\"}", key), 404);
        assertProblem(send("GET", "/admin/accounts/demo-gold", null), 401);

        HttpResponse<String> after = send("GET", "/admin/accounts/demo-gold", null, key);
        assertEquals(balanceBefore, json(after).get("balance"), "no refused credit was applied");
        assertEquals(200, send("POST", "/admin/accounts/demo-gold/credit", "{\"amount\":2.50}", key).statusCode(),
                "an ordinary JSON number is still an amount");
    }
}
