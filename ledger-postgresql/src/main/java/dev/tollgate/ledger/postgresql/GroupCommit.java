package dev.tollgate.ledger.postgresql;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * Natural batching of ledger operations: the first request finds no flush in flight and applies
 * its own operation at once (no waiting for company); requests that arrive while a flush is in
 * flight queue, and the next flush applies all of them together, in arrival order, in one database
 * transaction. A batch is therefore never older than the flush before it, and at one thread nothing
 * is ever queued.
 *
 * <p>No thread of its own: the thread of the first member of a batch (the leader) runs the flush;
 * when it is done it hands the queued members to the first of them, who becomes the next leader, and
 * wakes the other members of its batch, whose outcomes are then set. A leader runs one flush only,
 * so no request waits for more than the flush in flight and its own.
 *
 * <p>Thread-safe. {@link #submit} blocks until the member's batch has been applied (or has failed);
 * the flush bounds that wait (statement timeout, pool timeout).
 */
final class GroupCommit {

    /** Applies a batch: must give every member an outcome, and may throw only if it cannot. */
    interface Flush {
        void apply(List<Member> batch);
    }

    /** Most members one flush applies; the rest wait for the next one. */
    static final int MAX_BATCH = 256;

    private static final int WAITING = 0;
    private static final int LEADING = 1;
    private static final int DONE = 2;

    /**
     * One request's operation and, after its batch, its outcome. Outcome fields are written by the
     * leader before {@link #state} and read by the member after it (a volatile hand-over).
     */
    abstract static class Member {
        private final Thread waiter = Thread.currentThread();
        private volatile int state = WAITING;
        /** The batch a promoted leader is to apply. */
        private List<Member> batch;
        /** Set when the batch's transaction failed with an unknown outcome: every member's answer. */
        RuntimeException failure;
        /**
         * Set when the batch's transaction certainly rolled back on something one member may have
         * caused (bad data): each member then runs on its own, unbatched, for an answer of its own.
         */
        boolean runAlone;
        /**
         * The member's operation as it runs without batching: a batch of one runs this instead of
         * the batch statement, so a request that finds no company costs what it costs unbatched.
         */
        Supplier<?> alone;
        /** Whether {@link #alone} ran, and its result or failure. */
        boolean ranAlone;
        Object aloneResult;
        RuntimeException aloneFailure;

        /** Runs {@link #alone} and keeps its result or failure for the member. */
        void applyAlone() {
            try {
                aloneResult = alone.get();
            } catch (RuntimeException e) {
                aloneFailure = e;
            }
            ranAlone = true;
        }
    }

    private final Flush flush;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Member> queue = new ArrayDeque<>();
    private boolean flushing;

    GroupCommit(Flush flush) {
        this.flush = flush;
    }

    /**
     * Applies a member's operation in a batch and returns when its outcome is set. Uninterruptible
     * (the operation may already be in the database); an interrupt is kept for the caller.
     */
    void submit(Member m) {
        List<Member> batch = null;
        lock.lock();
        try {
            if (flushing) {
                queue.add(m);
            } else {
                flushing = true;
                batch = List.of(m);
            }
        } finally {
            lock.unlock();
        }
        if (batch == null) {
            boolean interrupted = false;
            while (m.state == WAITING) {
                LockSupport.park(this);
                interrupted |= Thread.interrupted();
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
            if (m.state == DONE) {
                return;
            }
            batch = m.batch;
            m.batch = null;
        }
        lead(m, batch);
    }

    private void lead(Member self, List<Member> batch) {
        try {
            flush.apply(batch);
        } catch (RuntimeException | Error e) {
            RuntimeException failure = e instanceof RuntimeException r ? r
                    : new IllegalStateException("the group commit failed", e);
            for (Member m : batch) {
                if (m.failure == null && !m.runAlone) {
                    m.failure = failure;
                }
            }
            if (e instanceof Error err) {
                handOver(self, batch);
                throw err;
            }
        }
        handOver(self, batch);
    }

    /** Makes the first queued member the next leader, then wakes the members of this batch. */
    private void handOver(Member self, List<Member> batch) {
        Member next = null;
        lock.lock();
        try {
            if (queue.isEmpty()) {
                flushing = false;
            } else {
                List<Member> nextBatch = new ArrayList<>(Math.min(queue.size(), MAX_BATCH));
                while (!queue.isEmpty() && nextBatch.size() < MAX_BATCH) {
                    nextBatch.add(queue.poll());
                }
                next = nextBatch.get(0);
                next.batch = nextBatch;
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            next.state = LEADING;
            LockSupport.unpark(next.waiter);
        }
        for (Member m : batch) {
            if (m != self) {
                m.state = DONE;
                LockSupport.unpark(m.waiter);
            }
        }
        self.state = DONE;
    }

    /** {@return how many members wait for the next flush} For tests and monitoring. */
    int queued() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }
}
