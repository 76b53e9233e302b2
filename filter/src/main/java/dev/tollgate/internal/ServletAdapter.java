package dev.tollgate.internal;

import dev.tollgate.TollgateConfig;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Answer;
import dev.tollgate.engine.Settled;
import dev.tollgate.spi.RecordedResponse;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The servlet face of the engine: admits a request, writes the answer or runs the endpoint with
 * its response held back ({@link PaidResponse}, {@link PaidRequest}), and settles the ticket before
 * any byte of a billable response leaves, whether the endpoint returns, throws or goes asynchronous.
 * Thread-safe; per-request state lives in {@link PaidExchange}.
 */
final class ServletAdapter {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Request attribute holding the {@link PaidExchange} of a paid request, for its async dispatches. */
    private static final String EXCHANGE = "dev.tollgate.internal.exchange";

    private final Enforcer engine;
    private final DispatchRules dispatch;
    private final TollgateConfig config;
    /** Who hears requests without a policy; {@code null} when nobody listens. */
    private final EventSink events;

    ServletAdapter(Enforcer engine, DispatchRules dispatch, TollgateConfig config) {
        this(engine, dispatch, config, null);
    }

    ServletAdapter(Enforcer engine, DispatchRules dispatch, TollgateConfig config, EventSink events) {
        this.engine = engine;
        this.dispatch = dispatch;
        this.config = config;
        this.events = events;
    }

    /** Filters one request: see {@link Enforcer#filter}. */
    void filter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        // Read once: a container's request wrapper for a forward or include may work it out per call.
        DispatcherType type = request.getDispatcherType();
        Policy policy = dispatch.policyOf(request, type);
        if (policy == null) {
            if (type == DispatcherType.ASYNC && request.getAttribute(EXCHANGE) instanceof PaidExchange paid) {
                // AsyncContext.dispatch() of a paid request: settled before its response completes.
                paid.dispatch(request, response, chain);
                return;
            }
            if (type == DispatcherType.REQUEST && events != null) {
                passTold(request, response, chain);
                return;
            }
            if (type == DispatcherType.REQUEST && dispatch.adapters()) {
                // Only the outermost dispatch: an include or forward inside a JAX-RS resource ends
                // before the resource does.
                Backstop.pass(request, response, chain);
            } else {
                chain.doFilter(request, response);
            }
            return;
        }
        enforce(policy, request, response, chain);
    }

    /**
     * Passes a request without a policy through, and then, unless an adapter or a later dispatch
     * enforced a policy on it meanwhile, tells the listeners it passed. Told after the endpoint, so
     * that a page showing the counts is not in its own count.
     */
    private void passTold(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        try {
            if (dispatch.adapters()) {
                Backstop.pass(request, response, chain);
            } else {
                chain.doFilter(request, response);
            }
        } finally {
            if (request.getAttribute(DispatchRules.HANDLED) == null) {
                jakarta.servlet.http.HttpServletMapping mapping = request.getHttpServletMapping();
                String servlet = mapping == null ? null : mapping.getServletName();
                if (servlet != null && !servlet.isEmpty()) {
                    events.passed(servlet, request.getMethod());
                }
            }
        }
    }

    /**
     * Enforces {@code policy} on one request. Kept apart from {@link #filter}, so that the
     * pass-through path stays small enough for the JIT to inline into the filter's entry.
     */
    private void enforce(Policy policy, HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        DispatchRules.enforced(request, policy);
        // Rate-limit headers go on the response at once, and stay under a refusal or replay.
        Admission admission = engine.admit(policy, request, response);
        if (admission instanceof Answer answer) {
            ResponseWriter.write(answer, request, response);
            return;
        }
        SettlementOnce ticket = (SettlementOnce) admission;
        if (!ticket.isPaid()) {
            RateLimitDecision limit = ticket.limit();
            if (limit == null || !RateLimiter.needsOutcome(limit)) {
                chain.doFilter(request, response);
                return;
            }
            boolean returned = false;
            try {
                chain.doFilter(request, response);
                returned = true;
            } finally {
                finishFree(ticket, request, response, returned);
            }
            return;
        }
        request.setAttribute(Enforcer.PAYER_ATTRIBUTE, ticket.payerOrNull());
        request.setAttribute(Enforcer.HOLD_ATTRIBUTE, ticket.hold());
        request.setAttribute(Enforcer.BALANCE_ATTRIBUTE, ticket.balance());
        PaidResponse out = new PaidResponse(response, ticket.isReplayable() ? config.maxResponseBytes() : -1,
                "HEAD".equals(request.getMethod()));
        PaidExchange exchange = new PaidExchange(ticket, request, response, out);
        exchange.run(new PaidRequest(request, ticket.requestBody(), out, exchange), out, chain);
    }

    /** Gives back tokens of limits that do not count this outcome (now, or when async processing ends). */
    private static void finishFree(SettlementOnce ticket, HttpServletRequest request, HttpServletResponse response,
                                   boolean returned) {
        if (returned && request.isAsyncStarted()) {
            request.getAsyncContext().addListener(new AsyncListener() {
                private volatile boolean failed;

                @Override
                public void onComplete(AsyncEvent event) {
                    ticket.finish(!failed && response.getStatus() < 400);
                }

                @Override
                public void onTimeout(AsyncEvent event) {
                    failed = true;
                }

                @Override
                public void onError(AsyncEvent event) {
                    failed = true;
                }

                @Override
                public void onStartAsync(AsyncEvent event) {
                    event.getAsyncContext().addListener(this);
                }
            });
            return;
        }
        ticket.finish(returned && response.getStatus() < 400);
    }

    /**
     * One paid request between reserve and settlement: settles its ticket whether the endpoint
     * returns, throws, or goes asynchronous, and before any byte of its response leaves (see
     * {@link PaidResponse}, which calls {@link #open()} at that moment).
     *
     * <p>When the endpoint fails after bytes have left, the charge stands (it was committed when
     * they were let through) and the exception goes on to the container, which aborts the response:
     * the client sees it cut off, not complete.
     */
    private final class PaidExchange implements AsyncListener, PaidResponse.Gate, Supplier<RecordedResponse>,
            PaidRequest.CompletionHook {
        private final SettlementOnce ticket;
        private final HttpServletRequest request;
        private final HttpServletResponse response;
        private final PaidResponse out;
        /** This listener is on the request's AsyncContext (onStartAsync keeps it on for later cycles). */
        private volatile boolean listening;
        /** A timeout or error released the hold and let the response through uncharged. */
        private volatile boolean passedThrough;
        /** Whether the settlement in progress may still record the whole response (see {@link #get}). */
        private volatile boolean canRewrite;

        PaidExchange(SettlementOnce ticket, HttpServletRequest request, HttpServletResponse response,
                     PaidResponse out) {
            this.ticket = ticket;
            this.request = request;
            this.response = response;
            this.out = out;
            out.gate(this);
        }

        void run(HttpServletRequest in, HttpServletResponse wrapped, FilterChain chain)
                throws IOException, ServletException {
            dispatch(in, wrapped, chain);
        }

        /**
         * Runs the endpoint, or the target of an {@code AsyncContext.dispatch()}, and settles when
         * it returns without going asynchronous (again): before the container may complete the
         * response.
         */
        void dispatch(HttpServletRequest in, HttpServletResponse wrapped, FilterChain chain)
                throws IOException, ServletException {
            if (in.getDispatcherType() == DispatcherType.ASYNC) {
                out.holdAgain(); // this dispatch passes the filter, which settles when it returns
            }
            boolean returned = false;
            try {
                chain.doFilter(in, wrapped);
                returned = true;
            } catch (IOException | ServletException | RuntimeException e) {
                if (!ticket.wasReplaced()) {
                    throw e;
                }
                // The endpoint failed because its response was replaced (its writes throw): the
                // refusal is the answer.
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "Hold {0}: the endpoint stopped after its response was"
                            + " replaced: {1}", ticket.hold().id(), e.toString());
                }
                returned = true;
            } finally {
                if (!returned) {
                    // The endpoint threw, or the client went away while it wrote. If nothing has
                    // left, nothing is billable; else the charge stands and the container aborts.
                    ticket.release("the endpoint failed");
                    out.discard();
                    ticket.finish(false);
                }
            }
            if (request.isAsyncStarted()) {
                // Settled by AsyncContext.complete() through PaidRequest, or else by this listener.
                // complete() cannot take effect before this dispatch returns, so the listener is
                // always in place in time (a later startAsync() adds it again: onStartAsync).
                if (!listening) { // startAsync() bypassed PaidRequest (see started)
                    listening = true;
                    request.setAttribute(EXCHANGE, this);
                    request.getAsyncContext().addListener(this);
                }
                return;
            }
            settle(true);
        }

        /**
         * Listens from the start of the asynchronous cycle, ahead of the endpoint's own listeners:
         * a timeout must release the hold before an application's {@code onTimeout} writes its
         * fallback (which would otherwise be charged as it goes out).
         */
        @Override
        public void started(jakarta.servlet.AsyncContext context) {
            if (!listening) {
                listening = true;
                // Only a request gone asynchronous comes back through an ASYNC dispatch, so the
                // attribute that finds this exchange then is set here, not on every paid request.
                request.setAttribute(EXCHANGE, this);
                context.addListener(this);
            }
        }

        /** Called by {@link PaidRequest} when the endpoint completes asynchronous processing. */
        @Override
        public void beforeComplete() {
            try {
                settle(!response.isCommitted());
            } catch (IOException e) {
                if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
                    LOG.log(System.Logger.Level.DEBUG, "Could not send the response of hold {0}: {1}",
                            ticket.hold().id(), e);
                }
            }
        }

        /** The first bytes of the response must leave: settle now. */
        @Override
        public boolean open() throws IOException {
            return decide(!response.isCommitted());
        }

        private void settle(boolean canRewrite) throws IOException {
            // Under the response's lock: a timeout on a container thread sees either nothing decided
            // yet or the whole decision with its bytes passed on (PaidResponse#lock).
            synchronized (out.lock()) {
                try {
                    decide(canRewrite);
                } finally {
                    try {
                        out.release();
                    } finally {
                        // Count modes see the final outcome: after a failed charge may have turned a 200 into a 503.
                        ticket.finish(!ticket.releasedEarly() && response.getStatus() < 400);
                    }
                }
            }
        }

        /** Settles the ticket; {@return false when the response was replaced by a refusal} */
        private boolean decide(boolean canRewrite) throws IOException {
            if (passedThrough) {
                // A timeout or error released the hold; what the application answers after it (its
                // fallback) goes out uncharged, not replaced by a 503 (see endedEarly).
                return true;
            }
            this.canRewrite = canRewrite;
            Settled s = ticket.settle(response.getStatus(), this, canRewrite && !response.isCommitted());
            if (s instanceof Settled.Replace replace) {
                out.abandon();
                response.reset();
                ResponseWriter.write(replace.answer(), request, response);
                return false;
            }
            if (s instanceof Settled.Deliver deliver && !response.isCommitted()) {
                for (Map.Entry<String, String> h : deliver.headers()) {
                    response.addHeader(h.getKey(), h.getValue()); // a payment scheme's evidence
                }
            }
            return !(s instanceof Settled.Replaced);
        }

        /** The response to keep for replays, for the ticket (a billable, replayable call). */
        @Override
        public RecordedResponse get() {
            return out.record(canRewrite || out.outputUsed());
        }

        @Override
        public void onComplete(AsyncEvent event) throws IOException {
            synchronized (out.lock()) {
                // The container has completed the response: bytes still held here never reached
                // the client (complete() or an ASYNC dispatch bypassed the filter). Never charge
                // for a response emptied that way.
                AsyncWarnings.check(out, ticket.hold().id());
                if (out.holdsBody()) {
                    ticket.release("the response completed without the bytes held for it");
                    out.discard();
                }
                settle(false);
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            endedEarly("asynchronous processing timed out");
        }

        @Override
        public void onError(AsyncEvent event) throws IOException {
            endedEarly("asynchronous processing failed: " + event.getThrowable());
        }

        /**
         * A timeout or error: if nothing is decided yet, release the hold and let the response
         * through uncharged (the held bytes and whatever the application writes next, such as the
         * fallback of its own listener). If a charge was committed, its bytes must reach the
         * client rather than be replaced by the container's error page: commit the response.
         */
        private void endedEarly(String why) throws IOException {
            synchronized (out.lock()) {
                if (!ticket.decided()) {
                    passedThrough = true;
                    ticket.abandon(why);
                    out.release();
                    return;
                }
                if (out.opened() && !response.isCommitted()) {
                    response.flushBuffer();
                }
            }
            ticket.finish(false);
        }

        @Override
        public void onStartAsync(AsyncEvent event) {
            event.getAsyncContext().addListener(this);
        }
    }
}
