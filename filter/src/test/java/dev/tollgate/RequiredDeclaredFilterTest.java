package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.testapp.ForwardingServlet;
import dev.tollgate.testapp.QuoteServlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review item 4: {@link TollgateRequired} let an application deploy while Tollgate was off or blind
 * to forwards. A filter declared in {@code web.xml} with the init-param {@code tollgate.enabled =
 * false}, or {@code tollgate.enabled=false} in {@code tollgate.properties}, passed the check (only
 * the context parameter was read), and so did a filter mapped without {@code <dispatcher>}
 * elements (REQUEST only), through which a free front servlet forwarded to a paid one for free.
 * Each case is a real web application on embedded Jetty, with its own {@code WEB-INF/web.xml}.
 */
class RequiredDeclaredFilterTest {

    private static final String ALL_FOUR = "<dispatcher>REQUEST</dispatcher><dispatcher>FORWARD</dispatcher>"
            + "<dispatcher>INCLUDE</dispatcher><dispatcher>ASYNC</dispatcher>";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    /** A web.xml with TollgateRequired, the paid quotes servlet, a free front controller and the filter. */
    private String webXml(String filterInitParams, String dispatchers) {
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee" version="6.0" metadata-complete="true">
                  <context-param><param-name>tollgate.autoRegister</param-name><param-value>false</param-value></context-param>
                  <listener><listener-class>dev.tollgate.TollgateRequired</listener-class></listener>
                  <filter>
                    <filter-name>declared</filter-name>
                    <filter-class>dev.tollgate.TollgateFilter</filter-class>
                    <async-supported>true</async-supported>
                    %s
                  </filter>
                  <filter-mapping>
                    <filter-name>declared</filter-name>
                    <url-pattern>/*</url-pattern>
                    %s
                  </filter-mapping>
                  <servlet><servlet-name>quotes</servlet-name><servlet-class>%s</servlet-class></servlet>
                  <servlet-mapping><servlet-name>quotes</servlet-name><url-pattern>/quotes/*</url-pattern></servlet-mapping>
                  <servlet><servlet-name>front</servlet-name><servlet-class>%s</servlet-class></servlet>
                  <servlet-mapping><servlet-name>front</servlet-name><url-pattern>/front</url-pattern></servlet-mapping>
                </web-app>
                """.formatted(filterInitParams, dispatchers, QuoteServlet.class.getName(),
                ForwardingServlet.class.getName());
    }

    /** Deploys the application; the returned server is started, or the deployment's failure is thrown. */
    private Server deploy(String webXml, String properties) throws Exception {
        Path webInf = Files.createDirectories(dir.resolve("WEB-INF/classes")).getParent();
        Files.writeString(webInf.resolve("web.xml"), webXml);
        if (properties != null) {
            Files.writeString(webInf.resolve("classes/tollgate.properties"), properties);
        }
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        server.addConnector(connector);
        WebAppContext app = new WebAppContext(dir.toString(), "/app");
        app.setParentLoaderPriority(true); // the test's classes, as WEB-INF/lib would hold them
        app.setThrowUnavailableOnStartupException(true);
        app.setAttribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.builder().build());
        server.setHandler(app);
        try {
            server.start();
        } catch (Exception e) {
            server.stop();
            throw e;
        }
        return server;
    }

    private static int get(Server server, String path) throws Exception {
        int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/app" + path)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c).append(" | ");
            for (Throwable s : c.getSuppressed()) {
                sb.append(messages(s));
            }
        }
        return sb.toString();
    }

    @Test
    void aDeclaredFilterWithAllFourDispatchersDeploysAndAForwardIsPaid() throws Exception {
        Server server = deploy(webXml("", ALL_FOUR), null);
        try {
            assertEquals(402, get(server, "/quotes/x"));
            assertEquals(402, get(server, "/front?to=/quotes/x"), "the forward is enforced");
        } finally {
            server.stop();
        }
    }

    @Test
    void theFiltersOwnInitParamTurningItOffFailsTheDeployment() {
        String off = "<init-param><param-name>tollgate.enabled</param-name><param-value>false</param-value></init-param>";
        Exception e = assertThrows(Exception.class, () -> deploy(webXml(off, ALL_FOUR), null).stop(),
                "deployed, with the paid servlet served free");
        String all = messages(e);
        assertTrue(all.contains("the Tollgate filter [declared] has the init-param tollgate.enabled = false, while"
                + " servlet \"quotes\" (" + QuoteServlet.class.getName() + ") is priced or rate-limited"), all);
    }

    @Test
    void tollgatePropertiesTurningItOffFailsTheDeployment() {
        Exception e = assertThrows(Exception.class,
                () -> deploy(webXml("", ALL_FOUR), "tollgate.enabled=false\n").stop(),
                "deployed, with the paid servlet served free");
        String all = messages(e);
        assertTrue(all.contains("tollgate.enabled is false in tollgate.properties, while servlet \"quotes\""), all);
    }

    @Test
    void aFilterMappingWithoutDispatchersFailsTheDeploymentNamingTheMissingOnes() {
        Exception e = assertThrows(Exception.class, () -> deploy(webXml("", ""), null).stop(),
                "deployed, with the paid servlet free through a forward");
        String all = messages(e);
        assertTrue(all.contains("the Tollgate filter [declared] is mapped in /WEB-INF/web.xml without the dispatchers"
                + " FORWARD, INCLUDE, ASYNC (<filter-mapping> for /*)"), all);
        assertTrue(all.contains("servlet \"quotes\""), all);
    }

    @Test
    void aFilterMappingWithoutAsyncFailsTheDeployment() {
        String three = "<dispatcher>REQUEST</dispatcher><dispatcher>FORWARD</dispatcher><dispatcher>INCLUDE</dispatcher>";
        Exception e = assertThrows(Exception.class, () -> deploy(webXml("", three), null).stop());
        String all = messages(e);
        assertTrue(all.contains("without the dispatchers ASYNC (<filter-mapping> for /*)"), all);
    }
}
