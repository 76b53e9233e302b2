package dev.tollgate.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.AbstractExecutorService;
import java.util.concurrent.Callable;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scheduler that runs nothing by itself: {@link #advance(Duration)} moves its {@link MutableClock}
 * and runs, on the calling thread, every task that has come due, in order of due time (including
 * tasks those tasks schedule, when they fall due within the advance). Pass it to
 * {@code TollgateConfig.Builder.scheduler} together with the clock, so tests move time instead of
 * sleeping. Thread-safe.
 */
public final class ManualScheduler extends AbstractExecutorService implements ScheduledExecutorService {

    private final MutableClock clock;
    private final PriorityQueue<Task<?>> queue = new PriorityQueue<>(
            Comparator.<Task<?>>comparingLong(t -> t.dueMillis).thenComparingLong(t -> t.sequence));
    private final AtomicLong sequence = new AtomicLong();
    private volatile boolean shutdown;

    public ManualScheduler(MutableClock clock) {
        this.clock = clock;
    }

    /** {@return the clock this scheduler runs on} */
    public MutableClock clock() {
        return clock;
    }

    /** Moves the clock by {@code d} and runs what has come due. */
    public void advance(Duration d) {
        long target = clock.millis() + d.toMillis();
        while (true) {
            Task<?> next;
            synchronized (this) {
                next = queue.peek();
                if (next == null || next.dueMillis > target) {
                    break;
                }
                queue.poll();
            }
            if (next.dueMillis > clock.millis()) {
                clock.advance(Duration.ofMillis(next.dueMillis - clock.millis()));
            }
            next.run();
        }
        if (target > clock.millis()) {
            clock.advance(Duration.ofMillis(target - clock.millis()));
        }
    }

    /** {@return how many tasks wait} */
    public synchronized int waiting() {
        return (int) queue.stream().filter(t -> !t.isDone()).count();
    }

    private <V> Task<V> add(Callable<V> callable, long delayMillis) {
        if (shutdown) {
            throw new java.util.concurrent.RejectedExecutionException("shut down");
        }
        Task<V> t = new Task<>(callable, clock.millis() + Math.max(0, delayMillis), sequence.incrementAndGet());
        synchronized (this) {
            queue.add(t);
        }
        return t;
    }

    @Override
    public ScheduledFuture<?> schedule(Runnable command, long delay, TimeUnit unit) {
        return add(java.util.concurrent.Executors.callable(command), unit.toMillis(delay));
    }

    @Override
    public <V> ScheduledFuture<V> schedule(Callable<V> callable, long delay, TimeUnit unit) {
        return add(callable, unit.toMillis(delay));
    }

    @Override
    public ScheduledFuture<?> scheduleAtFixedRate(Runnable command, long initialDelay, long period, TimeUnit unit) {
        throw new UnsupportedOperationException("not used by Tollgate");
    }

    @Override
    public ScheduledFuture<?> scheduleWithFixedDelay(Runnable command, long initialDelay, long delay,
                                                     TimeUnit unit) {
        throw new UnsupportedOperationException("not used by Tollgate");
    }

    /** Runs at the next {@link #advance}, even by zero. */
    @Override
    public void execute(Runnable command) {
        schedule(command, 0, TimeUnit.MILLISECONDS);
    }

    @Override
    public void shutdown() {
        shutdown = true;
    }

    @Override
    public synchronized List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> left = new ArrayList<>(queue);
        queue.clear();
        return left;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public synchronized boolean isTerminated() {
        return shutdown && queue.isEmpty();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) {
        return isTerminated();
    }

    private final class Task<V> extends FutureTask<V> implements ScheduledFuture<V> {
        final long dueMillis;
        final long sequence;

        Task(Callable<V> callable, long dueMillis, long sequence) {
            super(callable);
            this.dueMillis = dueMillis;
            this.sequence = sequence;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(dueMillis - clock.millis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed o) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), o.getDelay(TimeUnit.MILLISECONDS));
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            synchronized (ManualScheduler.this) {
                queue.remove(this);
            }
            return super.cancel(mayInterruptIfRunning);
        }

        /** Surfaces a task's failure to the test instead of swallowing it. */
        @Override
        protected void done() {
            if (!isCancelled()) {
                try {
                    get();
                } catch (ExecutionException e) {
                    throw new AssertionError("a scheduled task failed", e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
