package dev.tollgate.e2e.x402;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.util.ajax.JSON;

/**
 * Runs the official x402 clients through the harness's scripts ({@code node/client.mjs} for {@code @x402/fetch}
 * 2.27.0, {@code node/v1/client.mjs} for {@code x402-fetch} 1.2.0); each prints one JSON line, read here as an
 * {@link Outcome}. Thread-safe (each call is its own process).
 */
final class OfficialClients {

    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private final Path nodeDir;
    private final Map<String, String> env;
    private final Path log;

    OfficialClients(Path nodeDir, Map<String, String> env, Path log) {
        this.nodeDir = nodeDir;
        this.env = env;
        this.log = log;
    }

    /** The v2 client pays {@code url} as {@code who} ({@code payer} or {@code poor}). */
    Outcome v2(String url, String who) throws Exception {
        return run("client.mjs", url, who);
    }

    /** The v2 client answers the 402 of {@code url} with a signed header but does not send it. */
    String v2SignOnly(String url) throws Exception {
        Outcome o = run("client.mjs", url, "payer", "--sign-only");
        if (o.error() != null || o.paymentSignatures().size() != 1) {
            throw new AssertionError("the v2 client signed no single header: " + o);
        }
        return o.paymentSignatures().get(0);
    }

    /** The v1 client ({@code x402-fetch} 1.2.0) pays {@code url} as the payer. */
    Outcome v1(String url) throws Exception {
        return run("v1/client.mjs", url);
    }

    private Outcome run(String script, String... args) throws Exception {
        String[] command = new String[args.length + 2];
        command[0] = "node";
        command[1] = script;
        System.arraycopy(args, 0, command, 2, args.length);
        ChildProcesses.Result r = ChildProcesses.run(nodeDir.toFile(), env, log, TIMEOUT, command);
        String[] lines = r.stdout().strip().split("\n");
        String last = lines[lines.length - 1];
        if (r.exitCode() != 0 || !last.startsWith("{")) {
            throw new AssertionError("node " + String.join(" ", command) + " exited " + r.exitCode()
                    + " and printed: " + r.stdout() + " (stderr in " + log + ")");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> json = (Map<String, Object>) new JSON().fromJSON(last);
        Outcome o = Outcome.of(json);
        System.out.printf("x402 e2e: node %s%n  -> %d, %d payment header(s) sent, response %s, Cache-Control %s%s%s%n",
                String.join(" ", command), o.status(), o.paymentSignatures().size(), o.paymentResponse(),
                o.cacheControl(), o.lastPaymentRequired() == null ? "" : ", refused: " + o.lastPaymentRequired().get("error"),
                o.error() == null ? "" : ", error " + o.error());
        return o;
    }

    /**
     * What a client run ended with.
     *
     * @param status the final HTTP status (0 when nothing was sent or the client threw)
     * @param paymentRequired the decoded {@code PAYMENT-REQUIRED} of the first 402, or null (v2 only)
     * @param lastPaymentRequired the decoded {@code PAYMENT-REQUIRED} of the final response when it is a 402
     *     (a refused payment; its {@code error} says why), or null (v2 only)
     * @param paymentSignatures the raw payment headers the client sent, in order
     * @param paymentResponse the decoded {@code PAYMENT-RESPONSE} / {@code X-PAYMENT-RESPONSE}, or null
     * @param contentType the final response's content type, or null
     * @param cacheControl the final response's {@code Cache-Control}, or null
     * @param body the final response's body (its first 4,000 characters), or null
     * @param error the client's error message when it threw, or null
     */
    record Outcome(int status, Map<String, Object> paymentRequired, Map<String, Object> lastPaymentRequired,
            List<String> paymentSignatures,
            Map<String, Object> paymentResponse, String contentType, String cacheControl, String body,
            String error) {

        @SuppressWarnings("unchecked")
        static Outcome of(Map<String, Object> json) {
            List<String> sigs = new ArrayList<>();
            Object raw = json.get("paymentSignatures");
            if (raw instanceof Object[] a) {
                Arrays.stream(a).map(String::valueOf).forEach(sigs::add);
            }
            return new Outcome(((Number) json.get("status")).intValue(),
                    (Map<String, Object>) json.get("paymentRequired"),
                    (Map<String, Object>) json.get("lastPaymentRequired"), List.copyOf(sigs),
                    (Map<String, Object>) json.get("paymentResponse"), (String) json.get("contentType"),
                    (String) json.get("cacheControl"), (String) json.get("body"), (String) json.get("error"));
        }
    }
}
