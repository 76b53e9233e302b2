package dev.tollgate.standalone;

import static dev.tollgate.standalone.JettyWithoutAnnotationsIT.count;
import static dev.tollgate.standalone.StandaloneServer.API_KEY;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Standalone Jetty 12 with {@code ee10-annotations,ee10-deploy,http}: the initializer, the web
 * fragment's listener and {@code TollgateRequired} all run and register one filter between them;
 * the real sample WAR is priced.
 */
class JettyWithAnnotationsIT {

    private static StandaloneServer jetty;

    @BeforeAll
    static void start() throws Exception {
        Path base = StandaloneServer.freshBase("jetty-with-annotations");
        StandaloneServer.webapp(base, "app", "");
        StandaloneServer.webapp(base, "required", StandaloneServer.REQUIRED_LISTENER);
        StandaloneServer.webapp(base, "complete", "metadata-complete=\"true\"", "");
        StandaloneServer.sampleWar(base, "sample");
        jetty = StandaloneServer.jetty(base, "ee10-annotations,ee10-deploy,http");
    }

    @AfterAll
    static void stop() {
        if (jetty != null) {
            jetty.close();
        }
    }

    @Test
    void servletDeclaredInWebXmlIsPriced() throws Exception {
        assertEquals(402, jetty.get("/app/priced").statusCode());
        HttpResponse<String> paid = jetty.get("/app/priced", "X-API-Key", API_KEY);
        assertEquals(200, paid.statusCode(), paid.body());
        assertEquals("the paid result", paid.body());
        assertEquals(1, count(jetty.log(), "Tollgate started in /app:"), jetty.log());
    }

    @Test
    void requiredListenerWithInitializerAndFragmentRegistersOneFilter() throws Exception {
        assertEquals(402, jetty.get("/required/priced").statusCode());
        assertEquals(200, jetty.get("/required/priced", "X-API-Key", API_KEY).statusCode());
        String log = jetty.log();
        assertEquals(1, count(log, "Tollgate started in /required:"), log);
        assertTrue(!log.contains("registered a second time"), log);
    }

    /** Fragments are not processed under metadata-complete; the initializer still registers the filter. */
    @Test
    void metadataCompleteKeepsTheInitializer() throws Exception {
        assertEquals(402, jetty.get("/complete/priced").statusCode());
        assertEquals(1, count(jetty.log(), "Tollgate started in /complete:"), jetty.log());
    }

    @Test
    void sampleWarIsPriced() throws Exception {
        HttpResponse<String> unpaid = jetty.get("/sample/api/quotes/ACME");
        assertEquals(402, unpaid.statusCode(), unpaid.body());
        HttpResponse<String> paid = jetty.get("/sample/api/quotes/ACME", "X-API-Key", "demo-gold");
        assertEquals(200, paid.statusCode(), paid.body());
        assertTrue(paid.body().contains("ACME"), paid.body());
    }
}
