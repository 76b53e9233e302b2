package dev.tollgate.usage;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pushes a {@link UsageLog} to an HTTP endpoint as CloudEvents 1.0, at least once.
 *
 * <p>Each step reads a page after the saved cursor, POSTs it (one {@value CloudEvents#BATCH_CONTENT_TYPE}
 * request per page in {@link Mode#BATCH} mode, one {@value CloudEvents#CONTENT_TYPE} request per record in
 * {@link Mode#STRUCTURED} mode) and, once every request of the page was answered 2xx, saves the page's
 * {@code next} cursor in the {@link CursorStore}. Any other answer, no answer, or a log or store that cannot be
 * reached is a failure: the same page is sent again after an {@linkplain Backoff exponential back-off with
 * jitter}, with the same event ids, until it is acknowledged; nothing is skipped. A receiver that drops
 * events whose {@code source} + {@code id} it has seen gets each record exactly once, also after a restart
 * of this process (which resends at most the page in flight). A receiver that keeps refusing (say a
 * {@code 400}) stops the stream where it is, logged at WARNING on every try.
 *
 * <p>After a full page the next step runs at once; after a short or empty page, after the poll interval.
 * Time comes from the given {@link ScheduledExecutorService} (tests run one by hand: no sleeping). Extra
 * headers (an {@code Authorization} for the receiver) are sent but never logged.
 *
 * <p>Thread-safe: steps run one at a time. {@link #close()} stops scheduling; it does not shut down a
 * scheduler that was given.
 */
public final class UsagePush implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(UsagePush.class.getName());

    /** How events are put in requests. */
    public enum Mode {
        /** One request per page: a JSON array of events ({@value CloudEvents#BATCH_CONTENT_TYPE}). */
        BATCH,
        /** One request per event ({@value CloudEvents#CONTENT_TYPE}). */
        STRUCTURED
    }

    /**
     * What the push has done so far. Immutable.
     *
     * @param cursor the saved cursor (empty before the first page was acknowledged or loaded)
     * @param sent records acknowledged since this object was built
     * @param failures consecutive failed steps (0 after a success)
     * @param lastFailure why the latest step failed, without headers or bodies; {@code null} after a success
     */
    public record Status(Optional<String> cursor, long sent, int failures, String lastFailure) {
    }

    /** What one step did. */
    public enum Outcome {
        /** Records were sent and acknowledged, and the page was full: more may be waiting. */
        SENT_MORE,
        /** Records were sent and acknowledged; the log had no more. */
        SENT,
        /** Nothing new in the log. */
        IDLE,
        /** The step failed; the same page goes again after the back-off. */
        FAILED
    }

    private final UsageLog log;
    private final URI endpoint;
    private final CloudEvents events;
    private final Mode mode;
    private final int pageSize;
    private final CursorStore store;
    private final HttpSender sender;
    private final Map<String, String> headers;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final Duration pollInterval;
    private final Backoff backoff;

    private final Object lock = new Object();
    // Written under lock by the step; volatile so that status() never waits for a step's HTTP call.
    private volatile UsageCursor cursor;
    private volatile long sent;
    private volatile int failures;
    private volatile String lastFailure;
    private volatile boolean closed;

    private UsagePush(Builder b) {
        this.log = b.log;
        this.endpoint = b.endpoint;
        this.events = new CloudEvents(b.source != null ? b.source : URI.create("urn:tollgate:" + b.log.name()));
        this.mode = b.mode;
        this.pageSize = b.pageSize;
        this.store = b.store;
        this.sender = b.sender;
        this.headers = Map.copyOf(b.headers);
        this.ownScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-usage-push");
            t.setDaemon(true);
            return t;
        });
        this.pollInterval = b.pollInterval;
        this.backoff = b.backoff;
    }

    /**
     * {@return a builder}
     *
     * @param log the log to push
     * @param endpoint where to POST (http or https)
     * @throws IllegalArgumentException if the endpoint is not an absolute http(s) URI
     */
    public static Builder builder(UsageLog log, URI endpoint) {
        Objects.requireNonNull(log, "log");
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("the usage push endpoint must be an absolute http(s) URI: " + endpoint);
        }
        return new Builder(log, endpoint);
    }

    /**
     * Starts pushing in the background: the first step runs at once.
     *
     * @return this
     */
    public UsagePush start() {
        scheduler.execute(this::step);
        return this;
    }

    private void step() {
        if (closed) {
            return;
        }
        Outcome o;
        try {
            o = pushOnce();
        } catch (RuntimeException e) {
            // pushOnce turns every expected failure into FAILED; this keeps the loop alive after a bug.
            LOG.log(System.Logger.Level.ERROR, "usage push to " + endpoint + " failed unexpectedly", e);
            o = Outcome.FAILED;
        }
        Duration next = switch (o) {
            case SENT_MORE -> Duration.ZERO;
            case SENT, IDLE -> pollInterval;
            case FAILED -> backoff.delay(status().failures());
        };
        if (!closed) {
            scheduler.schedule(this::step, next.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Runs one step now, on the calling thread: read a page after the saved cursor, send it, save the next
     * cursor when it was acknowledged.
     *
     * @return what it did
     */
    public Outcome pushOnce() {
        synchronized (lock) {
            try {
                if (cursor == null) {
                    cursor = loadCursor();
                }
                UsagePage page = log.read(cursor, pageSize);
                if (page.lost() > 0) {
                    LOG.log(System.Logger.Level.WARNING, "{0} usage records of {1} were dropped from the log before"
                            + " they could be sent to {2}", page.lost(), log.name(), endpoint);
                }
                if (page.records().isEmpty()) {
                    if (!page.next().equals(cursor)) {
                        store.save(page.next().token());
                        cursor = page.next();
                    }
                    return succeeded(Outcome.IDLE, 0);
                }
                String failure = send(page);
                if (failure != null) {
                    return failed(failure);
                }
                store.save(page.next().token());
                cursor = page.next();
                return succeeded(page.records().size() == pageSize ? Outcome.SENT_MORE : Outcome.SENT,
                        page.records().size());
            } catch (UsageLogUnavailableException e) {
                return failed(e.getMessage());
            } catch (IllegalArgumentException e) {
                // A saved cursor this log refuses (ahead of it, or not a cursor): held, never skipped.
                return failed("the saved cursor does not fit the usage log " + log.name() + ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return failed("interrupted");
            }
        }
    }

    /** {@return what the push has done so far} */
    public Status status() {
        return new Status(Optional.ofNullable(cursor).map(UsageCursor::token), sent, failures, lastFailure);
    }

    private UsageCursor loadCursor() {
        Optional<String> saved = store.load();
        if (saved.isEmpty()) {
            return log.start();
        }
        UsageCursor c = UsageCursor.parse(saved.get());
        if (c.log().equals(log.name())) {
            return c;
        }
        if (log instanceof MemoryUsageLog) {
            LOG.log(System.Logger.Level.WARNING, "The saved usage cursor belongs to the log {0} of an earlier process;"
                    + " the records that process had not sent to {1} are lost. Pushing {2} from its start.",
                    c.log(), endpoint, log.name());
            return log.start();
        }
        throw new UsageLogUnavailableException("the cursor store " + store + " holds a cursor of the usage log '"
                + c.log() + "', not of '" + log.name() + "': point it at another consumer name", null);
    }

    /** Sends a page; {@code null} when every request was acknowledged, else why not. */
    private String send(UsagePage page) throws InterruptedException {
        if (mode == Mode.BATCH) {
            return post(CloudEvents.BATCH_CONTENT_TYPE, events.batch(page.records()));
        }
        for (UsageRecord r : page.records()) {
            String failure = post(CloudEvents.CONTENT_TYPE, events.event(r));
            if (failure != null) {
                return failure;
            }
        }
        return null;
    }

    private String post(String contentType, String body) throws InterruptedException {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", contentType);
        try {
            int status = sender.post(endpoint, h, body.getBytes(StandardCharsets.UTF_8));
            return status >= 200 && status < 300 ? null : endpoint + " answered " + status;
        } catch (IOException e) {
            return endpoint + " did not answer: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")");
        }
    }

    private Outcome succeeded(Outcome o, int n) {
        sent += n;
        failures = 0;
        lastFailure = null;
        return o;
    }

    private Outcome failed(String why) {
        failures++;
        lastFailure = why;
        LOG.log(System.Logger.Level.WARNING, "Usage push of {0}: {1} (failure {2} in a row; the same page is sent"
                + " again later)", log.name(), why, failures);
        return Outcome.FAILED;
    }

    /** Stops scheduling steps (a step under way finishes). Shuts down only a scheduler this object created. */
    @Override
    public void close() {
        closed = true;
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "UsagePush[" + log.name() + " -> " + endpoint + ", " + mode + "]";
    }

    /** Builds a {@link UsagePush}; not thread-safe. */
    public static final class Builder {

        private final UsageLog log;
        private final URI endpoint;
        private URI source;
        private Mode mode = Mode.BATCH;
        private int pageSize = 100;
        private CursorStore store = CursorStore.inMemory();
        private HttpSender sender;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private ScheduledExecutorService scheduler;
        private Duration pollInterval = Duration.ofSeconds(5);
        private Backoff backoff = Backoff.DEFAULT;

        private Builder(UsageLog log, URI endpoint) {
            this.log = log;
            this.endpoint = endpoint;
        }

        /**
         * Sets the CloudEvents {@code source} ({@code urn:tollgate:} + the log's name by default).
         *
         * @param source a non-empty URI reference
         * @return this builder
         */
        public Builder source(URI source) {
            this.source = Objects.requireNonNull(source, "source");
            return this;
        }

        /**
         * Sets how events are put in requests ({@link Mode#BATCH} by default).
         *
         * @param mode the mode
         * @return this builder
         */
        public Builder mode(Mode mode) {
            this.mode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * Sets the most records read and sent per step (100 by default).
         *
         * @param size 1 to {@value UsageLog#MAX_PAGE}
         * @return this builder
         */
        public Builder pageSize(int size) {
            if (size < 1 || size > UsageLog.MAX_PAGE) {
                throw new IllegalArgumentException("pageSize must be 1 to " + UsageLog.MAX_PAGE + ": " + size);
            }
            this.pageSize = size;
            return this;
        }

        /**
         * Sets where the cursor is kept ({@link CursorStore#inMemory()} by default: a restart starts over).
         *
         * @param store the store
         * @return this builder
         */
        public Builder cursorStore(CursorStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /**
         * Sets how requests are sent ({@link HttpSender#jdk()} by default).
         *
         * @param sender the sender
         * @return this builder
         */
        public Builder sender(HttpSender sender) {
            this.sender = Objects.requireNonNull(sender, "sender");
            return this;
        }

        /**
         * Adds a header to every request, such as {@code Authorization}; its value is never logged.
         *
         * @param name the header name (not {@code Content-Type})
         * @param value the value
         * @return this builder
         */
        public Builder header(String name, String value) {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(value, "value");
            if (!name.matches("[A-Za-z0-9!#$%&'*+.^_`|~-]+") || name.equalsIgnoreCase("Content-Type")) {
                throw new IllegalArgumentException("not a header this push can add: " + name);
            }
            if (value.chars().anyMatch(ch -> ch < 0x20 && ch != '\t' || ch == 0x7f)) {
                throw new IllegalArgumentException("the value of header " + name + " has control characters");
            }
            headers.put(name, value);
            return this;
        }

        /**
         * Sets the scheduler of the steps (by default a daemon thread of its own, stopped by {@link #close()}).
         *
         * @param scheduler the scheduler; never shut down by the push
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Sets the wait after a page that was not full (5 s by default).
         *
         * @param interval 10 ms to 1 hour
         * @return this builder
         */
        public Builder pollInterval(Duration interval) {
            if (interval == null || interval.toMillis() < 10 || interval.compareTo(Duration.ofHours(1)) > 0) {
                throw new IllegalArgumentException("pollInterval must be 10 ms to 1 hour: " + interval);
            }
            this.pollInterval = interval;
            return this;
        }

        /**
         * Sets the back-off after failures ({@link Backoff#DEFAULT} by default).
         *
         * @param backoff the back-off
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /** {@return the push, not yet started} */
        public UsagePush build() {
            if (sender == null) {
                sender = HttpSender.jdk();
            }
            return new UsagePush(this);
        }
    }
}
