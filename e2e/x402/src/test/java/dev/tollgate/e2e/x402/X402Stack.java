package dev.tollgate.e2e.x402;

import java.io.IOException;
import java.math.BigInteger;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.eclipse.jetty.util.ajax.JSON;

/**
 * The x402 side of the end-to-end test, as child processes on free ports of 127.0.0.1: a Hardhat 2.29.1 chain
 * (chain id 84532), the EIP-3009 test USDC and Multicall3 at their Base Sepolia addresses, and a facilitator
 * built on the official {@code @x402/core} + {@code @x402/evm} 2.27.0. The chain lives in memory, so every start
 * is a fresh chain: the payer holds 5 USDC, everyone else none. Not thread-safe; {@link #close()} stops it all.
 */
final class X402Stack implements AutoCloseable {

    /** Base Sepolia's USDC address, where the test token's code is placed. */
    static final String USDC = "0x036CbD53842c5426634e7929541eC2318f3dCF7e";
    /** Hardhat account #1: 5 USDC after deployment. */
    static final String PAYER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
    /** Hardhat account #2: no USDC. */
    static final String POOR = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC";
    /** Hardhat account #3: the merchant the sample is paid to. */
    static final String PAY_TO = "0x90F79bf6EB2c4f870365E785982E1f101E93b906";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private final Path nodeDir;
    private final Path workDir;
    private final ChildProcesses processes = new ChildProcesses();
    private final int chainPort;
    private final int facilitatorPort;

    private X402Stack(Path nodeDir, Path workDir) throws IOException {
        this.nodeDir = nodeDir;
        this.workDir = workDir;
        this.chainPort = freePort();
        int f = freePort();
        while (f == chainPort) {
            f = freePort();
        }
        this.facilitatorPort = f;
    }

    /**
     * Starts the chain, deploys the token and starts the facilitator; stops what it started if a step fails.
     *
     * @param nodeDir the harness's {@code node/} folder, with its packages installed
     * @param workDir where the logs and the compiled contracts go
     */
    static X402Stack start(Path nodeDir, Path workDir) throws Exception {
        X402Stack stack = new X402Stack(nodeDir, workDir);
        try {
            stack.startAll();
            return stack;
        } catch (Exception | Error e) {
            stack.close();
            throw e;
        }
    }

    private void startAll() throws Exception {
        Files.createDirectories(workDir);
        Map<String, String> env = env();
        Process chain = processes.startBackground(nodeDir.toFile(), Map.of("HARDHAT_DISABLE_TELEMETRY_PROMPT", "true"),
                workDir.resolve("chain.log"), "node", "node_modules/hardhat/internal/cli/bootstrap.js", "node",
                "--hostname", "127.0.0.1", "--port", Integer.toString(chainPort));
        compileContractsIfStale(env);
        waitFor("the chain (see " + workDir.resolve("chain.log") + ")", chain,
                () -> "0x14a34".equals(rpc("eth_chainId", "[]")));
        node(env, Duration.ofSeconds(60), "deploy.mjs");
        Process facilitator = processes.startBackground(nodeDir.toFile(), env, workDir.resolve("facilitator.log"),
                "node", "facilitator.mjs");
        waitFor("the facilitator (see " + workDir.resolve("facilitator.log") + ")", facilitator,
                () -> HTTP.send(HttpRequest.newBuilder(URI.create(facilitatorUrl() + "/supported"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200);
    }

    /** The environment every harness script reads: where the chain answers and where the facilitator listens. */
    Map<String, String> env() {
        return Map.of("RPC_URL", rpcUrl(), "CHAIN_PORT", Integer.toString(chainPort),
                "FACILITATOR_PORT", Integer.toString(facilitatorPort),
                "BUILD_DIR", workDir.resolve("contracts").toString());
    }

    String rpcUrl() {
        return "http://127.0.0.1:" + chainPort;
    }

    String facilitatorUrl() {
        return "http://127.0.0.1:" + facilitatorPort;
    }

    /** The facilitator's log: every /verify and /settle the server sent, with the facilitator's answer. */
    Path facilitatorLog() {
        return workDir.resolve("facilitator.log");
    }

    /** solc-js takes seconds: compile only when the contracts changed since the last run's output. */
    private void compileContractsIfStale(Map<String, String> env) throws Exception {
        Path out = workDir.resolve("contracts");
        Path token = out.resolve("TestUSDC.json");
        Path multicall = out.resolve("Multicall3Lite.json");
        if (Files.isRegularFile(token) && Files.isRegularFile(multicall)) {
            long built = Math.min(Files.getLastModifiedTime(token).toMillis(),
                    Files.getLastModifiedTime(multicall).toMillis());
            boolean stale = false;
            try (var sources = Files.list(nodeDir.resolve("contracts"))) {
                for (Path p : (Iterable<Path>) sources::iterator) {
                    stale |= Files.getLastModifiedTime(p).toMillis() > built;
                }
            }
            if (!stale) {
                return;
            }
        }
        node(env, Duration.ofSeconds(120), "compile.cjs");
    }

    private void node(Map<String, String> env, Duration timeout, String script) throws Exception {
        Path log = workDir.resolve("setup.log");
        ChildProcesses.Result r = ChildProcesses.run(nodeDir.toFile(), env, log, timeout, "node", script);
        Files.writeString(log, r.stdout(), java.nio.file.StandardOpenOption.APPEND);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("node " + script + " failed (exit " + r.exitCode() + "); see " + log);
        }
    }

    private static void waitFor(String what, Process process, Callable<Boolean> ready) throws Exception {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (Boolean.TRUE.equals(ready.call())) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            }
            if (!process.isAlive()) {
                throw new IllegalStateException(what + " exited with " + process.exitValue() + " before answering");
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException(what + " did not answer within " + START_TIMEOUT);
    }

    /** {@return the test USDC balance of {@code owner}, in atomic units (6 decimals)} read from the chain. */
    BigInteger usdcBalance(String owner) throws IOException, InterruptedException {
        String address = owner.toLowerCase(Locale.ROOT).replace("0x", "");
        String data = "0x70a08231" + "0".repeat(64 - address.length()) + address; // balanceOf(address)
        String result = rpc("eth_call", "[{\"to\":\"" + USDC + "\",\"data\":\"" + data + "\"},\"latest\"]");
        return new BigInteger(result.substring(2), 16);
    }

    /** {@return how many blocks the chain has: each settlement is one transaction in one block (automine)} */
    long blockNumber() throws IOException, InterruptedException {
        return Long.decode(rpc("eth_blockNumber", "[]"));
    }

    private String rpc(String method, String params) throws IOException, InterruptedException {
        String body = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"" + method + "\",\"params\":" + params + "}";
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(rpcUrl()))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        Object json;
        try {
            json = new JSON().fromJSON(r.body());
        } catch (IllegalStateException notJson) {
            throw new IOException(method + " answered HTTP " + r.statusCode() + ": " + r.body(), notJson);
        }
        if (!(json instanceof Map<?, ?> m) || !(m.get("result") instanceof String result)) {
            throw new IOException(method + " answered " + r.body());
        }
        return result;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        processes.close();
    }
}
