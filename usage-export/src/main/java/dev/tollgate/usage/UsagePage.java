package dev.tollgate.usage;

import java.util.List;
import java.util.Objects;

/**
 * A page of the usage log. Immutable.
 *
 * @param records the records after the cursor that was read, oldest first; at most the limit asked for
 * @param next the cursor to read the following page from (the same cursor when the page is empty)
 * @param lost how many records between the cursor read and the first of {@code records} are no longer in
 *     the log (only a bounded {@link MemoryUsageLog} drops records; always 0 for {@link PostgresUsageLog})
 */
public record UsagePage(List<UsageRecord> records, UsageCursor next, long lost) {

    /** Copies the list and requires the cursor. */
    public UsagePage {
        records = List.copyOf(records);
        Objects.requireNonNull(next, "next");
        if (lost < 0) {
            throw new IllegalArgumentException("lost < 0: " + lost);
        }
    }
}
