package dev.tollgate.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operator dashboard in headless Chromium against the deployed sample with known traffic: the page,
 * opened with the admin key as the Basic password, shows the charges, revenue, refusals by reason, top
 * endpoints and accounts and rate-limit pressure that the traffic caused. Also the admin API in front of it
 * (401 without the key, 400 for a bad cursor). Drives Debian's {@code /usr/bin/chromium} (or
 * {@code TOLLGATE_CHROMIUM}) with {@code playwright-core} from {@code src/test/js/package-lock.json}, which
 * this test installs with {@code npm ci} into {@code target/dashboard-js}. Without Chromium or Node it is
 * skipped with a warning, except with {@code CI=true}, where it fails. Leaves a screenshot in
 * {@code target/dashboard.png}.
 */
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DashboardIT {

    private static final String ADMIN_KEY = "it-dashboard-admin-key";
    private static final Jsonb JSONB = JsonbBuilder.create();

    static {
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

    private void traffic() throws Exception {
        for (String account : List.of("dash-a", "dash-b")) {
            assertEquals(201, send("POST", "/admin/accounts", "{\"id\":\"" + account + "\",\"balance\":\"100\",\"key\":\"" + account + "-it-key\"}",
                    "X-Admin-Key", ADMIN_KEY).statusCode());
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(200, send("GET", "/api/quotes/ACME", null, "X-API-Key", "dash-a-it-key").statusCode());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(200, send("GET", "/api/reports/7", null, "X-API-Key", "dash-b-it-key").statusCode());
        }
        for (int i = 0; i < 2; i++) {
            assertEquals(402, send("GET", "/api/quotes/ACME", null).statusCode());
        }
        int limited = 0;
        for (int i = 0; i < 7; i++) {
            limited += send("GET", "/api/search?q=x", null, "X-API-Key", "dash-a-it-key").statusCode() == 429 ? 1 : 0;
        }
        assertEquals(2, limited);
    }

    @Test
    void theAdminJsonBehindTheDashboardIsGuardedAndValidated() throws Exception {
        assertEquals(401, send("GET", "/admin/dashboard", null).statusCode());
        assertEquals(401, send("GET", "/admin/usage", null, "X-Admin-Key", "wrong").statusCode());
        HttpResponse<String> bad = send("GET", "/admin/usage?after=not-a-cursor", null, "X-Admin-Key", ADMIN_KEY);
        assertEquals(400, bad.statusCode(), bad.body());
        assertEquals("application/problem+json", bad.headers().firstValue("Content-Type").orElse(""));
        assertEquals(400, send("GET", "/admin/usage?limit=100000", null, "X-Admin-Key", ADMIN_KEY).statusCode());
        HttpResponse<String> page = send("GET", "/admin/dashboard", null, "Authorization",
                "Basic " + Base64.getEncoder().encodeToString(("anyone:" + ADMIN_KEY).getBytes(StandardCharsets.UTF_8)));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("operator dashboard"), page.body());
        // A browser sends stored Basic credentials with requests other sites make it send: they open
        // pages, never changes (cross-site request forgery); a change needs X-Admin-Key.
        String basic = "Basic " + Base64.getEncoder().encodeToString(("x:" + ADMIN_KEY).getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> forged = send("POST", "/admin/accounts",
                "{\"id\":\"csrf\",\"balance\":\"1000\",\"key\":\"csrf-chosen-key\"}", "Authorization", basic);
        assertEquals(403, forged.statusCode(), forged.body());
        assertEquals("application/problem+json", forged.headers().firstValue("Content-Type").orElse(""));
        assertEquals(401, send("GET", "/api/quotes/ACME", null, "X-API-Key", "csrf-chosen-key").statusCode(),
                "the forged account was not opened");
    }

    @Test
    @SuppressWarnings("unchecked")
    void chromiumShowsWhatTheTrafficDid() throws Exception {
        Path chromium = Path.of(System.getenv().getOrDefault("TOLLGATE_CHROMIUM", "/usr/bin/chromium"));
        boolean ci = "true".equalsIgnoreCase(System.getenv("CI"));
        String missing = !Files.isExecutable(chromium) ? "Chromium (" + chromium + "; apt-get install chromium)"
                : !onPath("node") || !onPath("npm") ? "Node.js and npm" : null;
        if (missing != null) {
            String message = "DashboardIT: " + missing + " not found";
            if (ci) {
                throw new AssertionError(message + "; with CI=true the dashboard browser test must run");
            }
            System.err.println("\n*** " + message + ": the dashboard browser test is SKIPPED ***\n");
            Assumptions.abort(message + ": skipped outside CI");
        }
        Path js = installPlaywright();
        traffic();

        Path screenshot = Path.of("target", "dashboard.png").toAbsolutePath();
        String url = base.toExternalForm().replaceAll("/$", "") + "/admin/dashboard";
        Process p = new ProcessBuilder("node", js.resolve("dashboard-check.mjs").toString(), url, ADMIN_KEY,
                screenshot.toString(), chromium.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the browser check did not finish");
        assertEquals(0, p.exitValue(), out);
        Map<String, Object> result = JSONB.fromJson(out.strip().lines().reduce((a, b) -> b).orElse("{}"), Map.class);
        assertEquals(200, ((Number) result.get("status")).intValue());
        assertEquals(List.of(), result.get("errors"));
        Map<String, Object> shown = (Map<String, Object>) result.get("shown");

        // Revenue and accounts come from the usage API: 3 quotes at 1 credit, 2 reports at 5, exactly.
        assertEquals("13 credits", shown.get("revenue"));
        assertEquals("5", shown.get("charges"));
        assertEquals(List.of(List.of("dash-b", "2", "10"), List.of("dash-a", "3", "3")), shown.get("accounts"));
        // Refusals by reason: two unpaid quotes, two searches over the limit.
        Map<String, Object> reasons = (Map<String, Object>) shown.get("reasons");
        assertEquals(2, ((Number) reasons.get("payment-required")).intValue(), reasons.toString());
        assertEquals(2, ((Number) reasons.get("rate-limited")).intValue(), reasons.toString());
        assertEquals("4", shown.get("refusals"));
        assertEquals("2", shown.get("limited"));
        // Calls: every request that reached a priced or limited endpoint, refused or not.
        assertEquals("14", shown.get("calls"));
        // The charts drew bars for the minute of the traffic.
        assertTrue(((Number) shown.get("callBars")).intValue() >= 1, shown.toString());
        assertTrue(((Number) shown.get("revenueBars")).intValue() >= 1, shown.toString());
        assertTrue(((Number) shown.get("refusalBars")).intValue() >= 2, shown.toString());
        // Top endpoints and live rate-limit pressure.
        List<List<String>> endpoints = (List<List<String>>) shown.get("endpoints");
        assertTrue(endpoints.stream().anyMatch(r -> r.get(0).equals("quotes") && r.get(2).equals("3")), endpoints.toString());
        assertTrue(endpoints.stream().anyMatch(r -> r.get(0).equals("reports") && r.get(2).equals("2")), endpoints.toString());
        List<List<String>> pressure = (List<List<String>>) shown.get("pressure");
        assertEquals(List.of("search", "2 / 7"), pressure.get(0).subList(0, 2), pressure.toString());
        assertTrue(Files.size(screenshot) > 10_000, "screenshot " + screenshot);
    }

    /** Installs playwright-core from the committed lockfile (once per build directory). */
    private static Path installPlaywright() throws IOException, InterruptedException {
        Path source = Path.of("src", "test", "js");
        Path target = Path.of("target", "dashboard-js").toAbsolutePath();
        Files.createDirectories(target);
        for (String f : List.of("package.json", "package-lock.json", "dashboard-check.mjs")) {
            Files.copy(source.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(target.resolve("node_modules/playwright-core"))) {
            Process npm = new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(target.toFile())
                    .inheritIO().start();
            if (!npm.waitFor(300, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                throw new IllegalStateException("npm ci in " + target + " failed");
            }
        }
        return target;
    }

    private static boolean onPath(String command) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
