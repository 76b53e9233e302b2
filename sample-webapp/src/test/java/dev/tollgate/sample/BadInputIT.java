package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
    /** The id of the account whose demo key is {@code demo-gold}: not the key. */
    private static final String GOLD = SampleHttp.accountIdOf("demo-gold");
    private static final HttpClient HTTP = SampleHttp.HTTP;
    /** A Java class name (dotted package, capitalised class) or an exception's simple name. */
    private static final Pattern CLASS_NAME =
            Pattern.compile("\\b[a-z][a-z0-9_]*(\\.[a-z][a-z0-9_]*)+\\.[A-Z]\\w*|\\w+(Exception|Error)\\b|StackOverflow");

    static {
        // Hermetic: the in-memory ledger, local limits, and the admin API on (in this JVM's containers).
        SampleHttp.hermetic(ADMIN_KEY);
    }

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return SampleHttp.war();
    }

    @AfterAll
    static void shutdown() {
        SampleHttp.leaveHermetic();
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return SampleHttp.send(base, method, path, body, headers);
    }

    private static Map<String, Object> json(HttpResponse<String> r) {
        return SampleHttp.json(r);
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

    /**
     * Review item 8: {@code POST /rest/reports} read and echoed JSON of any size (a 20 MB body got
     * 201 and 20 MB back) while {@code /api/reports} answers 413 above 64 KiB. Now both refuse, with
     * a declared length and chunked, with and without a key, and charge nothing.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/api/reports", "/rest/reports"})
    void aJsonBodyOver64KiBIs413OnBothHalvesAndChargesNothing(String path) throws Exception {
        BigDecimal before = balance("demo-gold");
        String body = "{\"title\":\"" + "x".repeat(64 * 1024) + "\"}";
        Map<String, Object> p = assertProblem(send("POST", path, body, "X-API-Key", "demo-gold"), 413);
        assertTrue(p.get("type").toString().endsWith("content-too-large"), p::toString);
        assertProblem(send("POST", path, body, "X-API-Key", "demo-gold", "Idempotency-Key", "big-1"), 413);
        HttpRequest chunked = HttpRequest.newBuilder(URI.create(base.toExternalForm().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(60)).header("Content-Type", "application/json")
                .header("X-API-Key", "demo-gold")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(
                        body.getBytes(java.nio.charset.StandardCharsets.UTF_8))))
                .build();
        assertProblem(HTTP.send(chunked, HttpResponse.BodyHandlers.ofString()), 413);
        assertEquals(before, balance("demo-gold"), "a 413 charges nothing");
        String fits = "{\"title\":\"" + "x".repeat(60 * 1024) + "\"}";
        assertEquals(201, send("POST", path, fits, "X-API-Key", "demo-gold").statusCode(), "60 KiB is fine");
    }

    /**
     * Review item 9: a malformed escape in the query string was a 500 on {@code /api} (Jetty throws
     * from {@code getParameter}, and the error page made every exception a 500). Now, where the
     * container refuses the query, it is a 400 problem that names no class and charges nothing;
     * where it does not (Tomcat drops the parameter; Jersey keeps {@code %zz} as text), the request
     * is served. java.net.URI refuses such a query, so it is sent on a socket.
     */
    @ParameterizedTest
    @ValueSource(strings = {"/api/search?q=%zz", "/api/reports/x?fail=%zz", "/rest/search?q=%zz",
            "/rest/reports/x?fail=%zz", "/api/search?q=%C3", "/api/reports/x?fail=a%"})
    void aMalformedEscapeInTheQueryIsA400ProblemAndChargesNothing(String path) throws Exception {
        BigDecimal before = balance("demo-gold");
        HttpResponse<String> r = rawGet(path, "X-API-Key", "demo-gold");
        if (r.statusCode() == 400) {
            assertProblem(r, 400);
            assertFalse(r.body().contains("%zz"), "the input is not echoed");
            assertEquals(before, balance("demo-gold"), "a 400 charges nothing");
            return;
        }
        // Tomcat drops a parameter it cannot decode, and Jersey (/rest) keeps the escape as written:
        // the request is then served as an ordinary one, never as a 500.
        assertEquals(200, r.statusCode(), r::body);
        assertEquals(path.contains("/reports/") ? before.subtract(new BigDecimal("5")) : before, balance("demo-gold"));
    }

    /** A GET sent as written, on a socket, for a query that java.net.URI refuses. */
    private HttpResponse<String> rawGet(String path, String... headers) throws Exception {
        StringBuilder request = new StringBuilder("GET " + base.getPath().replaceAll("/$", "") + path
                + " HTTP/1.1\r\nHost: " + base.getHost() + ":" + base.getPort() + "\r\nConnection: close\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        byte[] all;
        try (java.net.Socket socket = new java.net.Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((request + "\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            all = socket.getInputStream().readAllBytes();
        }
        String text = new String(all, java.nio.charset.StandardCharsets.UTF_8);
        int split = text.indexOf("\r\n\r\n");
        String[] head = text.substring(0, split).split("\r\n");
        String body = text.substring(split + 4);
        java.util.Map<String, java.util.List<String>> fields = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (int i = 1; i < head.length; i++) {
            int colon = head[i].indexOf(':');
            fields.computeIfAbsent(head[i].substring(0, colon).strip(), k -> new java.util.ArrayList<>())
                    .add(head[i].substring(colon + 1).strip());
        }
        if (fields.getOrDefault("Transfer-Encoding", java.util.List.of()).contains("chunked")) {
            StringBuilder unchunked = new StringBuilder();
            for (int at = 0; ; ) {
                int eol = body.indexOf("\r\n", at);
                int size = Integer.parseInt(body.substring(at, eol).split(";")[0].strip(), 16);
                if (size == 0) {
                    break;
                }
                unchunked.append(body, eol + 2, eol + 2 + size); // problem bodies are ASCII
                at = eol + 2 + size + 2;
            }
            body = unchunked.toString();
        }
        int status = Integer.parseInt(head[0].split(" ")[1]);
        java.net.http.HttpHeaders h = java.net.http.HttpHeaders.of(fields, (a, b) -> true);
        String finalBody = body;
        return new HttpResponse<>() {
            public int statusCode() { return status; }
            public HttpRequest request() { return null; }
            public java.util.Optional<HttpResponse<String>> previousResponse() { return java.util.Optional.empty(); }
            public java.net.http.HttpHeaders headers() { return h; }
            public String body() { return finalBody; }
            public java.util.Optional<javax.net.ssl.SSLSession> sslSession() { return java.util.Optional.empty(); }
            public URI uri() { return null; }
            public HttpClient.Version version() { return HttpClient.Version.HTTP_1_1; }
        };
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
        HttpResponse<String> probe = send("GET", "/admin/accounts/" + GOLD, null, key);
        assertEquals(200, probe.statusCode(), probe.body());
        Object balanceBefore = json(probe).get("balance");

        for (String amount : new String[] {"1e400000", "1e1000000", "1e-400000", "-1", "\"" + "9".repeat(60_000) + "\"",
                "\"1e5\"", "{\"nested\":1}", "true", nested(5000)}) {
            long start = System.nanoTime();
            HttpResponse<String> r = send("POST", "/admin/accounts/" + GOLD + "/credit",
                    "{\"amount\":" + amount + ",\"reference\":\"it\"}", key);
            long millis = (System.nanoTime() - start) / 1_000_000;
            Map<String, Object> p = assertProblem(r, 400);
            assertTrue(p.get("type").toString().endsWith("malformed-request"), p::toString);
            assertTrue(millis < 2_000, () -> amount.substring(0, Math.min(20, amount.length())) + " took " + millis
                    + " ms"); // a generous safety net; the 400 and its short body are the point
        }
        assertProblem(send("POST", "/admin/accounts/" + GOLD + "/credit", "{bad", key), 400);
        assertProblem(send("POST", "/admin/accounts", "{\"id\":\"x\",\"balance\":\"1\",\"currency\":\""
                + "c".repeat(10_000) + "\"}", key), 400);
        assertProblem(send("GET", "/admin/accounts/" + GOLD + "/statement?limit=" + "9".repeat(5000), null, key), 400);
        assertProblem(send("GET", "/admin/accounts/" + "n".repeat(3000), null, key), 404);
        assertProblem(send("POST", "/admin/accounts/" + "n".repeat(3000) + "/credit", "{\"amount\":\"1\"}", key), 404);
        assertProblem(send("GET", "/admin/accounts/" + GOLD, null), 401);

        HttpResponse<String> after = send("GET", "/admin/accounts/" + GOLD, null, key);
        assertEquals(balanceBefore, json(after).get("balance"), "no refused credit was applied");
        assertEquals(200, send("POST", "/admin/accounts/" + GOLD + "/credit", "{\"amount\":2.50}", key).statusCode(),
                "an ordinary JSON number is still an amount");
    }
}
