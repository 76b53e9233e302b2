package dev.tollgate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.ledger.InMemoryLedger;
import dev.tollgate.spi.ParameterNames;
import dev.tollgate.testapp.QuoteServlet;
import dev.tollgate.testing.TestServer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Optional modules own their parameters: the core accepts a {@code tollgate.*} name it does not read
 * only when a module on the web application's class path declares it ({@link ParameterNames}), and
 * says which module may be missing when none does.
 */
class ModuleParametersTest {

    /** A module as a user would write one: declares two names of its family. */
    public static final class ExampleModule implements ParameterNames {
        @Override
        public String module() {
            return "tollgate-example-store";
        }

        @Override
        public Set<String> names() {
            return Set.of("tollgate.example.uri", "tollgate.example.timeout");
        }
    }

    /** A module that declares a name outside {@code tollgate.*}. */
    public static final class StrayModule implements ParameterNames {
        @Override
        public String module() {
            return "stray-module";
        }

        @Override
        public Set<String> names() {
            return Set.of("example.uri");
        }
    }

    @TempDir
    Path dir;

    /** A class loader that sees the given declarations, as a web application sees its WEB-INF/lib. */
    private ClassLoader withModules(Class<?>... declarations) throws Exception {
        Path services = dir.resolve("META-INF/services");
        Files.createDirectories(services);
        StringBuilder sb = new StringBuilder();
        for (Class<?> d : declarations) {
            sb.append(d.getName()).append('\n');
        }
        Files.writeString(services.resolve(ParameterNames.class.getName()), sb);
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    @Test
    void aModulesParameterWithoutTheModuleStopsTheStartAndSaysAModuleIsMissing() {
        // The core names no module's parameters: a PostgreSQL ledger setting without that module is unknown.
        Exception e = assertThrows(Exception.class, () -> TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.builder().build())
                .initParam("tollgate.jdbc.dataSource", "java:comp/env/jdbc/tollgate").start().close());
        String all = messages(e);
        assertTrue(all.contains("tollgate.jdbc.dataSource: no Tollgate module on the class path reads tollgate.jdbc.*"
                + " parameters; is the module that does missing from the application (WEB-INF/lib)?"), all);
    }

    @Test
    void noModuleParameterIsKnownToTheCoreAlone() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of("tollgate.billableStatus", "2xx"), getClass().getClassLoader()));
        String known = e.getMessage().substring(e.getMessage().indexOf("; known: "));
        assertTrue(known.contains(TollgateConfig.BILLABLE_STATUSES), e.getMessage());
        for (String family : new String[] {"tollgate.jdbc.", "tollgate.rateLimit.jdbc.", "tollgate.rateLimit.redis.",
                "tollgate.rateLimit.storeTimeout"}) {
            assertFalse(known.contains(family), family + " in " + e.getMessage());
        }
        // A typo of a core name gets no module hint.
        assertFalse(e.getMessage().contains("module"), e.getMessage());
    }

    @Test
    void declaredNamesAreAcceptedAndATypoInTheirFamilyNamesTheModule() throws Exception {
        ClassLoader app = withModules(ExampleModule.class);
        TollgateConfig config = TollgateConfig.builder()
                .apply(Map.of("tollgate.example.uri", "redis://x", TollgateConfig.BILLABLE_STATUSES, "2xx,3xx"), app)
                .build();
        assertEquals("2xx,3xx", config.billableStatuses());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of("tollgate.example.url", "redis://x"), app));
        assertTrue(e.getMessage().startsWith("unknown Tollgate parameter(s) [tollgate.example.url]; tollgate.example.url"
                + " is not read by tollgate-example-store, which reads [tollgate.example.timeout, tollgate.example.uri]"),
                e.getMessage());
        assertTrue(e.getMessage().contains("known: [") && e.getMessage().contains("tollgate.example.uri"), e.getMessage());
    }

    @Test
    void aModuleSeenOnlyByTheWebApplicationsClassLoaderDeclaresItsParameters() throws Exception {
        ClassLoader app = withModules(ExampleModule.class);
        try (TestServer server = TestServer.builder()
                .servlet("quotes", QuoteServlet.class, "/quotes/*")
                .attribute(Tollgate.LEDGER_ATTRIBUTE, InMemoryLedger.builder()
                        .account("gold", Money.credits("10")).build())
                .initParam("tollgate.example.timeout", "250")
                .customize(ctx -> ctx.setClassLoader(app))
                .start()) {
            assertEquals(402, server.get("/quotes/x").statusCode());
            assertEquals(200, server.get("/quotes/x", "X-API-Key", "gold").statusCode());
        }
    }

    @Test
    void aDeclarationOutsideTheTollgateNamesStopsTheStartNamingTheModule() throws Exception {
        ClassLoader app = withModules(StrayModule.class);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TollgateConfig.builder()
                .apply(Map.of("tollgate.example.uri", "x"), app));
        assertTrue(e.getMessage().contains("stray-module") && e.getMessage().contains("\"example.uri\""),
                e.getMessage());
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            sb.append(c.getMessage()).append(" | ");
        }
        return sb.toString();
    }
}
