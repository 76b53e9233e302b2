package dev.tollgate.internal;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Start-up cannot tell how a filter declared in {@code web.xml} is mapped: the Servlet API gives a
 * filter its URL patterns but not its dispatcher types. A mapping without {@code ASYNC} shows only
 * when an asynchronous request ends: an {@code AsyncContext.dispatch()} that never passed the
 * filter. This says so once, with the fix.
 */
final class AsyncWarnings {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");
    private static final AtomicBoolean UNSEEN_DISPATCH = new AtomicBoolean();
    private static final AtomicBoolean LOST_BYTES = new AtomicBoolean();

    private AsyncWarnings() {
    }

    /**
     * Logs what the end of an asynchronous paid request shows about the filter's mapping.
     *
     * @param out the request's response, as the container completes it
     * @param holdId the hold, for the message
     */
    static void check(PaidResponse out, String holdId) {
        if (out.dispatchUnseen() && UNSEEN_DISPATCH.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "Tollgate: an AsyncContext.dispatch() of a paid request (hold {0})"
                    + " did not pass the Tollgate filter: it is mapped without the ASYNC dispatcher. Such responses"
                    + " are charged as their first bytes leave and cannot be replaced by a 503 if the charge fails"
                    + " after that. Declare the filter with <dispatcher>REQUEST</dispatcher>, FORWARD, INCLUDE and"
                    + " ASYNC (see docs/containers.md). Logged once.", holdId);
        }
        if (out.holdsBody() && LOST_BYTES.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.WARNING, "Tollgate: the response of hold {0} was completed by the container"
                    + " while Tollgate still held its body (the request was completed or dispatched through an"
                    + " AsyncContext Tollgate did not hand out, and the filter is not mapped for ASYNC): the hold was"
                    + " released, nothing charged. Map the filter for REQUEST, FORWARD, INCLUDE and ASYNC, and end"
                    + " asynchronous requests through the AsyncContext that startAsync() returned. Logged once.",
                    holdId);
        }
    }
}
