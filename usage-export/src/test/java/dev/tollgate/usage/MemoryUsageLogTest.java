package dev.tollgate.usage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.Money;
import dev.tollgate.testing.MutableClock;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bounded in-memory log: pages from a cursor, resumable by token, losses counted, foreign cursors refused. */
class MemoryUsageLogTest {

    private final MutableClock clock = new MutableClock();

    @Test
    void readsPagesFromAResumableCursor() {
        MemoryUsageLog log = MemoryUsageLog.create("memory-test", 100, clock);
        for (int i = 1; i <= 5; i++) {
            log.append("acct-" + i, Money.credits(i + ".5"), "GET reports", "h" + i);
        }
        UsagePage first = log.read(log.start(), 2);
        assertEquals(List.of("memory-test-1", "memory-test-2"), first.records().stream().map(UsageRecord::id).toList());
        assertEquals("1.5", first.records().get(0).amount().toPlainString());
        // The token survives as text: a consumer resumes from it exactly after the last record it read.
        UsagePage rest = log.read(UsageCursor.parse(first.next().token()), 10);
        assertEquals(List.of("memory-test-3", "memory-test-4", "memory-test-5"),
                rest.records().stream().map(UsageRecord::id).toList());
        UsagePage empty = log.read(rest.next(), 10);
        assertTrue(empty.records().isEmpty());
        assertEquals(rest.next(), empty.next());
        // Reading again from the same cursor gives the same records with the same ids.
        assertEquals(rest.records(), log.read(first.next(), 10).records());
    }

    @Test
    void aReaderBehindTheBoundIsToldHowManyRecordsItMissed() {
        MemoryUsageLog log = MemoryUsageLog.create("memory-small", 3, clock);
        for (int i = 1; i <= 7; i++) {
            log.append("a", Money.credits("1"), null, null);
        }
        UsagePage page = log.read(log.start(), 10);
        assertEquals(4, page.lost());
        assertEquals(List.of("memory-small-5", "memory-small-6", "memory-small-7"),
                page.records().stream().map(UsageRecord::id).toList());
    }

    @Test
    void refusesCursorsOfOtherLogsAndTokensThatAreNotCursors() {
        MemoryUsageLog log = MemoryUsageLog.create("memory-a", 10, clock);
        MemoryUsageLog other = MemoryUsageLog.create("memory-b", 10, clock);
        IllegalArgumentException foreign = assertThrows(IllegalArgumentException.class,
                () -> log.read(other.start(), 10));
        assertTrue(foreign.getMessage().contains("memory-b"), foreign.getMessage());
        assertThrows(IllegalArgumentException.class, () -> UsageCursor.parse("not a cursor"));
        assertThrows(IllegalArgumentException.class, () -> UsageCursor.parse("dTI6eDox"));
        assertThrows(IllegalArgumentException.class, () -> UsageCursor.parse("x".repeat(500)));
        assertThrows(IllegalArgumentException.class, () -> log.read(log.start(), 0));
        assertThrows(IllegalArgumentException.class, () -> log.read(log.start(), UsageLog.MAX_PAGE + 1));
        assertThrows(IllegalArgumentException.class, () -> log.read(UsageCursor.of("memory-a", 5), 1));
    }
}
