package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.tollgate.testing.Postgres;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.File;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.Configurations;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sample WAR on PostgreSQL ({@code TOLLGATE_JDBC_URL}, and {@code TOLLGATE_RATELIMIT_STORE=postgres}),
 * deployed twice on two Jetty servers that share one database: one balance per account, one limit
 * per key, and the admin endpoints.
 */
class SampleOnPostgresIT {

    private static final String[] SETTINGS = {"TOLLGATE_JDBC_URL", "TOLLGATE_JDBC_USER", "TOLLGATE_JDBC_PASSWORD",
            "TOLLGATE_JDBC_SCHEMA", "TOLLGATE_ADMIN_KEY", "TOLLGATE_RATELIMIT_STORE"};
    private static final Jsonb JSONB = JsonbBuilder.create();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static String schema;
    private static Server a;
    private static Server b;

    @BeforeAll
    static void deployTwice() throws Exception {
        Postgres.Server db = Postgres.server();
        schema = Postgres.uniqueSchema();
        System.setProperty("TOLLGATE_JDBC_URL", db.url());
        System.setProperty("TOLLGATE_JDBC_USER", db.user());
        System.setProperty("TOLLGATE_JDBC_PASSWORD", db.password());
        System.setProperty("TOLLGATE_JDBC_SCHEMA", schema);
        System.setProperty("TOLLGATE_ADMIN_KEY", "it-admin-key");
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "postgres");
        a = deploy();
        b = deploy();
    }

    @AfterAll
    static void undeploy() throws Exception {
        try {
            a.stop();
            b.stop();
        } finally {
            for (String s : SETTINGS) {
                System.clearProperty(s);
            }
            Postgres.Server db = Postgres.server();
            try (HikariDataSource pool = db.pool(1)) {
                Postgres.dropSchema(pool, schema);
            }
        }
    }

    static Server deploy() throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        Configurations.setServerDefault(server).add(new AnnotationConfiguration());
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath("/shop");
        webapp.setWar(new File(System.getProperty("sample.war", "target/sample-webapp.war")).getAbsolutePath());
        webapp.setThrowUnavailableOnStartupException(true);
        // This test's class path holds the JARs the WAR brings (Jersey among them); load them from one
        // place only, as Arquillian's Jetty does, or HK2 mixes the two copies.
        webapp.setParentLoaderPriority(true);
        server.setHandler(webapp);
        server.start();
        return server;
    }

    static String base(Server s) {
        return "http://127.0.0.1:" + ((ServerConnector) s.getConnectors()[0]).getLocalPort() + "/shop";
    }

    static HttpResponse<String> call(Server s, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(base(s) + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return JSONB.fromJson(r.body(), Map.class);
    }

    private static BigDecimal balance(Server s, String key) throws Exception {
        return new BigDecimal(json(call(s, "GET", "/api/balance", null, "X-API-Key", key)).get("balance").toString());
    }

    @Test
    void twoInstancesShareOneBalance() throws Exception {
        BigDecimal before = balance(a, "demo-gold");
        assertEquals(before, balance(b, "demo-gold"));
        assertEquals(200, call(a, "GET", "/api/quotes/ACME", null, "X-API-Key", "demo-gold").statusCode());
        assertEquals(200, call(b, "GET", "/api/reports/7", null, "X-API-Key", "demo-gold").statusCode());
        assertEquals(before.subtract(new BigDecimal("6")), balance(a, "demo-gold"));
        assertEquals(before.subtract(new BigDecimal("6")), balance(b, "demo-gold"));

        HttpResponse<String> first = call(a, "POST", "/api/reports", "{\"t\":1}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "pg-it-1", "Content-Type", "application/json");
        HttpResponse<String> retryOnB = call(b, "POST", "/api/reports", "{\"t\":1}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "pg-it-1", "Content-Type", "application/json");
        assertEquals(201, first.statusCode());
        assertEquals(first.body(), retryOnB.body(), "a retry on the other instance is a replay");
        assertEquals(before.subtract(new BigDecimal("16")), balance(a, "demo-gold"));
    }

    @Test
    void searchLimitsAreSharedByBothInstances() throws Exception {
        int admitted = 0;
        for (int i = 0; i < 20; i++) {
            admitted += call(i % 2 == 0 ? a : b, "GET", "/api/search?q=a", null, "X-API-Key", "demo-silver")
                    .statusCode() == 200 ? 1 : 0;
        }
        assertEquals(5, admitted, "5 a minute across both instances");
    }

    @Test
    void adminEndpointsNeedTheKeyAndShowEveryChange() throws Exception {
        assertEquals(401, call(a, "GET", "/admin/accounts/demo-empty", null).statusCode());
        assertEquals(401, call(a, "GET", "/admin/accounts/demo-empty", null, "X-Admin-Key", "wrong").statusCode());
        String[] key = {"X-Admin-Key", "it-admin-key", "Content-Type", "application/json"};
        HttpResponse<String> opened = call(a, "POST", "/admin/accounts",
                "{\"id\":\"acme\",\"balance\":\"10.50\",\"entitlements\":[\"premium\"],\"key\":\"acme-it-key\"}",
                key);
        assertEquals(201, opened.statusCode(), opened.body());
        assertEquals(409, call(b, "POST", "/admin/accounts", "{\"id\":\"acme\",\"balance\":\"1\"}", key).statusCode());
        assertEquals(200, call(b, "POST", "/admin/accounts/acme/credit", "{\"amount\":\"4.5\",\"reference\":\"inv 7\"}",
                key).statusCode());
        assertEquals(new BigDecimal("15"), balance(a, "acme-it-key"), "credited on one instance, seen on the other");
        assertEquals(409, call(a, "POST", "/admin/accounts/acme/debit", "{\"amount\":\"100\"}", key).statusCode());
        assertEquals(200, call(a, "POST", "/admin/accounts/acme/debit", "{\"amount\":1}", key).statusCode());
        assertEquals(200, call(a, "GET", "/api/premium/insights", null, "X-API-Key", "acme-it-key").statusCode());
        assertEquals(200, call(a, "DELETE", "/admin/accounts/acme/entitlements/premium", null, key).statusCode());
        assertEquals(402, call(b, "GET", "/api/premium/insights", null, "X-API-Key", "acme-it-key").statusCode());
        assertEquals(200, call(a, "GET", "/api/quotes/ACME", null, "X-API-Key", "acme-it-key").statusCode());

        HttpResponse<String> statement = call(b, "GET", "/admin/accounts/acme/statement", null, key);
        assertEquals(200, statement.statusCode());
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> entries = (List<Map<String, Object>>) json(statement).get("entries");
        // Notes (admin actions without money, from main's admin notes): opened, key imported, entitlement revoked.
        assertEquals(List.of("open", "note", "note", "credit", "debit", "hold", "commit", "note", "hold", "commit"),
                entries.stream().map(e -> e.get("kind")).toList());
        BigDecimal sum = entries.stream().map(e -> new BigDecimal(e.get("available").toString()))
                .reduce(BigDecimal.ZERO, BigDecimal::add);
        assertEquals(0, sum.compareTo(new BigDecimal("13")), "entries add up to the balance: " + sum);
        assertEquals(404, call(a, "GET", "/admin/accounts/nobody", null, key).statusCode());
        assertTrue(call(a, "GET", "/admin/accounts/acme", null, key).body().contains("\"balance\":13"));
    }

    /**
     * Issue 12: after the demo keys were used on both instances, no row of any table in the sample's
     * schema (ledger, keys, idempotency records, shared rate-limit buckets) holds one in clear: what a
     * {@code pg_dump} of the data would show.
     */
    @Test
    void noRowHoldsADemoKeyInClear() throws Exception {
        assertEquals(200, call(a, "GET", "/api/quotes/ACME", null, "X-API-Key", "demo-gold").statusCode());
        assertEquals(201, call(b, "POST", "/api/reports", "{\"t\":2}", "X-API-Key", "demo-gold",
                "Idempotency-Key", "pg-it-dump", "Content-Type", "application/json").statusCode());
        StringBuilder dump = new StringBuilder();
        try (HikariDataSource pool = Postgres.server().pool(1); java.sql.Connection c = pool.getConnection();
             java.sql.Statement st = c.createStatement()) {
            List<String> tables = new java.util.ArrayList<>();
            try (java.sql.ResultSet rs = st.executeQuery("SELECT table_name FROM information_schema.tables"
                    + " WHERE table_schema = '" + schema + "'")) {
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
            }
            assertTrue(tables.contains("keys") && tables.contains("tollgate_buckets"), tables.toString());
            for (String t : tables) {
                try (java.sql.ResultSet rs = st.executeQuery("SELECT x::text FROM " + schema + "." + t + " x")) {
                    while (rs.next()) {
                        dump.append(t).append(' ').append(rs.getString(1)).append('\n');
                    }
                }
            }
        }
        assertTrue(dump.indexOf("pg-it-dump") >= 0, "the dump covers the idempotency records");
        assertTrue(dump.indexOf("demo-gold") < 0, "no row holds demo-gold");
        assertTrue(dump.indexOf("demo-silver") < 0, "no row holds demo-silver");
        assertTrue(dump.indexOf("demo-empty") < 0, "no row holds demo-empty");
        assertTrue(dump.indexOf("demo-plan") < 0, "no row holds demo-plan");
    }

    /**
     * The usage API on PostgreSQL reads the shared statement: both instances list the same charges with the
     * same ids, and a cursor taken from one instance resumes on the other.
     */
    @Test
    @SuppressWarnings("unchecked")
    void usageFromTheStatementIsTheSameOnBothInstancesAndResumesAcrossThem() throws Exception {
        String[] key = {"X-Admin-Key", "it-admin-key", "Content-Type", "application/json"};
        assertEquals(201, call(a, "POST", "/admin/accounts", "{\"id\":\"usage-pg\",\"balance\":\"50\",\"key\":\"usage-pg-it-key\"}", key)
                .statusCode());
        assertEquals(200, call(a, "GET", "/api/quotes/ACME", null, "X-API-Key", "usage-pg-it-key").statusCode());
        assertEquals(200, call(b, "GET", "/api/reports/7", null, "X-API-Key", "usage-pg-it-key").statusCode());
        assertEquals(200, call(a, "GET", "/api/quotes/ACME", null, "X-API-Key", "usage-pg-it-key").statusCode());

        List<String> onA = new java.util.ArrayList<>();
        List<String> mixed = new java.util.ArrayList<>();
        String cursorA = "";
        String cursorMixed = "";
        for (int page = 0; page < 200; page++) {
            Map<String, Object> fromA = json(call(a, "GET", "/admin/usage?limit=2&after=" + cursorA, null, key));
            // The mixed reader alternates instances, each time with the cursor the other one gave.
            Map<String, Object> fromMixed = json(call(page % 2 == 0 ? b : a, "GET", "/admin/usage?limit=2&after="
                    + cursorMixed, null, key));
            for (Map<String, Object> r : (List<Map<String, Object>>) fromA.get("records")) {
                if (r.get("account").equals("usage-pg")) {
                    onA.add(r.get("id") + " " + r.get("amount") + " " + r.get("resource"));
                }
            }
            for (Map<String, Object> r : (List<Map<String, Object>>) fromMixed.get("records")) {
                if (r.get("account").equals("usage-pg")) {
                    mixed.add(r.get("id") + " " + r.get("amount") + " " + r.get("resource"));
                }
            }
            boolean done = cursorA.equals(fromA.get("next")) && cursorMixed.equals(fromMixed.get("next"));
            cursorA = (String) fromA.get("next");
            cursorMixed = (String) fromMixed.get("next");
            if (done) {
                break;
            }
        }
        assertEquals(List.of("1", "5", "1"), onA.stream().map(s -> s.split(" ")[1]).toList(), onA.toString());
        assertTrue(onA.get(1).endsWith("GET reports"), onA.toString());
        assertEquals(onA, mixed);
        assertEquals(3, onA.stream().map(s -> s.split(" ")[0]).distinct().count());
        assertEquals(400, call(a, "GET", "/admin/usage?after=" + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("u1:pg.another:0".getBytes(java.nio.charset.StandardCharsets.UTF_8)), null, key)
                .statusCode());
    }

    /** Issue 9, item 7: client mistakes on PostgreSQL are 400s, never 503 {@code ledger-unavailable}. */
    @Test
    void clientMistakesOnPostgresAre400NotLedgerUnavailable() throws Exception {
        String[] key = {"X-Admin-Key", "it-admin-key", "Content-Type", "application/json"};
        for (String body : new String[] {
                "{\"id\":\"nul\\u0000id\",\"balance\":\"1\"}",
                "{\"id\":\"" + "n".repeat(3800) + "\",\"balance\":\"1\"}",
                "{\"id\":\"line\\nbreak\",\"balance\":\"1\"}",
                "{\"id\":\"huge\",\"balance\":\"99999999999999999999\"}"}) {
            HttpResponse<String> r = call(a, "POST", "/admin/accounts", body, key);
            assertEquals(400, r.statusCode(), r.body());
            assertTrue(r.body().contains("malformed-request"), r.body());
        }
        HttpResponse<String> opened = call(a, "POST", "/admin/accounts", "{\"id\":\"rich\",\"balance\":\"1\",\"key\":\"rich-it-key\"}",
                key);
        assertEquals(201, opened.statusCode(), opened.body());
        HttpResponse<String> overflow = call(b, "POST", "/admin/accounts/rich/credit",
                "{\"amount\":\"9999999999999999999\",\"reference\":\"too much\"}", key);
        assertEquals(400, overflow.statusCode(), overflow.body());
        assertEquals(new BigDecimal("1"), balance(a, "rich-it-key"), "a refused credit changes nothing");
    }
}
