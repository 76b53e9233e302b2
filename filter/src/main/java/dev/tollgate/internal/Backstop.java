package dev.tollgate.internal;

import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * The servlet filter's backstop for adapters (Jakarta REST): a request the filter does not enforce
 * itself may carry a hold an adapter took; when the request ends without the adapter having
 * settled it (an exception no JAX-RS mapper handled skips the response filters), the backstop runs
 * the adapter's release. It also aborts a response the adapter reports broken off after its first
 * bytes. Stateless and thread-safe.
 */
final class Backstop {

    /**
     * Request attribute an adapter sets to a {@link Runnable} while a hold it took waits for
     * settlement; run when the request ends. The runnable must release the hold if, and only if, it
     * is still open.
     */
    static final String UNSETTLED = "dev.tollgate.unsettled";

    /**
     * Request attribute an adapter sets to the {@link Throwable} that broke off a response after its
     * first bytes had left, when its runtime would end that response as if complete (Jersey does):
     * the filter then throws it on to the container, which aborts the response.
     */
    static final String ABORTED = "dev.tollgate.aborted";

    private Backstop() {
    }

    /**
     * Runs the rest of the chain, then any backstop an adapter left (now, or when async processing
     * ends).
     */
    static void pass(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // Asked once: a container may take a lock for it (Jetty 12 does), and nothing below starts
        // or ends asynchronous processing.
        boolean async = false;
        try {
            chain.doFilter(request, response);
            async = request.isAsyncStarted();
        } finally {
            if (async) {
                request.getAsyncContext().addListener(new AsyncListener() {
                    @Override
                    public void onComplete(AsyncEvent event) {
                        runUnsettled(request);
                    }

                    @Override
                    public void onTimeout(AsyncEvent event) {
                        runUnsettled(request);
                    }

                    @Override
                    public void onError(AsyncEvent event) {
                        runUnsettled(request);
                    }

                    @Override
                    public void onStartAsync(AsyncEvent event) {
                        event.getAsyncContext().addListener(this);
                    }
                });
            } else {
                runUnsettled(request);
            }
        }
        if (!async && request.getAttribute(ABORTED) instanceof Throwable cause) {
            request.removeAttribute(ABORTED);
            throw new ServletException("Tollgate: the response was broken off after its first bytes had been sent"
                    + " (and charged); aborting it", cause);
        }
    }

    private static void runUnsettled(HttpServletRequest request) {
        if (request.getAttribute(UNSETTLED) instanceof Runnable r) {
            request.removeAttribute(UNSETTLED);
            r.run();
        }
    }
}
