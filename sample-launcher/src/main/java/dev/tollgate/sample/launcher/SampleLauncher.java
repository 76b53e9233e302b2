package dev.tollgate.sample.launcher;

import jakarta.servlet.DispatcherType;
import java.io.File;
import java.util.EnumSet;
import org.eclipse.jetty.ee10.annotations.AnnotationConfiguration;
import org.eclipse.jetty.ee10.webapp.Configurations;
import org.eclipse.jetty.ee10.webapp.WebAppContext;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * Serves the sample WAR on an embedded Jetty 12, as any Servlet 6 container would: the WAR is
 * deployed unmodified, annotations and the Tollgate initializer are found by scanning.
 *
 * <p>Settings (system property, else environment variable, else default):
 * <ul>
 *   <li>{@code port} / {@code PORT}: the HTTP port, 8080 by default (0 picks a free one);</li>
 *   <li>{@code host} / {@code HOST}: the address to bind, 127.0.0.1 by default (only this machine can
 *       connect; {@code 0.0.0.0} or {@code ::} serves every interface: do that only on purpose, the sample's
 *       demo keys are public);</li>
 *   <li>{@code contextPath} / {@code CONTEXT_PATH}: where the WAR is served, {@code /} by default;</li>
 *   <li>{@code tollgate.sample.war}: the WAR file, {@code sample-webapp/target/sample-webapp.war};</li>
 *   <li>{@code tollgate.sample.emptyFilter}: {@code true} adds a filter that does nothing on {@code /*}, mapped
 *       as Tollgate maps its own (the baseline of {@code benchmarks/http-load.sh}, with
 *       {@code -Dtollgate.enabled=false}).</li>
 * </ul>
 * Other system properties named {@code tollgate.*} become context parameters of the web application,
 * for example {@code -Dtollgate.enabled=false} (the same WAR with Tollgate switched off).
 */
public final class SampleLauncher {

    private SampleLauncher() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(setting("port", "PORT", "8080"));
        String host = setting("host", "HOST", "127.0.0.1");
        String contextPath = setting("contextPath", "CONTEXT_PATH", "/");
        File war = new File(setting("tollgate.sample.war", "TOLLGATE_SAMPLE_WAR", "sample-webapp/target/sample-webapp.war"));
        if (!war.isFile()) {
            System.err.println("No WAR at " + war.getAbsolutePath() + ": build it first (see the README).");
            System.exit(2);
        }

        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);

        Configurations.setServerDefault(server).add(new AnnotationConfiguration());
        WebAppContext webapp = new WebAppContext();
        webapp.setContextPath(contextPath);
        webapp.setWar(war.getAbsolutePath());
        webapp.setThrowUnavailableOnStartupException(true);
        webapp.setParentLoaderPriority(false);
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("tollgate.") && !name.startsWith("tollgate.sample.")) {
                webapp.setInitParameter(name, System.getProperty(name));
            }
        }
        if (Boolean.parseBoolean(System.getProperty("tollgate.sample.emptyFilter"))) {
            webapp.addFilter(EmptyFilter.class, "/*", EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD,
                    DispatcherType.INCLUDE, DispatcherType.ASYNC)).setAsyncSupported(true);
        }
        server.setHandler(webapp);
        server.setStopAtShutdown(true);
        server.start();

        String shown = "0.0.0.0".equals(host) || "::".equals(host) || "127.0.0.1".equals(host) ? "localhost"
                : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        String base = "http://" + shown + ":" + connector.getLocalPort() + (contextPath.equals("/") ? "" : contextPath);
        System.out.println();
        System.out.println("Tollgate sample is running at " + base + "/   (Ctrl-C stops it)");
        System.out.println("  curl -i " + base + "/api/quotes/ACME");
        System.out.println("  curl -i -H 'X-API-Key: demo-gold' " + base + "/api/quotes/ACME");
        System.out.println();
        server.join();
    }

    private static String setting(String property, String env, String fallback) {
        String v = System.getProperty(property);
        if (v == null || v.isBlank()) {
            v = System.getenv(env);
        }
        return v == null || v.isBlank() ? fallback : v.strip();
    }
}
