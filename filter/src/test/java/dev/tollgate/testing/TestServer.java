package dev.tollgate.testing;

import dev.tollgate.TollgateInitializer;
import jakarta.servlet.Servlet;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * An embedded Jetty 12 server with one servlet context, for filter tests over real HTTP.
 * The Tollgate initializer is added the way a container finds it in a WAR, unless a test
 * registers the filter itself.
 */
public final class TestServer implements AutoCloseable {

    private final Server server;
    private final ServletContextHandler context;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private URI base;

    private TestServer(Builder b) throws Exception {
        server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        context = new ServletContextHandler(b.contextPath);
        b.servlets.forEach((name, s) -> {
            ServletHolder h = new ServletHolder(name, s.type);
            h.setAsyncSupported(true);
            context.addServlet(h, s.mapping);
        });
        b.initParams.forEach(context::setInitParameter);
        b.attributes.forEach(context::setAttribute);
        if (b.initializer) {
            context.addServletContainerInitializer(new TollgateInitializer());
        }
        if (b.customizer != null) {
            b.customizer.accept(context);
        }
        server.setHandler(context);
        server.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort() + b.contextPath);
    }

    public static Builder builder() {
        return new Builder();
    }

    public ServletContextHandler context() {
        return context;
    }

    public URI uri(String path) {
        return URI.create(base + path);
    }

    public HttpResponse<String> get(String path, String... headers) throws Exception {
        return send("GET", path, null, headers);
    }

    public HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder r = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            r.header(headers[i], headers[i + 1]);
        }
        return client.send(r.build(), HttpResponse.BodyHandlers.ofString());
    }

    public HttpClient client() {
        return client;
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }

    public static final class Builder {
        private String contextPath = "/app";
        private final Map<String, Mapping> servlets = new LinkedHashMap<>();
        private final Map<String, String> initParams = new LinkedHashMap<>();
        private final Map<String, Object> attributes = new LinkedHashMap<>();
        private boolean initializer = true;
        private Consumer<ServletContextHandler> customizer;

        public Builder contextPath(String path) {
            this.contextPath = path;
            return this;
        }

        public Builder servlet(String name, Class<? extends Servlet> type, String mapping) {
            servlets.put(name, new Mapping(type, mapping));
            return this;
        }

        public Builder initParam(String name, String value) {
            initParams.put(name, value);
            return this;
        }

        public Builder attribute(String name, Object value) {
            attributes.put(name, value);
            return this;
        }

        public Builder withoutInitializer() {
            this.initializer = false;
            return this;
        }

        public Builder customize(Consumer<ServletContextHandler> c) {
            this.customizer = c;
            return this;
        }

        public TestServer start() throws Exception {
            return new TestServer(this);
        }
    }

    private record Mapping(Class<? extends Servlet> type, String mapping) {
    }
}
