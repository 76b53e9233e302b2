package dev.tollgate.admin;

import static dev.tollgate.admin.AdminApiTest.RO;
import static dev.tollgate.admin.AdminApiTest.RW;
import static dev.tollgate.admin.AdminApiTest.json;
import static dev.tollgate.admin.AdminApiTest.problem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.Tollgate;
import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testing.TestServer;
import jakarta.json.JsonObject;
import java.math.BigDecimal;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Set;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.glassfish.jersey.servlet.ServletContainer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Issue 12: the admin API sets, shows and removes an account's monthly allowance; roles and bad input. */
class AllowanceApiTest {

    private InMemoryLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        AdminApiTest.credentials = List.of(AdminCredential.of("ops", AdminRole.READ_WRITE, RW),
                AdminCredential.of("auditor", AdminRole.READ_ONLY, RO));
        ledger = InMemoryLedger.builder().build();
        ledger.openAccount("acct_1", Money.credits("100"), Set.of());
        server = TestServer.builder()
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .customize(c -> {
                    ServletHolder admin = new ServletHolder("admin", ServletContainer.class);
                    admin.setInitParameter("jakarta.ws.rs.Application", AdminApiTest.App.class.getName());
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
        return server.send(method, "/admin" + path, body, "X-Admin-Key", key);
    }

    @Test
    void setShowAndRemoveAnAllowanceWithTheActorInTheStatement() throws Exception {
        HttpResponse<String> r = call("PUT", "/accounts/acct_1/allowance",
                "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":5,\"anchorDay\":31}", RW);
        assertEquals(200, r.statusCode(), r.body());
        JsonObject a = json(r).getJsonObject("allowance");
        assertEquals("starter", a.getString("plan"));
        assertEquals("calls", a.getString("unit"));
        assertEquals(5, a.getInt("limit"));
        assertEquals(5, a.getInt("remaining"));
        assertEquals(31, a.getInt("anchorDay"));
        assertTrue(a.getString("resetsAt").endsWith("T00:00:00Z"), a.toString());

        HttpResponse<String> g = call("GET", "/accounts/acct_1", null, RO);
        assertEquals(200, g.statusCode());
        assertEquals("starter", json(g).getJsonObject("allowance").getString("plan"));

        r = call("PUT", "/accounts/acct_1/allowance", "{\"plan\":\"pro\",\"unit\":\"credits\",\"amount\":\"2.50\"}", RW);
        assertEquals(200, r.statusCode(), r.body());
        a = json(r).getJsonObject("allowance");
        assertEquals(0, new BigDecimal("2.5").compareTo(a.getJsonNumber("limit").bigDecimalValue()));
        assertEquals("credits", a.getString("currency"));
        assertEquals(1, a.getInt("anchorDay"));

        r = call("DELETE", "/accounts/acct_1/allowance", null, RW);
        assertEquals(200, r.statusCode(), r.body());
        assertFalse(json(r).containsKey("allowance"));
        problem(call("DELETE", "/accounts/acct_1/allowance", null, RW), 404);
        assertTrue(ledger.allowance("acct_1").isEmpty());

        JsonObject statement = json(call("GET", "/accounts/acct_1/statement", null, RO));
        List<JsonObject> changes = statement.getJsonArray("entries").getValuesAs(JsonObject.class).stream()
                .filter(e -> e.getString("kind").equals("allowance")).toList();
        assertEquals(3, changes.size(), statement.toString());
        for (JsonObject e : changes) {
            assertEquals("ops", e.getString("actor"));
        }
        assertTrue(changes.get(0).getString("reference").contains("\"starter\": 5 calls per month from day 31"),
                changes.get(0).toString());
    }

    @Test
    void theReadOnlyRoleCannotChangeAllowances() throws Exception {
        problem(call("PUT", "/accounts/acct_1/allowance", "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":5}", RO),
                403);
        ledger.setAllowance("acct_1", dev.tollgate.spi.Allowance.calls("starter", 5, 1), null);
        problem(call("DELETE", "/accounts/acct_1/allowance", null, RO), 403);
        assertTrue(ledger.allowance("acct_1").isPresent());
        assertEquals(200, call("GET", "/accounts/acct_1", null, RO).statusCode());
    }

    @Test
    void badInputIsA400AndChangesNothing() throws Exception {
        String[] bodies = {
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":-1}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":0}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":1.5}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":1e300}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":\"5\"}",
            "{\"plan\":\"starter\",\"unit\":\"calls\"}",
            "{\"plan\":\"starter\",\"unit\":\"credits\",\"amount\":\"-1\"}",
            "{\"plan\":\"starter\",\"unit\":\"credits\",\"amount\":\"0\"}",
            "{\"plan\":\"starter\",\"unit\":\"credits\",\"amount\":\"1e400000\"}",
            "{\"plan\":\"starter\",\"unit\":\"credits\",\"amount\":\"10000000000000000000\"}",
            "{\"plan\":\"starter\",\"unit\":\"credits\",\"amount\":\"5\",\"currency\":\"EUR\"}",
            "{\"plan\":\"starter\",\"unit\":\"credits\",\"calls\":5}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":5,\"amount\":\"1\"}",
            "{\"plan\":\"starter\",\"unit\":\"minutes\",\"calls\":5}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":5,\"anchorDay\":0}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":5,\"anchorDay\":32}",
            "{\"plan\":\"starter\",\"unit\":\"calls\",\"calls\":5,\"anchorDay\":\"1\"}",
            "{\"plan\":\"\",\"unit\":\"calls\",\"calls\":5}",
            "{\"plan\":\"a\\u0000b\",\"unit\":\"calls\",\"calls\":5}",
            "{\"plan\":\"" + "p".repeat(513) + "\",\"unit\":\"calls\",\"calls\":5}",
            "{\"unit\":\"calls\",\"calls\":5}",
            "not json",
            "[]",
        };
        for (String body : bodies) {
            JsonObject p = problem(call("PUT", "/accounts/acct_1/allowance", body, RW), 400);
            assertFalse(p.getString("detail", "").isEmpty(), body);
        }
        assertTrue(ledger.allowance("acct_1").isEmpty(), "nothing changed");
        problem(call("PUT", "/accounts/nobody/allowance", "{\"plan\":\"s\",\"unit\":\"calls\",\"calls\":5}", RW), 404);
    }
}
