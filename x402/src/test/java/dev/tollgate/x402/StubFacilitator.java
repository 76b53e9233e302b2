package dev.tollgate.x402;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A facilitator on the JDK's HTTP server, on an ephemeral port: answers {@code /supported},
 * {@code /verify} and {@code /settle} as a test scripts it, counts calls, keeps the bodies it got and
 * adds up the time spent in its handlers, from reading the request to the last byte of the answer
 * (the facilitator's own time, for latency figures).
 */
final class StubFacilitator implements AutoCloseable {

    /** A scripted answer: status and body, after an optional delay. */
    record Answer(int status, String body, long delayMillis) {
        static Answer ok(String body) {
            return new Answer(200, body, 0);
        }
    }

    static final String VALID = "{\"isValid\":true,\"payer\":\"" + Payments.PAYER + "\"}";
    static final String SETTLED = "{\"success\":true,\"transaction\":\"0x" + "ab".repeat(32)
            + "\",\"network\":\"eip155:84532\",\"payer\":\"" + Payments.PAYER + "\"}";

    static {
        // The JDK server writes a response's head and body in two segments; without TCP_NODELAY the
        // body waits for the client's delayed ACK (~40 ms), which is the stub's delay, not Tollgate's.
        // Read once, when the JDK server's configuration class loads: set before the first server.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private final HttpServer server;
    final AtomicInteger verifies = new AtomicInteger();
    final AtomicInteger settles = new AtomicInteger();
    final AtomicLong handlerNanos = new AtomicLong();
    final List<JsonObject> verifyBodies = new CopyOnWriteArrayList<>();
    final List<JsonObject> settleBodies = new CopyOnWriteArrayList<>();
    volatile String supported = "{\"kinds\":[{\"x402Version\":2,\"scheme\":\"exact\",\"network\":\"eip155:84532\"},"
            + "{\"x402Version\":1,\"scheme\":\"exact\",\"network\":\"base-sepolia\"}],\"extensions\":[],\"signers\":{}}";
    volatile Answer verify = Answer.ok(VALID);
    /** The Authorization header of the last /verify call. */
    volatile String authorization;
    /** Settle answers in order; the last one repeats. */
    final Queue<Answer> settle = new ConcurrentLinkedQueue<>();
    volatile Answer lastSettle = Answer.ok(SETTLED);

    StubFacilitator() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(16, r -> {
            Thread t = new Thread(r, "stub-facilitator");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/supported", x -> answer(x, Answer.ok(supported)));
        server.createContext("/verify", x -> {
            x.setAttribute("start", System.nanoTime());
            authorization = x.getRequestHeaders().getFirst("Authorization");
            verifyBodies.add(read(x));
            verifies.incrementAndGet();
            answer(x, verify);
        });
        server.createContext("/settle", x -> {
            x.setAttribute("start", System.nanoTime());
            settleBodies.add(read(x));
            settles.incrementAndGet();
            Answer a = settle.poll();
            if (a == null) {
                a = lastSettle;
            } else {
                lastSettle = a;
            }
            answer(x, a);
        });
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static JsonObject read(HttpExchange x) throws IOException {
        String body = new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        return Json.createReader(new StringReader(body)).readObject();
    }

    private void answer(HttpExchange x, Answer a) throws IOException {
        long start = x.getAttribute("start") instanceof Long l ? l : System.nanoTime();
        try {
            if (a.delayMillis() > 0) {
                Thread.sleep(a.delayMillis()); // a slow facilitator, for timeout tests; never asserted on
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        byte[] b = a.body().getBytes(StandardCharsets.UTF_8);
        x.getResponseHeaders().add("Content-Type", "application/json");
        try {
            x.sendResponseHeaders(a.status(), b.length);
            x.getResponseBody().write(b);
        } catch (IOException e) {
            // the client gave up (timeout tests)
        } finally {
            x.close();
            handlerNanos.addAndGet(System.nanoTime() - start);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
