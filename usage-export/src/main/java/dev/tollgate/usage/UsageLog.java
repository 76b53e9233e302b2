package dev.tollgate.usage;

/**
 * The pull API of the usage export: committed charges, oldest first, read page by page from a cursor.
 *
 * <p>A consumer keeps the {@link UsagePage#next()} cursor of the last page it has processed and reads on
 * from it; after a restart it reads from the cursor it kept, and gets every record after it exactly once
 * (records it had read but not yet processed come again, with the same ids). Implementations are
 * thread-safe; {@link #read} may block on a database but is bounded by its timeouts.
 */
public interface UsageLog {

    /** The largest page {@link #read} returns. */
    int MAX_PAGE = 1_000;

    /** {@return this log's name, as its cursors carry it} */
    String name();

    /** {@return the cursor before the first record this log has or will have} */
    UsageCursor start();

    /**
     * Reads the records after a cursor.
     *
     * @param after a cursor of this log
     * @param limit the most records returned, 1 to {@value #MAX_PAGE}
     * @return the page; its {@code next} cursor is where to read on from
     * @throws IllegalArgumentException if the cursor belongs to another log or the limit is out of range
     * @throws UsageLogUnavailableException if the log cannot be read now (retry later)
     */
    UsagePage read(UsageCursor after, int limit);

    /**
     * Checks a read's arguments (for implementations).
     *
     * @param log the log
     * @param after the cursor
     * @param limit the limit
     * @throws IllegalArgumentException if the cursor belongs to another log or the limit is out of range
     */
    static void checkRead(UsageLog log, UsageCursor after, int limit) {
        if (after == null) {
            throw new IllegalArgumentException("a usage cursor is required");
        }
        if (!after.log().equals(log.name())) {
            throw new IllegalArgumentException("the cursor belongs to the usage log '" + after.log()
                    + "', not to '" + log.name() + "'");
        }
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("a usage page holds 1 to " + MAX_PAGE + " records: " + limit);
        }
    }
}
