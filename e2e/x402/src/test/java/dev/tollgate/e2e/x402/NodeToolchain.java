package dev.tollgate.e2e.x402;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Node.js and npm as the end-to-end test needs them: Node 20 or newer and npm on the {@code PATH}, and the
 * packages of {@code node/} and {@code node/v1/} installed by {@code npm ci} from their committed lockfiles.
 */
final class NodeToolchain {

    /** The oldest Node major version the harness runs on (Hardhat 2.29 and the x402 2.27 SDK). */
    static final int MIN_NODE_MAJOR = 20;

    private static final Pattern VERSION = Pattern.compile("v?(\\d{1,4})\\.(\\d{1,4})\\.(\\d{1,4})");
    private static final Duration NPM_CI_TIMEOUT = Duration.ofMinutes(10);

    private NodeToolchain() {
    }

    /**
     * {@return why this machine cannot run the harness, or {@code null} when Node 20+ and npm are there}
     * Never throws: a missing program is a reason, not an error.
     */
    static String missing(Path log) {
        return missing(version(log, "node", "--version"), version(log, "npm", "--version"));
    }

    /**
     * {@return why these versions cannot run the harness, or {@code null} when they can}
     *
     * @param node what {@code node --version} printed, or null when it could not be run
     * @param npm what {@code npm --version} printed, or null when it could not be run
     */
    static String missing(String node, String npm) {
        if (node == null) {
            return "no 'node' on the PATH";
        }
        Matcher m = VERSION.matcher(node);
        if (!m.lookingAt()) {
            return "'node --version' printed '" + node + "', not a version";
        }
        if (Integer.parseInt(m.group(1)) < MIN_NODE_MAJOR) {
            return "Node " + node + " is too old: the harness needs Node " + MIN_NODE_MAJOR + " or newer";
        }
        if (npm == null) {
            return "Node " + node + " is there but 'npm' is not on the PATH";
        }
        return null;
    }

    private static String version(Path log, String... command) {
        try {
            ChildProcesses.Result r = ChildProcesses.run(new File("."), Map.of(), log, Duration.ofSeconds(30),
                    command);
            return r.exitCode() == 0 && !r.stdout().isBlank() ? r.stdout().strip() : null;
        } catch (IOException | RuntimeException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /**
     * Runs {@code npm ci} in {@code dir} unless its {@code node_modules} was installed from the current
     * lockfile already (npm writes {@code node_modules/.package-lock.json} last; it must be newer than
     * {@code package.json} and {@code package-lock.json}).
     *
     * @return whether npm ci ran
     * @throws IllegalStateException if npm ci fails, naming the directory and the log
     */
    static boolean installIfStale(Path dir, Path log) throws IOException, InterruptedException {
        if (upToDate(dir)) {
            return false;
        }
        long start = System.nanoTime();
        ChildProcesses.Result r = ChildProcesses.run(dir.toFile(), Map.of(), log, NPM_CI_TIMEOUT,
                "npm", "ci", "--prefer-offline", "--no-audit", "--no-fund");
        Files.writeString(log, r.stdout(), java.nio.file.StandardOpenOption.APPEND);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("'npm ci' failed in " + dir + " (exit " + r.exitCode() + "; see " + log
                    + "). It needs the npm registry once; after that the harness works offline.");
        }
        System.out.printf("x402 e2e: npm ci in %s took %d s%n", dir, (System.nanoTime() - start) / 1_000_000_000L);
        return true;
    }

    /** {@return whether {@code dir}'s node_modules was installed by npm ci after its package files last changed} */
    static boolean upToDate(Path dir) throws IOException {
        Path installed = dir.resolve("node_modules/.package-lock.json");
        if (!Files.isRegularFile(installed)) {
            return false;
        }
        FileTime at = Files.getLastModifiedTime(installed);
        return at.compareTo(Files.getLastModifiedTime(dir.resolve("package-lock.json"))) >= 0
                && at.compareTo(Files.getLastModifiedTime(dir.resolve("package.json"))) >= 0;
    }
}
