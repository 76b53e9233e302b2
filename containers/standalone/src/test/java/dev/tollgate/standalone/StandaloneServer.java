package dev.tollgate.standalone;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/**
 * A real Jetty or Tomcat distribution, unpacked by the build, started as a separate process on a
 * free loopback port with its base directory under {@code target/servers}. Start-up and every
 * request are bounded; {@link #close} always ends the process (and any child it started).
 *
 * <p>Outside Maven the distributions are unknown: the tests are then skipped, except under
 * {@code CI=true}, where they fail instead.
 */
final class StandaloneServer implements AutoCloseable {

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** API key of the test application's one account (10 credits). */
    static final String API_KEY = "standalone-key";

    private final String name;
    private final Process process;
    private final Path log;
    private final int port;

    private StandaloneServer(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** {@return the path of a build-provided location, or skips (fails under CI) when run outside Maven} */
    static Path property(String key) {
        String value = System.getProperty(key);
        if (value == null || !Files.exists(Path.of(value))) {
            String why = "system property " + key + " = " + value + ": run through Maven (mvn verify), which"
                    + " downloads and unpacks the distributions";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
        return Path.of(value);
    }

    /** A fresh, empty base directory for one server. */
    static Path freshBase(String name) throws IOException {
        Path base = Path.of(System.getProperty("servers.directory", "target/servers")).resolve(name);
        if (Files.exists(base)) {
            try (Stream<Path> walk = Files.walk(base)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(base.resolve("webapps"));
        return base;
    }

    /**
     * Starts standalone Jetty from {@code jetty-home} with exactly these modules.
     *
     * @param base a {@code jetty.base} whose {@code webapps} holds the applications
     * @param modules the modules, comma-separated, such as {@code ee10-deploy,http}
     */
    static StandaloneServer jetty(Path base, String modules) throws IOException, InterruptedException {
        Path home = property("jetty.home");
        int port = freePort();
        List<String> command = List.of(java(), "-jar", home.resolve("start.jar").toString(),
                "jetty.home=" + home, "jetty.base=" + base, "--module=" + modules,
                "jetty.http.host=127.0.0.1", "jetty.http.port=" + port);
        return start("jetty " + modules, command, base, port, "Started oejs.Server");
    }

    /**
     * Starts standalone Tomcat from its distribution, with {@code base} as {@code CATALINA_BASE}: the
     * distribution's {@code conf}, and a {@code server.xml} with one HTTP connector on loopback.
     *
     * @param base a {@code CATALINA_BASE} whose {@code webapps} holds the applications
     */
    static StandaloneServer tomcat(Path base) throws IOException, InterruptedException {
        Path home = property("tomcat.home");
        int port = freePort();
        Path conf = base.resolve("conf");
        Files.createDirectories(conf);
        try (Stream<Path> files = Files.list(home.resolve("conf"))) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (Files.isRegularFile(f)) {
                    Files.copy(f, conf.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Files.writeString(conf.resolve("server.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <Server port="-1" shutdown="SHUTDOWN">
                  <Service name="Catalina">
                    <Connector port="%d" address="127.0.0.1" protocol="HTTP/1.1" connectionTimeout="20000"/>
                    <Engine name="Catalina" defaultHost="localhost">
                      <Host name="localhost" appBase="webapps" unpackWARs="true" autoDeploy="false"/>
                    </Engine>
                  </Service>
                </Server>
                """.formatted(port));
        for (String dir : List.of("logs", "temp", "work")) {
            Files.createDirectories(base.resolve(dir));
        }
        String classPath = home.resolve("bin/bootstrap.jar") + java.io.File.pathSeparator
                + home.resolve("bin/tomcat-juli.jar");
        List<String> command = List.of(java(), "-cp", classPath,
                "-Dcatalina.home=" + home, "-Dcatalina.base=" + base, "-Djava.io.tmpdir=" + base.resolve("temp"),
                "-Djava.util.logging.manager=org.apache.juli.ClassLoaderLogManager",
                "-Djava.util.logging.config.file=" + conf.resolve("logging.properties"),
                "org.apache.catalina.startup.Bootstrap", "start");
        return start("tomcat", command, base, port, "Server startup in");
    }

    private static StandaloneServer start(String name, List<String> command, Path base, int port, String ready)
            throws IOException, InterruptedException {
        Path log = base.resolve("server.log");
        Process process = new ProcessBuilder(command).directory(base.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        StandaloneServer server = new StandaloneServer(name, process, log, port);
        try {
            long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
            while (!server.log().contains(ready)) {
                if (!process.isAlive()) {
                    fail(name + " exited with " + process.exitValue() + " before it started:\n" + server.log());
                }
                if (System.nanoTime() > deadline) {
                    fail(name + " did not start within " + START_TIMEOUT + ":\n" + server.log());
                }
                Thread.sleep(100);
            }
        } catch (RuntimeException | Error | InterruptedException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** {@return everything the server wrote so far} */
    String log() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Sends a GET.
     *
     * @param path the path, starting with the context path
     * @param headers header names and values, alternating
     */
    HttpResponse<String> get(String path, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
        List<ProcessHandle> all = new ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroy);
        for (ProcessHandle p : all) {
            try {
                p.onExit().get(15, TimeUnit.SECONDS);
            } catch (Exception e) {
                p.destroyForcibly();
            }
        }
    }

    @Override
    public String toString() {
        return name + " on port " + port;
    }

    // ------------------------------------------------------------------ the test web application

    /**
     * Writes the test web application, exploded, as {@code webapps/<name>} (context path
     * {@code /<name>}): the module's classes ({@link PricedServlet}), the reactor's Tollgate filter JAR
     * and its dependencies in {@code WEB-INF/lib}, one account, and a {@code web.xml} that declares
     * the servlet at {@code /priced} with {@code extra} inside {@code <web-app>}.
     */
    static void webapp(Path base, String name, String extra) throws IOException {
        webapp(base, name, "", extra);
    }

    /** As {@link #webapp(Path, String, String)}, with {@code attributes} on {@code <web-app>}. */
    static void webapp(Path base, String name, String attributes, String extra) throws IOException {
        Path root = base.resolve("webapps").resolve(name);
        Path classes = property("webapp.classes");
        try (Stream<Path> walk = Files.walk(classes)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path target = root.resolve("WEB-INF/classes").resolve(classes.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        Path lib = root.resolve("WEB-INF/lib");
        Files.createDirectories(lib);
        try (Stream<Path> jars = Files.list(property("webapp.lib"))) {
            for (Path jar : (Iterable<Path>) jars::iterator) {
                Files.copy(jar, lib.resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.writeString(root.resolve("WEB-INF/accounts.properties"), "account." + API_KEY + ".balance = 10\n");
        Files.writeString(root.resolve("WEB-INF/web.xml"), """
                <?xml version="1.0" encoding="UTF-8"?>
                <web-app xmlns="https://jakarta.ee/xml/ns/jakartaee"
                         xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
                         xsi:schemaLocation="https://jakarta.ee/xml/ns/jakartaee https://jakarta.ee/xml/ns/jakartaee/web-app_6_0.xsd"
                         version="6.0"%s>
                  %s
                  <context-param>
                    <param-name>tollgate.ledger.accounts</param-name>
                    <param-value>/WEB-INF/accounts.properties</param-value>
                  </context-param>
                  <servlet>
                    <servlet-name>priced</servlet-name>
                    <servlet-class>dev.tollgate.standalone.PricedServlet</servlet-class>
                  </servlet>
                  <servlet-mapping>
                    <servlet-name>priced</servlet-name>
                    <url-pattern>/priced</url-pattern>
                  </servlet-mapping>
                </web-app>
                """.formatted(attributes.isEmpty() ? "" : " " + attributes, extra));
    }

    /** The {@code web.xml} lines that declare {@code dev.tollgate.TollgateRequired}. */
    static final String REQUIRED_LISTENER = """
            <listener>
                <listener-class>dev.tollgate.TollgateRequired</listener-class>
              </listener>""";

    /** The {@code web.xml} lines that declare {@link DenyFilter} for {@code /*}. */
    static final String DENY_FILTER = """
            <filter>
                <filter-name>deny</filter-name>
                <filter-class>dev.tollgate.standalone.DenyFilter</filter-class>
              </filter>
              <filter-mapping>
                <filter-name>deny</filter-name>
                <url-pattern>/*</url-pattern>
              </filter-mapping>""";

    /** Copies the reactor's sample WAR to {@code webapps/<name>.war}. */
    static void sampleWar(Path base, String name) throws IOException {
        Files.copy(property("sample.war"), base.resolve("webapps").resolve(name + ".war"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
