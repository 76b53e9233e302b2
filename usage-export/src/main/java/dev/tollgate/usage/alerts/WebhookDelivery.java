package dev.tollgate.usage.alerts;

import dev.tollgate.usage.Backoff;
import dev.tollgate.usage.HttpSender;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Delivers webhooks: a JSON POST signed by a {@link WebhookSigner} (a fresh signature and time on every
 * try), with the headers {@value #ID_HEADER} (the same on every try, for the receiver to drop duplicates)
 * and {@value WebhookSigner#HEADER}. A try that is not answered 2xx is repeated after an
 * {@linkplain Backoff exponential back-off with jitter}, up to {@code maxAttempts} tries; then the webhook
 * is abandoned with a line at ERROR (its id, never its secret).
 *
 * <p>Work is bounded: at most {@code maxPending} webhooks wait at once; {@link #send} refuses more (and
 * says so at WARNING). Time comes from the given clock and scheduler (tests run both by hand). Thread-safe.
 */
public final class WebhookDelivery implements AutoCloseable {

    /** The header with the webhook's id. */
    public static final String ID_HEADER = "Tollgate-Webhook-Id";

    private static final System.Logger LOG = System.getLogger(WebhookDelivery.class.getName());

    private final URI endpoint;
    private final WebhookSigner signer;
    private final HttpSender sender;
    private final ScheduledExecutorService scheduler;
    private final boolean ownScheduler;
    private final Clock clock;
    private final Backoff backoff;
    private final int maxAttempts;
    private final int maxPending;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicLong delivered = new AtomicLong();
    private final AtomicLong abandoned = new AtomicLong();
    private volatile boolean closed;

    private WebhookDelivery(Builder b) {
        this.endpoint = b.endpoint;
        this.signer = b.signer;
        this.sender = b.sender != null ? b.sender : HttpSender.jdk();
        this.ownScheduler = b.scheduler == null;
        this.scheduler = b.scheduler != null ? b.scheduler : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tollgate-webhooks");
            t.setDaemon(true);
            return t;
        });
        this.clock = b.clock;
        this.backoff = b.backoff;
        this.maxAttempts = b.maxAttempts;
        this.maxPending = b.maxPending;
    }

    /**
     * {@return a builder}
     *
     * @param endpoint where to POST (http or https)
     * @param signer the signer with the shared secret
     * @throws IllegalArgumentException if the endpoint is not an absolute http(s) URI
     */
    public static Builder builder(URI endpoint, WebhookSigner signer) {
        Objects.requireNonNull(endpoint, "endpoint");
        String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || endpoint.getHost() == null) {
            throw new IllegalArgumentException("a webhook endpoint must be an absolute http(s) URI: " + endpoint);
        }
        return new Builder(endpoint, Objects.requireNonNull(signer, "signer"));
    }

    /**
     * Sends a webhook in the background; the first try runs at once on the scheduler.
     *
     * @param id the webhook's id, the same on every try
     * @param json the body
     * @return {@code false} if it was refused because {@code maxPending} webhooks wait already, or this
     *     delivery is closed
     */
    public boolean send(String id, String json) {
        Objects.requireNonNull(id, "id");
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        if (closed) {
            return false;
        }
        if (pending.incrementAndGet() > maxPending) {
            pending.decrementAndGet();
            LOG.log(System.Logger.Level.WARNING, "Webhook {0} to {1} refused: {2} webhooks wait already", id, endpoint,
                    maxPending);
            return false;
        }
        scheduler.execute(() -> attempt(id, body, 1));
        return true;
    }

    private void attempt(String id, byte[] body, int attempt) {
        if (closed) {
            pending.decrementAndGet();
            return;
        }
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        headers.put(ID_HEADER, id);
        headers.put(WebhookSigner.HEADER, signer.sign(clock.instant(), body));
        String failure;
        try {
            int status = sender.post(endpoint, headers, body);
            failure = status >= 200 && status < 300 ? null : "answered " + status;
        } catch (IOException e) {
            failure = "did not answer (" + e.getClass().getSimpleName() + ")";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            failure = "interrupted";
        } catch (RuntimeException e) {
            failure = "failed (" + e.getClass().getSimpleName() + ")";
        }
        if (failure == null) {
            pending.decrementAndGet();
            delivered.incrementAndGet();
            return;
        }
        if (attempt >= maxAttempts || closed) {
            pending.decrementAndGet();
            abandoned.incrementAndGet();
            LOG.log(System.Logger.Level.ERROR, "Webhook {0} abandoned after {1} tries: {2} {3}", id, attempt, endpoint,
                    failure);
            return;
        }
        long delay = backoff.delay(attempt).toMillis();
        LOG.log(System.Logger.Level.WARNING, "Webhook {0}: {1} {2}; try {3} of {4} in {5} ms", id, endpoint, failure,
                attempt + 1, maxAttempts, delay);
        scheduler.schedule(() -> attempt(id, body, attempt + 1), delay, TimeUnit.MILLISECONDS);
    }

    /** {@return webhooks sent or being retried} */
    public int pending() {
        return pending.get();
    }

    /** {@return webhooks acknowledged with a 2xx} */
    public long delivered() {
        return delivered.get();
    }

    /** {@return webhooks given up after {@code maxAttempts} tries} */
    public long abandoned() {
        return abandoned.get();
    }

    /** Stops: no further tries. Shuts down only a scheduler this object created. */
    @Override
    public void close() {
        closed = true;
        if (ownScheduler) {
            scheduler.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "WebhookDelivery[" + endpoint + "]";
    }

    /** Builds a {@link WebhookDelivery}; not thread-safe. */
    public static final class Builder {

        private final URI endpoint;
        private final WebhookSigner signer;
        private HttpSender sender;
        private ScheduledExecutorService scheduler;
        private Clock clock = Clock.systemUTC();
        private Backoff backoff = Backoff.DEFAULT;
        private int maxAttempts = 10;
        private int maxPending = 1_000;

        private Builder(URI endpoint, WebhookSigner signer) {
            this.endpoint = endpoint;
            this.signer = signer;
        }

        /**
         * @param sender how requests are sent ({@link HttpSender#jdk()} by default)
         * @return this builder
         */
        public Builder sender(HttpSender sender) {
            this.sender = Objects.requireNonNull(sender, "sender");
            return this;
        }

        /**
         * @param scheduler runs the tries (a daemon thread of its own by default); never shut down by this object
         * @return this builder
         */
        public Builder scheduler(ScheduledExecutorService scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * @param clock the time signed into each try (the system clock by default)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param backoff the wait between tries ({@link Backoff#DEFAULT} by default)
         * @return this builder
         */
        public Builder backoff(Backoff backoff) {
            this.backoff = Objects.requireNonNull(backoff, "backoff");
            return this;
        }

        /**
         * @param attempts the most tries per webhook, 1 to 100 (10 by default)
         * @return this builder
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw new IllegalArgumentException("maxAttempts must be 1 to 100: " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * @param max the most webhooks waiting at once, 1 to 1,000,000 (1,000 by default)
         * @return this builder
         */
        public Builder maxPending(int max) {
            if (max < 1 || max > 1_000_000) {
                throw new IllegalArgumentException("maxPending must be 1 to 1000000: " + max);
            }
            this.maxPending = max;
            return this;
        }

        /** {@return the delivery} */
        public WebhookDelivery build() {
            return new WebhookDelivery(this);
        }
    }
}
