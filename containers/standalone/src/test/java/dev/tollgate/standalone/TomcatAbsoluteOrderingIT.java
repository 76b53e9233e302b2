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
 * Issue 9, item 1, on standalone Tomcat 10.1: an {@code <absolute-ordering>} in {@code web.xml}
 * decides which JARs' initializers and fragments run. Naming Tollgate's fragment keeps it; leaving
 * it out leaves the application unprotected unless it declares {@code TollgateRequired}.
 */
class TomcatAbsoluteOrderingIT {

    private static final String ORDERING_WITHOUT_TOLLGATE = "<absolute-ordering/>";

    private static StandaloneServer tomcat;

    @BeforeAll
    static void start() throws Exception {
        Path base = StandaloneServer.freshBase("tomcat");
        StandaloneServer.webapp(base, "app", "");
        StandaloneServer.webapp(base, "named", "<absolute-ordering><name>tollgate</name></absolute-ordering>"
                + StandaloneServer.DENY_FILTER);
        StandaloneServer.webapp(base, "others", "<absolute-ordering><others/></absolute-ordering>");
        StandaloneServer.webapp(base, "left-out", ORDERING_WITHOUT_TOLLGATE);
        StandaloneServer.webapp(base, "left-out-required", ORDERING_WITHOUT_TOLLGATE + StandaloneServer.REQUIRED_LISTENER);
        StandaloneServer.webapp(base, "disabled-required", """
                <context-param>
                    <param-name>tollgate.enabled</param-name>
                    <param-value>false</param-value>
                  </context-param>
                """ + StandaloneServer.REQUIRED_LISTENER);
        StandaloneServer.webapp(base, "complete", "metadata-complete=\"true\"", "");
        tomcat = StandaloneServer.tomcat(base);
    }

    @AfterAll
    static void stop() {
        if (tomcat != null) {
            tomcat.close();
        }
    }

    @Test
    void withoutOrderingTheServletIsPriced() throws Exception {
        assertPriced("/app");
    }

    @Test
    void orderingWithOthersKeepsTollgate() throws Exception {
        assertPriced("/others");
    }

    /** Tomcat runs the JAR's initializer under metadata-complete (fragments are not processed). */
    @Test
    void metadataCompleteKeepsTheInitializer() throws Exception {
        assertPriced("/complete");
    }

    @Test
    void orderingThatNamesTollgateKeepsIt() throws Exception {
        assertPriced("/named");
        assertEquals(401, tomcat.get("/named/priced", "X-Deny", "1").statusCode(), "web.xml's filters run first");
    }

    /**
     * The documented limit: an ordering that leaves the JAR out runs none of its code, so nothing
     * can refuse the request. README and docs/containers.md say so; {@code TollgateRequired} is the
     * remedy (next test).
     */
    @Test
    void orderingThatLeavesTollgateOutServesForFree() throws Exception {
        HttpResponse<String> unpaid = tomcat.get("/left-out/priced");
        assertEquals(200, unpaid.statusCode());
        assertEquals("the paid result", unpaid.body());
        assertEquals(0, count(tomcat.log(), "Tollgate started in /left-out:"));
    }

    @Test
    void requiredListenerRegistersTollgateThatTheOrderingLeftOut() throws Exception {
        assertPriced("/left-out-required");
    }

    @Test
    void requiredListenerFailsTheDeploymentWhenTollgateIsDisabled() throws Exception {
        // Tomcat does not serve a context that failed to start.
        assertEquals(404, tomcat.get("/disabled-required/priced").statusCode());
        String log = tomcat.log();
        assertTrue(log.contains("would not run in /disabled-required: the context parameter tollgate.enabled is"
                + " false, while servlet \"priced\" (dev.tollgate.standalone.PricedServlet) is priced"), log);
    }

    private static void assertPriced(String context) throws Exception {
        HttpResponse<String> unpaid = tomcat.get(context + "/priced");
        assertEquals(402, unpaid.statusCode(), unpaid.body() + "\n" + tomcat.log());
        assertTrue(unpaid.body().contains("\"price\""), unpaid.body());
        HttpResponse<String> paid = tomcat.get(context + "/priced", "X-API-Key", API_KEY);
        assertEquals(200, paid.statusCode(), paid.body());
        assertEquals("the paid result", paid.body());
        assertEquals(1, count(tomcat.log(), "Tollgate started in " + context + ":"), tomcat.log());
    }
}
