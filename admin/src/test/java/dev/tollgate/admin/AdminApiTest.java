package dev.tollgate.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.TestServer;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.ws.rs.core.Application;
import java.io.StringReader;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin API on Jersey in an embedded Jetty, over the deployment's in-memory ledger: roles, bad
 * input, the actor in the statement, the wire format the sample's admin ITs rely on.
 */
class AdminApiTest {

    static final String RW = "rw-secret-0001";
    static final String RO = "ro-secret-0002";
    static volatile List<AdminCredential> credentials = List.of();

    /** The application the Jersey servlet starts: the admin API with the test's credentials. */
    public static final class App extends Application {
        @Override
        public Set<Object> getSingletons() {
            return TollgateAdmin.builder().credentials(() -> credentials).build().components();
        }
    }

    private InMemoryLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        credentials = List.of(AdminCredential.of("ops", AdminRole.READ_WRITE, RW),
                AdminCredential.of("auditor", AdminRole.READ_ONLY, RO));
        ledger = InMemoryLedger.builder().account("gold", Money.credits("100")).build();
        server = TestServer.builder()
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .customize(c -> {
                    ServletHolder admin = new ServletHolder("admin", ServletContainer.class);
                    admin.setInitParameter("jakarta.ws.rs.Application", App.class.getName());
                    admin.setInitOrder(1);
                    c.addServlet(admin, "/admin/*");
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String key) throws Exception {
        return key == null ? server.send(method, "/admin" + path, body)
                : server.send(method, "/admin" + path, body, "X-Admin-Key", key);
    }

    static JsonObject json(HttpResponse<String> r) {
        try (JsonReader reader = Json.createReader(new StringReader(r.body()))) {
            return reader.readObject();
        }
    }

    /** Asserts a problem: status, media type, no exception class in the body. */
    static JsonObject problem(HttpResponse<String> r, int status) {
        assertEquals(status, r.statusCode(), r.body());
        assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse("")
                .split(";")[0], r.body());
        assertFalse(r.body().contains("Exception"), r.body());
        assertTrue(r.body().length() < 1000, () -> "a short body: " + r.body().length());
        JsonObject p = json(r);
        assertEquals(status, p.getInt("status"));
        return p;
    }

    private BigDecimal balance() {
        return ledger.account("gold").orElseThrow().balance().amount();
    }

    @Test
    void noKeyOrAWrongKeyIsA401WithAChallenge() throws Exception {
        for (String key : new String[] {null, "wrong-secret", RW + "x", ""}) {
            HttpResponse<String> r = call("GET", "/accounts/gold", null, key);
            problem(r, 401);
            assertEquals("Basic realm=\"tollgate-admin\", charset=\"UTF-8\"",
                    r.headers().firstValue("WWW-Authenticate").orElse(null));
            assertFalse(r.body().contains(RW) || r.body().contains(RO));
        }
        problem(call("POST", "/accounts/gold/credit", "{\"amount\":\"1\"}", "wrong-secret"), 401);
        problem(call("GET", "/no/such/route", null, null), 401); // checked before any route is matched
        assertEquals(0, balance().compareTo(new BigDecimal("100")));
    }

    @Test
    void readOnlyReadsButCannotChange() throws Exception {
        HttpResponse<String> r = call("GET", "/accounts/gold", null, RO);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, json(r).getJsonNumber("balance").bigDecimalValue().compareTo(new BigDecimal("100")));
        assertEquals(200, call("GET", "/accounts/gold/statement", null, RO).statusCode());
        for (String[] write : new String[][] {{"POST", "/accounts/gold/credit", "{\"amount\":\"1\"}"},
                {"POST", "/accounts/gold/debit", "{\"amount\":\"1\"}"},
                {"POST", "/accounts", "{\"id\":\"new\",\"balance\":\"1\"}"},
                {"PUT", "/accounts/gold/entitlements/premium", null},
                {"DELETE", "/accounts/gold/entitlements/premium", null}}) {
            problem(call(write[0], write[1], write[2], RO), 403);
        }
        assertEquals(0, balance().compareTo(new BigDecimal("100")), "nothing changed");
        assertTrue(ledger.account("new").isEmpty());
        assertFalse(ledger.account("gold").orElseThrow().entitlements().contains("premium"));
    }

    @Test
    void readWriteChangesAndBasicAuthenticationOpensOnlyReads() throws Exception {
        assertEquals(200, call("POST", "/accounts/gold/credit", "{\"amount\":\"2.5\"}", RW).statusCode());
        HttpResponse<String> r = server.send("POST", "/admin/accounts/gold/debit", "{\"amount\":0.5}",
                "X-Admin-Key", RW);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(0, balance().compareTo(new BigDecimal("102")));
        assertEquals(0, json(r).getJsonNumber("balance").bigDecimalValue().compareTo(new BigDecimal("102")));
        String basic = "Basic " + Base64.getEncoder().encodeToString(("anyone:" + RW)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals(200, server.send("GET", "/admin/accounts/gold", null, "Authorization", basic).statusCode());
        // A browser sends stored Basic credentials with a change another site forges: refused.
        problem(server.send("POST", "/admin/accounts/gold/debit", "{\"amount\":1}", "Authorization", basic), 403);
        problem(server.send("POST", "/admin/accounts", "{\"id\":\"csrf\",\"balance\":\"1\"}",
                "Authorization", basic), 403);
        assertEquals(0, balance().compareTo(new BigDecimal("102")));
        assertTrue(ledger.account("csrf").isEmpty());
    }

    @Test
    void noCredentialConfiguredMeansTheApiIsOff() throws Exception {
        credentials = List.of();
        assertEquals(404, call("GET", "/accounts/gold", null, RW).statusCode());
    }

    @Test
    void openReadGrantRevokeAndTheWireFormat() throws Exception {
        HttpResponse<String> opened = call("POST", "/accounts",
                "{\"id\":\"acme\",\"balance\":\"10.50\",\"entitlements\":[\"premium\"]}", RW);
        assertEquals(201, opened.statusCode(), opened.body());
        assertTrue(opened.headers().firstValue("Location").orElse("").endsWith("/app/admin/accounts/acme"));
        JsonObject a = json(opened);
        assertEquals("acme", a.getString("account"));
        assertEquals("10.5", a.getJsonNumber("balance").bigDecimalValue().toPlainString());
        assertEquals("credits", a.getString("currency"));
        assertEquals(List.of("premium"), a.getJsonArray("entitlements").getValuesAs(
                jakarta.json.JsonString::getString));
        problem(call("POST", "/accounts", "{\"id\":\"acme\",\"balance\":\"1\"}", RW), 409);
        problem(call("POST", "/accounts/acme/debit", "{\"amount\":\"100\"}", RW), 409);
        HttpResponse<String> revoked = call("DELETE", "/accounts/acme/entitlements/premium", null, RW);
        assertEquals(200, revoked.statusCode());
        assertTrue(json(revoked).getJsonArray("entitlements").isEmpty());
        assertEquals(200, call("PUT", "/accounts/acme/entitlements/gold", null, RW).statusCode());
        problem(call("GET", "/accounts/nobody", null, RW), 404);
        problem(call("POST", "/accounts/nobody/credit", "{\"amount\":\"1\"}", RW), 404);
        problem(call("PUT", "/accounts/nobody/entitlements/x", null, RW), 404);
    }

    /** Issue 12: every admin action, not only money, is in the statement with who did it. */
    @Test
    void everyActionWithoutMoneyIsANoteWithItsActorAndAction() throws Exception {
        assertEquals(201, call("POST", "/accounts", "{\"id\":\"acme\",\"balance\":\"3\",\"entitlements\":[\"gold\"]}",
                RW).statusCode());
        assertEquals(200, call("PUT", "/accounts/acme/entitlements/silver", null, RW).statusCode());
        assertEquals(200, call("DELETE", "/accounts/acme/entitlements/gold", null, RW).statusCode());
        HttpResponse<String> issued = call("POST", "/accounts/acme/keys", "{}", RW);
        assertEquals(201, issued.statusCode(), issued.body());
        String keyId = json(issued).getString("id");
        String secret = json(issued).getString("secret");
        HttpResponse<String> rotated = call("POST", "/keys/" + keyId + "/rotate", "{\"graceSeconds\":60}", RW);
        assertEquals(201, rotated.statusCode(), rotated.body());
        assertEquals(200, call("POST", "/keys/" + json(rotated).getString("id") + "/revoke", null, RW).statusCode());

        HttpResponse<String> r = call("GET", "/accounts/acme/statement", null, RO);
        assertEquals(200, r.statusCode(), r.body());
        List<String> lines = new ArrayList<>();
        for (JsonObject e : json(r).getJsonArray("entries").getValuesAs(JsonObject.class)) {
            if (e.getString("kind").equals("note")) {
                assertEquals(0, e.getJsonNumber("available").bigDecimalValue().signum());
                assertEquals(0, e.getJsonNumber("held").bigDecimalValue().signum());
                assertEquals("credits", e.getString("currency"));
                assertTrue(e.isNull("reference"), e.toString());
                lines.add(e.getString("actor") + ": " + e.getString("action").replaceAll("key_[0-9a-f]+ \\([^)]*\\)", "KEY"));
            } else {
                lines.add(e.getString("kind"));
            }
        }
        assertEquals(List.of("open", "ops: opened the account with entitlements \"gold\"",
                "ops: granted entitlement \"silver\"", "ops: revoked entitlement \"gold\"", "ops: issued key KEY",
                "ops: rotated key KEY to KEY, grace 60 s", "ops: revoked key KEY"), lines);
        assertFalse(r.body().contains(secret), "never a key's secret");
        assertFalse(r.body().contains(json(rotated).getString("secret")), "never a key's secret");
        assertFalse(r.body().contains(dev.tollgate.spi.ApiKey.hash(secret)), "never a key's hash");
    }

    @Test
    void everyCreditAndDebitIsInTheStatementWithItsActor() throws Exception {
        credentials = List.of(AdminCredential.of("ops", AdminRole.READ_WRITE, RW),
                AdminCredential.of("billing", AdminRole.READ_WRITE, "billing-secret-3"));
        assertEquals(200, call("POST", "/accounts/gold/credit", "{\"amount\":\"5\",\"reference\":\"invoice 7\"}", RW)
                .statusCode());
        assertEquals(200, call("POST", "/accounts/gold/debit", "{\"amount\":\"1.25\"}", "billing-secret-3")
                .statusCode());
        HttpResponse<String> r = call("GET", "/accounts/gold/statement", null, RW);
        assertEquals(200, r.statusCode(), r.body());
        JsonArray entries = json(r).getJsonArray("entries");
        List<String> lines = new ArrayList<>();
        for (JsonObject e : entries.getValuesAs(JsonObject.class)) {
            lines.add(e.getString("kind") + " " + e.getJsonNumber("available").bigDecimalValue().toPlainString()
                    + " " + e.getString("actor", "-") + " " + e.getString("reference", "-"));
        }
        assertEquals(List.of("open 100 - -", "credit 5 ops invoice 7", "debit -1.25 billing -"), lines);
        assertFalse(r.body().contains(RW), "never the secret");
    }

    @Test
    void badInputIsA400ProblemAndChangesNothing() throws Exception {
        String[] amounts = {"-1", "\"-1\"", "\"0.1234567890123456789\"", "1e400000", "1e-400000",
                "\"1e5\"", "\"" + "9".repeat(60_000) + "\"", "1000000000000000001", "\"abc\"", "true", "{\"n\":1}",
                "[\"1\"]", "[[1]]", "null"};
        for (String amount : amounts) {
            HttpResponse<String> r = call("POST", "/accounts/gold/credit", "{\"amount\":" + amount + "}", RW);
            JsonObject p = problem(r, 400);
            assertTrue(p.getString("type").endsWith("/malformed-request"), () -> amount.substring(0,
                    Math.min(30, amount.length())) + ": " + r.body());
        }
        String[] bodies = {"{bad", "", "[]", "\"text\"", "{\"amount\":\"1\"} {}", "{\"amount\":\"1\",\"amount\":\"2\"}",
                "{\"amount\":\"1\",\"reference\":\"" + "r".repeat(2000) + "\"}",
                "{\"amount\":\"1\",\"reference\":\"line\\nbreak\"}",
                hugeBody(),
                "{\"amount\":" + "[".repeat(5000) + "}"};
        for (String body : bodies) {
            JsonObject p = problem(call("POST", "/accounts/gold/debit", body, RW), 400);
            assertTrue(p.getString("type").endsWith("/malformed-request"));
        }
        String[] opens = {"{\"id\":\"" + "n".repeat(600) + "\",\"balance\":\"1\"}",
                "{\"id\":\"nul\\u0000id\",\"balance\":\"1\"}", "{\"id\":\"\",\"balance\":\"1\"}",
                "{\"id\":\"ok\",\"balance\":\"99999999999999999999\"}", "{\"id\":\"ok\",\"balance\":\"-5\"}",
                "{\"id\":\"ok\",\"balance\":\"1\",\"currency\":\"" + "c".repeat(10_000) + "\"}",
                "{\"id\":\"ok\",\"balance\":\"1\",\"entitlements\":\"premium\"}",
                "{\"id\":\"ok\",\"balance\":\"1\",\"entitlements\":[\"\"]}", "{\"id\":7,\"balance\":\"1\"}",
                "{\"balance\":\"1\"}"};
        for (String body : opens) {
            problem(call("POST", "/accounts", body, RW), 400);
        }
        problem(call("GET", "/accounts/gold/statement?limit=" + "9".repeat(5000), null, RW), 400);
        problem(call("GET", "/accounts/gold/statement?limit=0", null, RW), 400);
        problem(call("GET", "/accounts/gold/statement?limit=20000", null, RW), 400);
        problem(call("GET", "/accounts/gold/statement?from=yesterday", null, RW), 400);
        problem(call("GET", "/accounts/" + "n".repeat(3000), null, RW), 404);
        assertEquals(0, balance().compareTo(new BigDecimal("100")), "no refused change was applied");
        assertTrue(ledger.account("ok").isEmpty());
    }

    /** A well-formed body over 64 KiB: 80 members of 1,000 characters each, and an amount. */
    private static String hugeBody() {
        StringBuilder b = new StringBuilder("{\"amount\":\"1\"");
        for (int i = 0; i < 80; i++) {
            b.append(",\"m").append(i).append("\":\"").append("x".repeat(1000)).append('"');
        }
        return b.append('}').toString();
    }

    @Test
    void theOpenApiDocumentIsServed() throws Exception {
        HttpResponse<String> r = call("GET", "/openapi.json", null, RO);
        assertEquals(200, r.statusCode());
        assertTrue(json(r).getString("openapi").startsWith("3."));
        assertNotNull(json(r).getJsonObject("paths").getJsonObject("/accounts/{id}/statement"));
        assertNull(json(r).getJsonObject("paths").get("/nowhere"));
    }
}
