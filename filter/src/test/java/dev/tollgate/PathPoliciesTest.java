package dev.tollgate;

import static dev.tollgate.testing.Problem.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.PlainServlet;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.eclipse.jetty.ee10.servlet.DefaultServlet;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Policies for what cannot be annotated: the container's default servlet serving files, and a
 * third-party servlet, configured in a properties file; matched on the container's mapping.
 */
class PathPoliciesTest {

    @TempDir
    static Path files;

    private InMemoryLedger ledger;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        Files.createDirectories(files.resolve("docs"));
        Files.createDirectories(files.resolve("archive"));
        Files.writeString(files.resolve("docs/report.pdf"), "%PDF-1.7 report");
        Files.writeString(files.resolve("docs/notes.txt"), "free notes");
        Files.writeString(files.resolve("archive/2019.txt"), "old news");
        ledger = InMemoryLedger.builder()
                .account("gold", Money.credits("100"), "premium")
                .account("silver", Money.credits("100"))
                .build();
        server = TestServer.builder()
                .servlet("plain", PlainServlet.class, "/plain")
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .initParam(TollgateConfig.POLICIES, "classpath:test-policies.properties")
                // An annotated servlet under a configured pattern: the annotation wins.
                .initParam("tollgate.policy.quotes-too.paths", "/quotes/*")
                .initParam("tollgate.policy.quotes-too.price", "50")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, ledger)
                .customize(c -> {
                    c.setBaseResource(ResourceFactory.of(c).newResource(files));
                    c.addServlet(new ServletHolder("default", DefaultServlet.class), "/");
                })
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
    }

    private Money balance(String account) {
        return ledger.account(account).orElseThrow().balance();
    }

    @Test
    void aStaticFileMatchedByExtensionIsSold() throws Exception {
        HttpResponse<String> refused = server.get("/docs/report.pdf");
        assertEquals(402, refused.statusCode());
        Map<String, Object> problem = json(refused);
        assertEquals("https://tollgate.dev/problems/payment-required", problem.get("type"));
        assertEquals("One PDF download", problem.get("description"));

        HttpResponse<String> paid = server.get("/docs/report.pdf", "X-API-Key", "silver");
        assertEquals(200, paid.statusCode());
        assertEquals("%PDF-1.7 report", paid.body());
        assertEquals(Money.credits("98"), balance("silver"));

        assertEquals("free notes", server.get("/docs/notes.txt").body(), "other files stay free");
        assertEquals(200, server.send("OPTIONS", "/docs/report.pdf", null).statusCode(), "methods = GET, HEAD");
    }

    @Test
    void theContainersMappingDecidesNotTheRawUri() throws Exception {
        // The container normalises dot segments and strips path parameters before mapping.
        HttpResponse<String> dots = server.get("/docs/x/../report.pdf");
        assertEquals(402, dots.statusCode(), dots::body);
        HttpResponse<String> params = server.get("/docs/report.pdf;v=1");
        assertEquals(402, params.statusCode(), params::body);
        HttpResponse<String> encoded = server.get("/docs/report%2Epdf");
        assertEquals(402, encoded.statusCode(), encoded::body);
        assertEquals(Money.credits("100"), balance("silver"));
    }

    /** Frameworks behind one servlet may answer /pricing/ as /pricing: an exact pattern covers both. */
    @Test
    void anExactPatternAlsoCoversATrailingSlash() throws Exception {
        assertEquals(402, server.get("/pricing").statusCode());
        assertEquals(402, server.get("/pricing/").statusCode());
    }

    @Test
    void aPrefixPatternWithAnEntitlement() throws Exception {
        HttpResponse<String> r = server.get("/archive/2019.txt", "X-API-Key", "silver");
        assertEquals(402, r.statusCode());
        assertEquals("https://tollgate.dev/problems/entitlement-required", json(r).get("type"));
        assertEquals(200, server.get("/archive/2019.txt", "X-API-Key", "gold").statusCode());
        assertEquals(Money.credits("97"), balance("gold"));
    }

    @Test
    void aThirdPartyServletByNameIsRateLimited() throws Exception {
        assertEquals(200, server.get("/plain").statusCode());
        HttpResponse<String> second = server.get("/plain");
        assertEquals(200, second.statusCode());
        assertTrue(second.headers().firstValue("RateLimit").orElse("").contains("r=0"));
        HttpResponse<String> third = server.get("/plain");
        assertEquals(429, third.statusCode());
    }

    @Test
    void annotationsWinOverAConfiguredPattern() throws Exception {
        assertEquals(200, server.get("/quotes/ACME", "X-API-Key", "silver").statusCode());
        assertEquals(Money.credits("99"), balance("silver"), "the annotation's price 1, not the policy's 50");
    }

    @Test
    void mistakesStopTheStartNamingTheEntry() {
        assertStartFails("tollgate.policy.x.paths", "*.pdf", "tollgate.policy.x.prise", "2",
                "tollgate.policy.x.prise: unknown attribute \"prise\"");
        assertStartFails("tollgate.policy.x.paths", "/files*", "tollgate.policy.x.price", "2",
                "bad pattern \"/files*\"");
        assertStartFails("tollgate.policy.x.price", "2", "tollgate.policy.x.currency", "credits",
                "say what it covers");
        assertStartFails("tollgate.policy.x.paths", "*.pdf", "tollgate.policy.x.price", "two",
                "price \"two\" is invalid");
        assertStartFails("tollgate.policy.x.paths", "*.pdf", "tollgate.policy.x.limit", "5 per minute",
                "tollgate.policy.x.limit = \"5 per minute\"");
        assertStartFails("tollgate.policy.x.servlets", "nosuch", "tollgate.policy.x.price", "1",
                "no servlet is named \"nosuch\"");
        assertStartFails("tollgate.policy.x.paths", "*.pdf", "tollgate.policy.x.price", "1",
                "tollgate.policy.y.paths", "*.pdf", "tollgate.policy.y.price", "2", "*.pdf is also claimed by policy x");
    }

    private static void assertStartFails(String... paramsThenMessage) {
        TestServer.Builder b = TestServer.builder().servlet("plain", PlainServlet.class, "/plain");
        for (int i = 0; i + 1 < paramsThenMessage.length; i += 2) {
            b.initParam(paramsThenMessage[i], paramsThenMessage[i + 1]);
        }
        String expected = paramsThenMessage[paramsThenMessage.length - 1];
        Exception e = assertThrows(Exception.class, () -> b.start().close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append(" | ");
        }
        assertTrue(messages.toString().contains(expected), messages::toString);
    }
}
