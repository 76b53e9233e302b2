package dev.tollgate.e2e.x402;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** When the end-to-end test runs, skips, or reinstalls the npm packages; no Node needed. */
class NodeToolchainTest {

    @Test
    void node20AndNpmAreEnough() {
        assertNull(NodeToolchain.missing("v20.20.2", "11.19.1"));
        assertNull(NodeToolchain.missing("v22.1.0", "10.2.0"));
    }

    @Test
    void eachMissingPieceIsNamed() {
        assertEquals("no 'node' on the PATH", NodeToolchain.missing(null, "11.19.1"));
        assertEquals("Node v18.19.0 is too old: the harness needs Node 20 or newer",
                NodeToolchain.missing("v18.19.0", "10.2.0"));
        assertEquals("Node v20.20.2 is there but 'npm' is not on the PATH", NodeToolchain.missing("v20.20.2", null));
        assertEquals("'node --version' printed 'command not found', not a version",
                NodeToolchain.missing("command not found", "1.0.0"));
        assertEquals("'node --version' printed 'v99999999999.0.0', not a version",
                NodeToolchain.missing("v99999999999.0.0", "1.0.0"), "no overflow on a silly version");
    }

    @Test
    void npmCiRunsUntilNodeModulesIsNewerThanBothPackageFiles(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("package.json"), "{}");
        Files.writeString(dir.resolve("package-lock.json"), "{}");
        assertFalse(NodeToolchain.upToDate(dir), "no node_modules");

        Path installed = dir.resolve("node_modules/.package-lock.json");
        Files.createDirectories(installed.getParent());
        Files.writeString(installed, "{}");
        Instant t = Instant.parse("2026-12-01T12:00:00Z");
        Files.setLastModifiedTime(dir.resolve("package.json"), FileTime.from(t));
        Files.setLastModifiedTime(dir.resolve("package-lock.json"), FileTime.from(t));
        Files.setLastModifiedTime(installed, FileTime.from(t.plusSeconds(60)));
        assertTrue(NodeToolchain.upToDate(dir), "installed after the lockfile");

        Files.setLastModifiedTime(dir.resolve("package-lock.json"), FileTime.from(t.plusSeconds(120)));
        assertFalse(NodeToolchain.upToDate(dir), "the lockfile changed since");
        Files.setLastModifiedTime(dir.resolve("package-lock.json"), FileTime.from(t));
        Files.setLastModifiedTime(dir.resolve("package.json"), FileTime.from(t.plusSeconds(120)));
        assertFalse(NodeToolchain.upToDate(dir), "package.json changed since");
    }
}
