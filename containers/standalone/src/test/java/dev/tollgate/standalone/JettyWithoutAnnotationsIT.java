package dev.tollgate.standalone;

import static dev.tollgate.standalone.StandaloneServer.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 9, item 1, on standalone Jetty 12 started with the modules {@code ee10-deploy,http} only:
 * without {@code ee10-annotations} Jetty runs no {@code ServletContainerInitializer}, so Tollgate
 * registers itself from its web fragment. Before the fragment existed, the priced servlet answered
 * 200 to an unpaid request here, silently.
 */
class JettyWithoutAnnotationsIT {

    private static StandaloneServer jetty;

    @BeforeAll
    static void start() throws Exception {
        Path base = StandaloneServer.freshBase("jetty-without-annotations");
        StandaloneServer.webapp(base, "app", StandaloneServer.DENY_FILTER);
        StandaloneServer.webapp(base, "required-off", """
                <context-param>
                    <param-name>tollgate.autoRegister</param-name>
                    <param-value>false</param-value>
                  </context-param>
                """ + StandaloneServer.REQUIRED_LISTENER);
        StandaloneServer.webapp(base, "complete", "metadata-complete=\"true\"", "");
        StandaloneServer.webapp(base, "complete-required", "metadata-complete=\"true\"",
                StandaloneServer.REQUIRED_LISTENER);
        StandaloneServer.sampleWar(base, "sample");
        jetty = StandaloneServer.jetty(base, "ee10-deploy,http");
    }

    @AfterAll
    static void stop() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void servletDeclaredInWebXmlIsPricedWithoutAnnotationScanning() throws Exception {
        HttpResponse<String> unpaid = jetty.get("/app/priced");
        assertEquals(402, unpaid.statusCode(), unpaid.body() + "\n" + jetty.log());
        assertEquals("application/problem+json", unpaid.headers().firstValue("Content-Type").orElse("")
                .replaceAll(";.*", ""));
        assertTrue(unpaid.body().contains("\"price\""), unpaid.body());

        HttpResponse<String> paid = jetty.get("/app/priced", "X-API-Key", API_KEY);
        assertEquals(200, paid.statusCode(), paid.body());
        assertEquals("the paid result", paid.body());
        assertEquals(1, count(jetty.log(), "Tollgate started in /app:"), jetty.log());
    }

    @Test
    void filtersOfWebXmlRunBeforeTollgate() throws Exception {
        // Tollgate first would answer 402 to this unpaid request.
        assertEquals(401, jetty.get("/app/priced", "X-Deny", "1").statusCode());
    }

    @Test
    void requiredListenerFailsTheDeploymentWhenNothingRegistersTollgate() throws Exception {
        HttpResponse<String> response = jetty.get("/required-off/priced");
        // Jetty marks a context that failed to start unavailable: 503 for all of it.
        assertEquals(503, response.statusCode(), response.body());
        String log = jetty.log();
        assertTrue(log.contains("Tollgate is required (dev.tollgate.TollgateRequired is declared) but would not run"
                + " in /required-off: the context parameter tollgate.autoRegister is false and no"
                + " dev.tollgate.TollgateFilter is declared, while servlet \"priced\""
                + " (dev.tollgate.standalone.PricedServlet) is priced or rate-limited"), log);
    }

    /**
     * The documented limit on Jetty without {@code ee10-annotations}: {@code metadata-complete="true"}
     * turns fragments off too, so no code of the JAR runs unless {@code web.xml} names
     * {@code TollgateRequired}.
     */
    @Test
    void metadataCompleteWithoutAnnotationsServesForFreeUnlessRequired() throws Exception {
        HttpResponse<String> unprotected = jetty.get("/complete/priced");
        assertEquals(200, unprotected.statusCode());
        assertEquals(0, count(jetty.log(), "Tollgate started in /complete:"));
        assertEquals(402, jetty.get("/complete-required/priced").statusCode());
        assertEquals(200, jetty.get("/complete-required/priced", "X-API-Key", API_KEY).statusCode());
    }

    @Test
    void sampleWarNeedsAnnotationScanning() throws Exception {
        // The sample declares its servlets with @WebServlet: documented in docs/containers.md.
        assertEquals(404, jetty.get("/sample/api/quotes/ACME").statusCode());
    }

    static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}
