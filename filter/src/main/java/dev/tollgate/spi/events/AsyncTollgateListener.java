package dev.tollgate.spi.events;

import dev.tollgate.internal.EventSink;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Hands events to another listener on a thread of its own, for a listener that may block (a
 * webhook, a database, a message broker). The request thread only offers the event to a bounded
 * queue: when the queue is full the event is dropped and counted ({@link #dropped()}), the request
 * never waits. Failures of the delegate are caught and logged (at most one line a minute).
 *
 * <pre>{@code
 * TollgateConfig.builder().eventListener(new AsyncTollgateListener(myWebhookListener, 10_000))
 * }</pre>
 *
 * <p>Events reach the delegate in the order they were offered, one at a time. {@link #close()}
 * stops taking events and lets the thread deliver those already queued (for up to five seconds).
 * Thread-safe.
 */
public final class AsyncTollgateListener implements TollgateListener, AutoCloseable {

    private final TollgateListener delegate;
    private final BlockingQueue<TollgateEvent> queue;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong delivered = new AtomicLong();
    private final Thread worker;
    private volatile boolean closed;

    /**
     * Starts the delivery thread (a daemon named {@code tollgate-events}).
     *
     * @param delegate the listener that may block
     * @param capacity the most events waiting at once: 1 to 10,000,000
     * @throws IllegalArgumentException if the capacity is out of range
     */
    public AsyncTollgateListener(TollgateListener delegate, int capacity) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        if (capacity < 1 || capacity > 10_000_000) {
            throw new IllegalArgumentException("capacity " + capacity + ": must be 1 to 10,000,000");
        }
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.worker = new Thread(this::deliver, "tollgate-events");
        worker.setDaemon(true);
        worker.start();
    }

    /** Queues the event, or drops and counts it when the queue is full or this listener is closed. */
    @Override
    public void onEvent(TollgateEvent event) {
        if (closed || !queue.offer(event)) {
            dropped.incrementAndGet();
        }
    }

    /** {@return how many events were dropped because the queue was full or this listener closed} */
    public long dropped() {
        return dropped.get();
    }

    /** {@return how many events the delegate has been given (including those it failed on)} */
    public long delivered() {
        return delivered.get();
    }

    /** {@return how many events wait} */
    public int queued() {
        return queue.size();
    }

    private void deliver() {
        while (true) {
            TollgateEvent e;
            try {
                e = queue.poll(1, TimeUnit.SECONDS);
            } catch (InterruptedException interrupted) {
                return;
            }
            if (e == null) {
                if (closed) {
                    return;
                }
                continue;
            }
            try {
                delegate.onEvent(e);
            } catch (RuntimeException | LinkageError failure) {
                EventSink.failed(delegate, failure);
            } finally {
                delivered.incrementAndGet();
            }
        }
    }

    /**
     * Stops taking events, waits up to five seconds for those queued to be delivered, then stops
     * the thread; events still queued then are dropped and counted. Closes the delegate when it is
     * {@link AutoCloseable}.
     */
    @Override
    public void close() {
        closed = true;
        try {
            worker.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        worker.interrupt();
        dropped.addAndGet(queue.size());
        queue.clear();
        if (delegate instanceof AutoCloseable c) {
            try {
                c.close();
            } catch (Exception e) {
                EventSink.failed(delegate, e);
            }
        }
    }
}
