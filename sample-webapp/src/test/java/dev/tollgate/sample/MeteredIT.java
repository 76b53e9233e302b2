package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The metered summaries of the sample ({@code /api/summaries/{id}} and {@code /rest/summaries/{id}})
 * deployed unmodified: 10 credits held, 1 credit per started 100 words charged, the rest returned,
 * as the balance and the account's statement (admin API) show. Each test uses its own account,
 * opened through the admin API, so the order of tests and of IT classes does not matter. Runs on
 * every container of the matrix.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MeteredIT {

    private static final String ADMIN_KEY = "it-metered-admin-key";
    private static final HttpClient HTTP = SampleHttp.HTTP;

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

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, null, headers);
    }

    private static Map<String, Object> json(HttpResponse<String> r) {
        return SampleHttp.json(r);
    }

    /** Opens an account with 50 credits through the admin API, with a key equal to its id (imported). */
    private void open(String account) throws Exception {
        HttpResponse<String> r = send("POST", "/admin/accounts", "{\"id\":\"" + account + "\",\"balance\":\"50\",\"key\":\""
                + account + "\"}",
                "X-Admin-Key", ADMIN_KEY);
        assertEquals(201, r.statusCode(), r.body());
    }

    private BigDecimal balance(String account) throws Exception {
        HttpResponse<String> r = get("/api/balance", "X-API-Key", account);
        assertEquals(200, r.statusCode(), r.body());
        return new BigDecimal(json(r).get("balance").toString());
    }

    /** The account's statement after opening, as "kind available held" lines. */
    @SuppressWarnings("unchecked")
    private List<String> statement(String account) throws Exception {
        HttpResponse<String> r = get("/admin/accounts/" + account + "/statement", "X-Admin-Key", ADMIN_KEY);
        assertEquals(200, r.statusCode(), r.body());
        List<String> lines = new ArrayList<>();
        for (Map<String, Object> e : (List<Map<String, Object>>) json(r).get("entries")) {
            if (!e.get("kind").equals("open") && !e.get("kind").equals("note")) { // notes: the admin's actions
                lines.add(e.get("kind") + " " + plain(e.get("available")) + " " + plain(e.get("held")));
            }
        }
        return lines;
    }

    private static String plain(Object n) {
        return new BigDecimal(n.toString()).stripTrailingZeros().toPlainString();
    }

    private void chargesByTheSizeOfTheAnswer(String prefix, String account) throws Exception {
        open(account);
        HttpResponse<String> r = get(prefix + "/summaries/q3?words=250", "X-API-Key", account);
        assertEquals(200, r.statusCode(), r.body());
        Map<String, Object> body = json(r);
        assertEquals(250, new BigDecimal(body.get("words").toString()).intValue());
        assertEquals(250, body.get("summary").toString().split(" ").length);
        assertEquals(new BigDecimal("47"), balance(account), "250 words: 3 credits of the 10 held");
        assertEquals(List.of("hold -10 10", "commit 0 -3", "release 7 -7"), statement(account));

        assertEquals(200, get(prefix + "/summaries/q3?words=1", "X-API-Key", account).statusCode());
        assertEquals(new BigDecimal("46"), balance(account), "at least 1 credit");
        assertEquals(200, get(prefix + "/summaries/q3?words=1000", "X-API-Key", account).statusCode());
        assertEquals(new BigDecimal("36"), balance(account), "1,000 words: the whole 10");
    }

    @Test
    void servletSummariesChargeOneCreditPerHundredWords() throws Exception {
        chargesByTheSizeOfTheAnswer("/api", "metered-api");
    }

    @Test
    void restSummariesChargeOneCreditPerHundredWords() throws Exception {
        chargesByTheSizeOfTheAnswer("/rest", "metered-rest");
    }

    @Test
    void aBadWordCountIsA400AndChargesNothing() throws Exception {
        open("metered-bad");
        for (String path : List.of("/api/summaries/q3?words=1001", "/rest/summaries/q3?words=0",
                "/api/summaries/q3?words=lots", "/rest/summaries/q3?words=99999999999")) {
            HttpResponse<String> r = get(path, "X-API-Key", "metered-bad");
            assertEquals(400, r.statusCode(), path + ": " + r.body());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""), path);
        }
        assertEquals(new BigDecimal("50"), balance("metered-bad"));
    }

    @Test
    void aPoorAccountIsRefusedTheMaximumEvenForAShortSummary() throws Exception {
        open("metered-poor");
        send("POST", "/admin/accounts/metered-poor/debit", "{\"amount\":\"45\",\"reference\":\"it\"}",
                "X-Admin-Key", ADMIN_KEY);
        HttpResponse<String> r = get("/api/summaries/q3?words=10", "X-API-Key", "metered-poor");
        assertEquals(402, r.statusCode(), r.body());
        assertTrue(r.body().contains("\"price\":\"10\"") || r.body().contains("\"price\":10"), r.body());
        assertEquals(new BigDecimal("5"), balance("metered-poor"));
    }

    @Test
    void anIdempotentRetryIsReplayedNotChargedAgain() throws Exception {
        open("metered-idem");
        for (String prefix : List.of("/api", "/rest")) {
            HttpResponse<String> first = get(prefix + "/summaries/q4?words=420", "X-API-Key", "metered-idem",
                    "Idempotency-Key", "summary" + prefix.substring(1));
            HttpResponse<String> again = get(prefix + "/summaries/q4?words=420", "X-API-Key", "metered-idem",
                    "Idempotency-Key", "summary" + prefix.substring(1));
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(first.body(), again.body());
            assertEquals("true", again.headers().firstValue("Idempotent-Replayed").orElse(""), prefix);
        }
        assertEquals(new BigDecimal("40"), balance("metered-idem"), "5 credits twice, not four times");
    }

    /**
     * The key lifecycle through the sample's admin API (tollgate-admin on the in-memory ledger): a key
     * issued for an account pays from that account, is shown once, and is listed by its prefix only.
     */
    @Test
    void aKeyIssuedThroughTheAdminApiPaysFromItsAccount() throws Exception {
        open("keyed-account");
        HttpResponse<String> issued = send("POST", "/admin/accounts/keyed-account/keys", "{\"name\":\"it\"}",
                "X-Admin-Key", ADMIN_KEY);
        assertEquals(201, issued.statusCode(), issued.body());
        String secret = json(issued).get("secret").toString();
        assertTrue(secret.startsWith("tg_live_"), secret);
        HttpResponse<String> balance = get("/api/balance", "X-API-Key", secret);
        assertEquals(200, balance.statusCode(), balance.body());
        assertEquals("keyed-account", json(balance).get("account"));
        HttpResponse<String> list = get("/admin/accounts/keyed-account/keys", "X-Admin-Key", ADMIN_KEY);
        assertEquals(200, list.statusCode(), list.body());
        assertTrue(list.body().contains(secret.substring(0, 12)) && !list.body().contains(secret), list.body());
    }
}
