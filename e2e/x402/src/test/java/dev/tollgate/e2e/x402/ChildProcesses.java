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
import java.util.concurrent.TimeUnit;

/**
 * Starts the Node processes of the end-to-end test and ends them, with their whole process tree, even when a
 * test fails or the JVM is shut down. Not thread-safe: one instance per test class.
 */
final class ChildProcesses implements AutoCloseable {

    private final List<Process> started = new ArrayList<>();
    private final Thread shutdownHook = new Thread(this::stopAll, "x402-e2e-stop");

    ChildProcesses() {
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Starts a long-running process with its output appended to {@code log}; {@link #close()} stops it. */
    synchronized Process startBackground(File dir, Map<String, String> env, Path log, String... command)
            throws IOException {
        Files.createDirectories(log.getParent());
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
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
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                stopTree(p);
                throw new IllegalStateException(String.join(" ", command) + " did not finish within " + timeout
                        + " (in " + dir + "; see " + log + ")");
            }
            return new Result(p.exitValue(), Files.readString(stdout, StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(stdout);
        }
    }

    /** A finished process: its exit code and standard output. */
    record Result(int exitCode, String stdout) {
    }

    /** Stops every started process and its descendants: politely first, then forcibly. */
    @Override
    public void close() {
        stopAll();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException shuttingDown) {
            // the hook is running or has run: nothing left to remove
        }
    }

    private synchronized void stopAll() {
        for (int i = started.size() - 1; i >= 0; i--) {
            stopTree(started.get(i));
        }
        started.clear();
    }

    static void stopTree(Process p) {
        List<ProcessHandle> tree = new ArrayList<>(p.descendants().toList());
        tree.add(p.toHandle());
        tree.forEach(ProcessHandle::destroy);
        for (ProcessHandle h : tree) {
            try {
                h.onExit().get(5, TimeUnit.SECONDS);
            } catch (Exception notYet) {
                h.destroyForcibly();
            }
        }
    }
}
