package dev.tollgate.usage;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A CloudEvents (or webhook) receiver on the JDK's HTTP server (an ephemeral loopback port): answers the statuses it was
 * told to (then 200), keeps every request, and the event ids of the acknowledged ones.
 */
public final class Receiver implements AutoCloseable {

    /** One request as it arrived. */
    public record Request(String contentType, String body, Map<String, List<String>> headers, int answered) {
    }

    private static final Pattern ID = Pattern.compile("\"specversion\":\"1\\.0\",\"id\":\"([^\"]+)\"");

    private final HttpServer server;
    private final ConcurrentLinkedDeque<Integer> script = new ConcurrentLinkedDeque<>();
    public final List<Request> requests = new CopyOnWriteArrayList<>();

    /**
     * Starts it.
     *
     * @throws IOException if no port can be bound
     */
    public Receiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/events", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            Integer scripted = script.pollFirst();
            int status = scripted == null ? 200 : scripted;
            requests.add(new Request(exchange.getRequestHeaders().getFirst("Content-Type"),
                    new String(body, StandardCharsets.UTF_8), Map.copyOf(exchange.getRequestHeaders()), status));
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    /** The next requests are answered with these statuses, in order. */
    void answer(Integer... statuses) {
        script.addAll(List.of(statuses));
    }

    /** {@return where it listens} */
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    /** Event ids of the acknowledged requests, in arrival order, duplicates included. */
    List<String> acknowledgedIds() {
        List<String> ids = new ArrayList<>();
        for (Request r : requests) {
            if (r.answered() / 100 == 2) {
                Matcher m = ID.matcher(r.body());
                while (m.find()) {
                    ids.add(m.group(1));
                }
            }
        }
        return ids;
    }

    /** The distinct acknowledged ids. */
    Set<String> distinctIds() {
        return new LinkedHashSet<>(acknowledgedIds());
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
