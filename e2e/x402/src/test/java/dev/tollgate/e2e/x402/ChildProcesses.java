package dev.tollgate.e2e.x402;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Starts the Node processes of the end-to-end test and ends them, with their whole process tree, even when a
 * test fails or the JVM is shut down (a shutdown hook ends whatever is still running, {@code npm ci} included).
 * Thread-safe.
 */
final class ChildProcesses implements AutoCloseable {

    /** Every process started here and not yet ended: what the shutdown hook stops. */
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(ChildProcesses::stopTree),
                "x402-e2e-stop"));
    }

    private final List<Process> started = new ArrayList<>();

    /** Starts a long-running process with its output appended to {@code log}; {@link #close()} stops it. */
    synchronized Process startBackground(File dir, Map<String, String> env, Path log, String... command)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        RUNNING.add(p);
        started.add(p);
        return p;
    }

    /**
     * Runs a process to its end and returns its standard output; its standard error is appended to
     * {@code log}. A process still running after {@code timeout} is killed (with its children) and fails.
     */
    static Result run(File dir, Map<String, String> env, Path log, Duration timeout, String... command)
            throws IOException, InterruptedException {
        Files.createDirectories(log.getParent());
        Path stdout = Files.createTempFile(log.getParent(), "stdout", ".txt");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(dir)
                    .redirectOutput(stdout.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            pb.environment().putAll(env);
            Process p = pb.start();
            RUNNING.add(p);
            try {
                if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                            + " (in " + dir + "; see " + log + ")");
                }
            } finally {
                stopTree(p); // a no-op for a process that ended, unless it left children behind
            }
            return new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
        }
    }

    /** A finished process: its exit code and standard output. */
    record Result(int exitCode, String stdout) {
    }

    /** Stops every process started by {@link #startBackground} and its descendants, last started first. */
    @Override
    public synchronized void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            stopTree(started.get(i));
        }
        started.clear();
    }

    /** Ends {@code p} and its descendants: politely first, forcibly after 5 s. */
    static void stopTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                h.destroyForcibly();
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException e) {
                h.destroyForcibly();
            }
        }
        RUNNING.remove(p);
    }
}
