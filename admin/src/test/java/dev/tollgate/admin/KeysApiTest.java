package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApiTest.json;
import static dev.tollgate.admin.AdminApiTest.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.TestServer;
import jakarta.json.JsonObject;
import jakarta.ws.rs.core.Application;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The key routes: issue (secret once), list (prefix only), read, revoke, rotate with grace, roles, bad input. */
class KeysApiTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");
    static volatile TollgateAdmin admin;

    /** The application the Jersey servlet starts. */
    public static final class App extends Application {
        @Override
        public Set<Object> getSingletons() {
            return admin.components();
        }
    }

    private KeyLedgerDouble ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);
        ledger = new KeyLedgerDouble(InMemoryLedger.builder().account("acme", Money.credits("10")).build(), clock);
        admin = TollgateAdmin.builder()
                .credentials(List.of(AdminCredential.of("ops", AdminRole.READ_WRITE, AdminApiTest.RW),
                        AdminCredential.of("auditor", AdminRole.READ_ONLY, AdminApiTest.RO)))
                .administration(ledger).clock(clock).build();
        server = TestServer.builder().withoutInitializer()
                .customize(c -> {
                    ServletHolder h = new ServletHolder("admin", ServletContainer.class);
                    h.setInitParameter("jakarta.ws.rs.Application", App.class.getName());
                    h.setInitOrder(1);
                    c.addServlet(h, "/admin/*");
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private HttpResponse<String> call(String method, String path, String body, String key) throws Exception {
        return server.send(method, "/admin" + path, body, "X-Admin-Key", key);
    }

    private JsonObject issue(String body) throws Exception {
        HttpResponse<String> r = call("POST", "/accounts/acme/keys", body, AdminApiTest.RW);
        assertEquals(201, r.statusCode(), r.body());
        assertEquals("no-store", r.headers().firstValue("Cache-Control").orElse(null));
        return json(r);
    }

    @Test
    void aKeyIsShownOnceAndListedByItsPrefix() throws Exception {
        JsonObject issued = issue("{\"name\":\"ci\",\"expiresAt\":\"2027-01-01T00:00:00Z\"}");
        String secret = issued.getString("secret");
        assertTrue(secret.startsWith("tg_live_"), secret);
        assertEquals(secret.substring(0, 12), issued.getString("prefix"));
        assertEquals("ci", issued.getString("name"));
        assertEquals("2027-01-01T00:00:00Z", issued.getString("expiresAt"));
        assertTrue(issued.getBoolean("usable"));
        assertTrue(issue("{\"live\":false}").getString("secret").startsWith("tg_test_"));

        for (String key : new String[] {AdminApiTest.RW, AdminApiTest.RO}) {
            HttpResponse<String> list = call("GET", "/accounts/acme/keys", null, key);
            assertEquals(200, list.statusCode(), list.body());
            assertEquals(2, json(list).getJsonArray("keys").size());
            assertFalse(list.body().contains(secret), "never the secret again");
            assertFalse(list.body().contains(ledger.keys.get(issued.getString("id")).hash()), "nor its hash");
            HttpResponse<String> one = call("GET", "/keys/" + issued.getString("id"), null, key);
            assertEquals(200, one.statusCode());
            assertFalse(one.body().contains(secret));
        }
    }

    @Test
    void revokeAndRotateWithGrace() throws Exception {
        String old = issue("{}").getString("id");
        HttpResponse<String> rotated = call("POST", "/keys/" + old + "/rotate", "{\"graceSeconds\":3600}",
                AdminApiTest.RW);
        assertEquals(201, rotated.statusCode(), rotated.body());
        JsonObject fresh = json(rotated);
        assertTrue(fresh.getString("secret").startsWith("tg_live_"));
        JsonObject oldNow = json(call("GET", "/keys/" + old, null, AdminApiTest.RO));
        assertEquals("2026-12-01T13:00:00Z", oldNow.getString("revokedAt"));
        assertTrue(oldNow.getBoolean("usable"), "the old key works through its grace period");

        HttpResponse<String> revoked = call("POST", "/keys/" + fresh.getString("id") + "/revoke", null,
                AdminApiTest.RW);
        assertEquals(200, revoked.statusCode(), revoked.body());
        assertFalse(json(revoked).getBoolean("usable"));
        assertFalse(ledger.keys.get(fresh.getString("id")).usableAt(NOW));
    }

    @Test
    void readOnlyCannotIssueRevokeOrRotate() throws Exception {
        String id = issue("{}").getString("id");
        problem(call("POST", "/accounts/acme/keys", "{}", AdminApiTest.RO), 403);
        problem(call("POST", "/keys/" + id + "/revoke", null, AdminApiTest.RO), 403);
        problem(call("POST", "/keys/" + id + "/rotate", "{}", AdminApiTest.RO), 403);
        assertEquals(1, ledger.keys.size());
        assertTrue(ledger.keys.get(id).usableAt(NOW));
    }

    @Test
    void badKeyRequestsAre400Or404() throws Exception {
        String id = issue("{}").getString("id");
        for (String body : new String[] {"{\"name\":\"" + "n".repeat(300) + "\"}", "{\"name\":\"a\\u0001\"}",
                "{\"name\":7}", "{\"expiresAt\":\"tomorrow\"}", "{\"expiresAt\":\"2020-01-01T00:00:00Z\"}",
                "{\"live\":\"yes\"}", "{bad", "{\"name\":{\"x\":1}}"}) {
            JsonObject p = problem(call("POST", "/accounts/acme/keys", body, AdminApiTest.RW), 400);
            assertTrue(p.getString("type").endsWith("/malformed-request"));
        }
        for (String body : new String[] {"{\"graceSeconds\":-1}", "{\"graceSeconds\":1.5}",
                "{\"graceSeconds\":1e12}", "{\"graceSeconds\":\"60\"}"}) {
            problem(call("POST", "/keys/" + id + "/rotate", body, AdminApiTest.RW), 400);
        }
        problem(call("GET", "/keys/key_ffff", null, AdminApiTest.RW), 404);
        problem(call("GET", "/keys/" + "k".repeat(2000), null, AdminApiTest.RW), 404);
        problem(call("POST", "/keys/nokey/revoke", null, AdminApiTest.RW), 404);
        problem(call("POST", "/accounts/nobody/keys", "{}", AdminApiTest.RW), 404);
        assertEquals(1, ledger.keys.size(), "nothing was issued by a refused request");
        assertTrue(ledger.keys.get(id).usableAt(NOW) && ledger.keys.get(id).revokedAt() == null);
    }
}
