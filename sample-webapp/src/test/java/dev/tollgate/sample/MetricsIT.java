package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
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
 * {@code GET /admin/metrics} of the sample WAR after known traffic: Prometheus text whose
 * {@code tollgate_requests_total} and {@code tollgate_charged_total} count exactly what happened
 * since the deployment started (the admin pages, scrapes and refused attempts included, are not
 * API traffic and not counted); the admin key in {@code X-Admin-Key} or as a Basic password, and
 * a 401 with a Basic challenge without it.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class MetricsIT {

    private static final String ADMIN_KEY = "it-metrics-admin-key";

    static {
        // Hermetic: the in-memory ledger, local limits, and the admin pages on.
        SampleHttp.hermetic(ADMIN_KEY);
    }

    @ArquillianResource
    private URL base;

    @Deployment(testable = false)
    static WebArchive war() {
        return SampleHttp.war();
    }

    @AfterAll
    static void clear() {
        SampleHttp.leaveHermetic();
    }

    private HttpResponse<String> get(String path, String... headers) throws Exception {
        return SampleHttp.send(base, "GET", path, null, headers);
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** The sum of a sample over the series whose labels include all of {@code labels}. */
    private static double sample(String scrape, String name, Map<String, String> labels) {
        double sum = 0;
        for (String line : scrape.split("\n")) {
            if (line.startsWith(name + "{")) {
                String series = line.substring(0, line.lastIndexOf(' '));
                if (labels.entrySet().stream().allMatch(e -> series.contains(e.getKey() + "=\"" + e.getValue() + "\""))) {
                    sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                }
            }
        }
        return sum;
    }

    @Test
    void metricsCountExactlyTheTrafficAndNeedTheAdminKey() throws Exception {
        // Without the key, with a wrong one, or a wrong Basic password: a 401 problem that makes a browser ask.
        for (String[] headers : new String[][] {{}, {"X-Admin-Key", "wrong"},
                {"Authorization", basic("operator", "wrong")}, {"Authorization", "Basic %%%not-base64"}}) {
            HttpResponse<String> r = get("/admin/metrics", headers);
            assertEquals(401, r.statusCode(), r.body());
            assertEquals("application/problem+json", r.headers().firstValue("Content-Type").orElse(""));
            assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Basic realm="),
                    r.headers().map()::toString);
            assertTrue(!r.body().contains("tollgate_requests_total"));
        }

        // Known traffic.
        for (int i = 0; i < 2; i++) {
            assertEquals(200, get("/api/quotes/ACME", "X-API-Key", "demo-gold").statusCode());   // charged 1 each
        }
        assertEquals(400, get("/api/quotes/acme", "X-API-Key", "demo-gold").statusCode());      // released
        assertEquals(402, get("/api/quotes/ACME").statusCode());                                // refused
        assertEquals(402, get("/api/quotes/ACME", "X-API-Key", "demo-empty").statusCode());     // refused
        int passed = 0;
        int limited = 0;
        for (int i = 0; i < 11; i++) {
            int status = get("/api/news").statusCode();                                          // 10 a minute
            passed += status == 200 ? 1 : 0;
            limited += status == 429 ? 1 : 0;
        }
        assertEquals(10, passed);
        assertEquals(1, limited);
        for (int i = 0; i < 2; i++) {
            assertEquals(200, get("/api/hello").statusCode());                                   // passed (no policy)
        }
        assertEquals(200, get("/rest/quotes/ACME", "X-API-Key", "demo-gold").statusCode());    // charged 1, once

        HttpResponse<String> byHeader = get("/admin/metrics", "X-Admin-Key", ADMIN_KEY);
        HttpResponse<String> byBasic = get("/admin/metrics", "Authorization", basic("anyone", ADMIN_KEY));
        for (HttpResponse<String> r : java.util.List.of(byHeader, byBasic)) {
            assertEquals(200, r.statusCode(), r.body());
            String type = r.headers().firstValue("Content-Type").orElse("");
            assertTrue(type.startsWith("text/plain") && type.contains("version=0.0.4"), type);
            String s = r.body();
            assertEquals(3, sample(s, "tollgate_requests_total", Map.of("outcome", "charged")), s);
            assertEquals(1, sample(s, "tollgate_requests_total", Map.of("outcome", "released")), s);
            assertEquals(2, sample(s, "tollgate_requests_total", Map.of("outcome", "refused")), s);
            assertEquals(1, sample(s, "tollgate_requests_total", Map.of("outcome", "refused",
                    "problem_type", "insufficient-funds")), s);
            assertEquals(12, sample(s, "tollgate_requests_total", Map.of("outcome", "passed")), s);
            assertEquals(2, sample(s, "tollgate_requests_total", Map.of("outcome", "passed", "endpoint", "hello")), s);
            assertEquals(1, sample(s, "tollgate_requests_total", Map.of("outcome", "limited")), s);
            assertEquals(3, sample(s, "tollgate_charged_total", Map.of("currency", "credits")), s);
            assertEquals(0, sample(s, "tollgate_holds_open", Map.of()), s);
            assertTrue(!s.contains("demo-gold") && !s.contains("demo-empty"), "no account id in the metrics");
        }
    }
}
