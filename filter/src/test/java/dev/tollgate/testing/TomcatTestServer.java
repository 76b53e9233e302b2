package dev.tollgate.testing;

import dev.tollgate.TollgateInitializer;
import jakarta.servlet.Servlet;
import jakarta.servlet.ServletContainerInitializer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.catalina.Context;
import org.apache.catalina.Wrapper;
import org.apache.catalina.startup.Tomcat;

/**
 * An embedded Tomcat 10.1 with one context, for filter tests of behaviour that differs between
 * containers; the counterpart of {@link TestServer}. Tollgate's initializer runs as a container runs
 * it from a WAR, after one that sets the context attributes.
 */
public final class TomcatTestServer implements AutoCloseable {

    private final Tomcat tomcat;
    private final Path baseDir;
    private final URI base;

    private TomcatTestServer(Map<String, Map.Entry<Class<? extends Servlet>, String>> servlets,
                             Map<String, Object> attributes) throws Exception {
        baseDir = Files.createTempDirectory("tollgate-tomcat");
        tomcat = new Tomcat();
        tomcat.setBaseDir(baseDir.toString());
        tomcat.setHostname("127.0.0.1");
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        Context context = tomcat.addContext("/app", baseDir.toString());
        servlets.forEach((name, s) -> {
            Wrapper w = Tomcat.addServlet(context, name, s.getKey().getName());
            w.setAsyncSupported(true);
            context.addServletMappingDecoded(s.getValue(), name);
        });
        ServletContainerInitializer attributesFirst = (classes, ctx) -> attributes.forEach(ctx::setAttribute);
        context.addServletContainerInitializer(attributesFirst, null);
        context.addServletContainerInitializer(new TollgateInitializer(), null);
        tomcat.start();
        base = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + "/app");
    }

    /** Starts a server with these servlets (name to class and mapping) and context attributes. */
    public static TomcatTestServer start(Map<String, Map.Entry<Class<? extends Servlet>, String>> servlets,
                                         Map<String, Object> attributes) throws Exception {
        return new TomcatTestServer(new LinkedHashMap<>(servlets), new LinkedHashMap<>(attributes));
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    @Override
    public void close() throws Exception {
        tomcat.stop();
        tomcat.destroy();
    }
}
