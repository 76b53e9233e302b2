package dev.tollgate.jaxrs;

import dev.tollgate.Denial;
import dev.tollgate.InvalidPolicyException;
import dev.tollgate.ProblemDetailsRenderer;
import dev.tollgate.Tollgate;
import dev.tollgate.internal.Admission;
import dev.tollgate.internal.Enforcer;
import dev.tollgate.internal.Exchange;
import dev.tollgate.internal.Policy;
import dev.tollgate.internal.Reply;
import dev.tollgate.spi.Rendering;
import dev.tollgate.spi.RecordedResponse;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Providers;
import jakarta.ws.rs.ext.WriterInterceptor;
import jakarta.ws.rs.ext.WriterInterceptorContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The filters {@link TollgateFeature} registers for every resource method: admission before a
 * priced or limited one runs (request filter), settlement when its response is known (response
 * filter), or, for a large or streamed entity, when its first bytes must leave (writer interceptor):
 * never after a byte of a billable response has left. Free methods cost
 * one map lookup. Public only so the Jakarta REST runtime can create it; register
 * {@link TollgateFeature}, not this. Thread-safe: per-request state lives in a request property.
 */
public final class ResourceGate implements ContainerRequestFilter, ContainerResponseFilter, WriterInterceptor {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private static final String STATE = "dev.tollgate.jaxrs.exchange";

    private final AtomicBoolean warnedNotRunning = new AtomicBoolean();
    private final AtomicBoolean warnedCovered = new AtomicBoolean();
    private final AtomicBoolean watched = new AtomicBoolean();
    private final Set<Method> reportedInvalid = ConcurrentHashMap.newKeySet();
    private volatile ResourcePolicies policies;

    @Context
    private ResourceInfo resourceInfo;

    @Context
    private HttpServletRequest servletRequest;

    @Context
    private jakarta.servlet.http.HttpServletResponse servletResponse;

    @Context
    private ServletContext servletContext;

    @Context
    private Providers providers;

    /** Created by the Jakarta REST runtime, which injects the context. */
    public ResourceGate() {
    }

    // ------------------------------------------------------------------ before the resource

    @Override
    public void filter(ContainerRequestContext request) throws IOException {
        Method method = resourceInfo.getResourceMethod();
        if (method == null) {
            return;
        }
        if (servletContext == null) {
            if (ResourcePolicies.hasAnnotations(resourceInfo.getResourceClass(), method)) {
                notRunning(request, method.toString());
            }
            return;
        }
        ResourcePolicies known = policies;
        if (known == null) {
            known = ResourcePolicies.of(servletContext);
            policies = known;
        }
        Policy policy;
        try {
            policy = known.lookup(resourceInfo.getResourceClass(), method);
        } catch (InvalidPolicyException invalid) {
            if (reportedInvalid.add(method)) {
                LOG.log(System.Logger.Level.ERROR, "Tollgate: " + invalid.getMessage() + "; the method answers 503"
                        + " until this is fixed");
            }
            request.abortWith(drained(request, problem(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE,
                    "This endpoint's payment terms are misconfigured; nothing was charged."))));
            return;
        }
        if (policy == null) {
            return; // free
        }
        Tollgate tollgate = Tollgate.from(servletContext).orElse(null);
        if (tollgate == null) {
            notRunning(request, policy.origin());
            return;
        }
        if (servletRequest.getAttribute(Enforcer.HANDLED) instanceof Policy earlier
                && (earlier.isPaid() || !policy.isPaid())) {
            // Enforced already on this request (a front servlet's policy, or an earlier dispatch):
            // enforcing again would charge or count twice. A paid resource behind a merely limited
            // front is still charged.
            if (warnedCovered.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "Tollgate: " + policy.origin() + " was reached by a request"
                        + " already governed by " + earlier.origin() + "; only that policy applied");
            }
            return;
        }
        Enforcer engine = tollgate.enforcer();
        Collector exchange = new Collector();
        Admission admission;
        try {
            admission = engine.admit(policy, servletRequest, exchange, request.getEntityStream());
        } catch (ServletException e) {
            throw new IOException(e);
        }
        if (admission.answered()) {
            request.abortWith(drained(request, response(exchange.reply)));
            return;
        }
        servletRequest.setAttribute(Enforcer.HANDLED, policy);
        if (admission.body() != null) {
            request.setEntityStream(new ByteArrayInputStream(admission.body()));
        }
        Paid state = new Paid(engine, admission, exchange.headers);
        request.setProperty(STATE, state);
        if (admission.paid()) {
            request.setProperty(Tollgate.PAYER_ATTRIBUTE, admission.payer());
            request.setProperty(Tollgate.HOLD_ATTRIBUTE, admission.hold());
            request.setProperty(Tollgate.BALANCE_ATTRIBUTE, admission.balance());
            // Released by the servlet filter if the request ends without reaching our response filter.
            servletRequest.setAttribute(Enforcer.UNSETTLED, state);
            if (watched.compareAndSet(false, true)) {
                // Also for methods the start-up check never saw (sub-resources).
                engine.expectAdapters(servletRequest.getHttpServletMapping() == null ? null
                        : servletRequest.getHttpServletMapping().getServletName());
            }
        }
    }

    /**
     * Tollgate's filter is not running in this application (disabled, or it failed to start): a
     * priced or limited resource is refused rather than served unchecked.
     */
    private void notRunning(ContainerRequestContext request, String origin) {
        if (warnedNotRunning.compareAndSet(false, true)) {
            LOG.log(System.Logger.Level.ERROR, "Tollgate is not running in this web application, so "
                    + origin + " cannot be checked and answers 503; see the start-up log for why the"
                    + " Tollgate filter did not start");
        }
        request.abortWith(drained(request, problem(Denial.of(Denial.Kind.LEDGER_UNAVAILABLE,
                "The payment service is not running; nothing was charged."))));
    }

    /** A refusal in the default problem format, for when the engine cannot render one. */
    private Response problem(Denial denial) {
        Rendering r = new ProblemDetailsRenderer().render(denial, servletRequest);
        Response.ResponseBuilder b = Response.status(r.status()).header("Content-Type", r.contentType())
                .header("Cache-Control", "no-store").entity(r.body());
        r.headers().forEach(h -> b.header(h.getKey(), h.getValue()));
        return b.build();
    }

    /** Reads and drops a small unread body, else asks an HTTP/1.x client to close: see the servlet filter. */
    private Response drained(ContainerRequestContext request, Response response) {
        return Enforcer.mustCloseAfterAnswer(servletRequest, request.getEntityStream())
                ? Response.fromResponse(response).header("Connection", "close").build() : response;
    }

    // ------------------------------------------------------------------ after the resource

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) throws IOException {
        if (!(request.getProperty(STATE) instanceof Paid state)) {
            return; // refused before the resource ran, or not ours
        }
        for (Map.Entry<String, String> h : state.headers) {
            response.getHeaders().putSingle(h.getKey(), h.getValue());
        }
        Admission a = state.admission;
        Enforcer engine = state.engine;
        int status = response.getStatus();
        state.status = status;
        if (!a.paid()) {
            engine.settleLimit(a.limit(), status < 400);
            return;
        }
        if (!engine.isBillable(status)) {
            state.release("status " + status);
            engine.settleLimit(a.limit(), status < 400);
            return;
        }
        if (!response.hasEntity() || "HEAD".equals(request.getMethod())) {
            charge(state, request, response, new byte[0], true);
            return;
        }
        Object entity = response.getEntity();
        MediaType type = response.getMediaType();
        MessageBodyWriter<Object> writer = streamed(entity) || type == null ? null : writer(response, type);
        if (writer == null) {
            state.commitAfterWrite = true; // charged before its first bytes leave: aroundWriteTo
            return;
        }
        Capped out = new Capped(engine.config().maxResponseBytes());
        try {
            writer.writeTo(entity, response.getEntityClass(), response.getEntityType(),
                    response.getEntityAnnotations(), type, response.getHeaders(), out);
        } catch (IOException | RuntimeException e) {
            if (out.overflowed) {
                // Too large to hold (the writer may have wrapped our signal): charged before its
                // first bytes leave (aroundWriteTo).
                state.commitAfterWrite = true;
                return;
            }
            state.release("the response entity could not be written: " + e);
            engine.settleLimit(a.limit(), false);
            throw e;
        }
        byte[] bytes = out.toByteArray();
        response.setEntity(bytes, response.getEntityAnnotations(), type);
        charge(state, request, response, bytes, true);
    }

    @SuppressWarnings("unchecked")
    private MessageBodyWriter<Object> writer(ContainerResponseContext response, MediaType type) {
        return providers == null ? null : (MessageBodyWriter<Object>) providers.getMessageBodyWriter(
                response.getEntityClass(), response.getEntityType(), response.getEntityAnnotations(), type);
    }

    private static boolean streamed(Object entity) {
        return entity instanceof StreamingOutput || entity instanceof InputStream || entity instanceof Reader
                || entity instanceof File || entity instanceof Path;
    }

    @Override
    public void aroundWriteTo(WriterInterceptorContext context) throws IOException, WebApplicationException {
        if (!(context.getProperty(STATE) instanceof Paid state) || !state.commitAfterWrite) {
            context.proceed();
            return;
        }
        // Too large to hold whole: the entity is written through a gate that charges before its
        // first byte goes on to the runtime (which would send it).
        Gate gate = new Gate(context.getOutputStream(), state);
        context.setOutputStream(gate);
        boolean written = false;
        try {
            context.proceed();
            gate.finish();
            written = true;
        } catch (IOException | RuntimeException e) {
            if (gate.opened) {
                // The runtime would end the cut-off response as if complete: have the filter abort it.
                servletRequest.setAttribute(Enforcer.ABORTED, e);
            }
            throw e;
        } finally {
            if (!written && !gate.opened) {
                // Nothing has left: nothing is billable, and the runtime answers with its error.
                state.release("writing the response failed");
                state.engine.settleLimit(state.admission.limit(), false);
            }
            // Else bytes have left and the charge stands; the exception goes on, and the container
            // aborts the response, so the client sees it cut off.
        }
    }

    /**
     * Charges for an entity written through a {@link Gate}: at the moment its first bytes must
     * leave. When the charge fails, nothing has left yet: the container's response gets the 503.
     *
     * @return whether the entity's bytes may go out
     */
    private boolean open(Paid state) throws IOException {
        Admission a = state.admission;
        String refusal;
        if (!state.claim()) {
            if (!state.releasedEarly) {
                return true;
            }
            // Released by the backstop (the request timed out or failed), then the resource answered
            // anyway: do not deliver it unpaid.
            refusal = "The request timed out; nothing was charged. Retry later.";
        } else {
            servletRequest.removeAttribute(Enforcer.UNSETTLED);
            // Larger than the replay bound: a retry learns that it was charged, not the body.
            RecordedResponse recorded = a.replayable()
                    ? new RecordedResponse(state.status, List.of(), new byte[0], false) : null;
            refusal = state.engine.charge(a.hold(), recorded, !servletResponse.isCommitted());
            if (refusal == null) {
                state.engine.settleLimit(a.limit(), state.status < 400);
                return true;
            }
        }
        state.engine.settleLimit(a.limit(), false);
        if (servletResponse.isCommitted()) {
            LOG.log(System.Logger.Level.ERROR, "Hold {0}: the response had already been sent when the charge"
                    + " failed; it was delivered uncharged", a.hold().id());
            return true;
        }
        servletResponse.reset();
        state.engine.send(state.engine.chargeFailed(refusal, servletRequest, a.limit()), servletRequest,
                servletResponse);
        // Committed now, so that what the runtime sets when the entity ends cannot change it.
        servletResponse.flushBuffer();
        return false;
    }

    /**
     * Between an entity's writer and the runtime's stream: holds the first bytes, and lets them
     * through only once the hold is committed ({@link #open}); when the charge failed instead, drops
     * the rest of the entity (the 503 has been sent in its place).
     */
    private final class Gate extends java.io.OutputStream {
        private static final int BUFFER = 64 * 1024;
        private final java.io.OutputStream out;
        private final Paid state;
        private final ByteArrayOutputStream held = new ByteArrayOutputStream();
        volatile boolean opened;
        private boolean dropped;

        Gate(java.io.OutputStream out, Paid state) {
            this.out = out;
            this.state = state;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (dropped) {
                return;
            }
            if (opened) {
                out.write(b, off, len);
                return;
            }
            if (held.size() + (long) len <= BUFFER) {
                held.write(b, off, len);
                return;
            }
            if (pass()) {
                out.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            if (!dropped && pass()) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (!dropped && pass()) {
                out.close();
            }
        }

        /** The entity is complete: charge (if not yet) and pass on what is held. */
        void finish() throws IOException {
            if (!dropped) {
                pass();
            }
        }

        /** Charges once, then passes on what is held; {@return whether bytes may go on} */
        private boolean pass() throws IOException {
            if (!opened) {
                if (!open(state)) {
                    dropped = true;
                    held.reset();
                    return false;
                }
                opened = true;
                if (held.size() > 0) {
                    byte[] first = held.toByteArray();
                    held.reset();
                    out.write(first);
                }
            }
            return true;
        }
    }

    /** Commits a billable response whose bytes are known; replaces it with a 503 if the charge fails. */
    private void charge(Paid state, ContainerRequestContext request, ContainerResponseContext response, byte[] body,
                        boolean canReplace) {
        Admission a = state.admission;
        String refusal;
        if (!state.claim()) {
            if (!state.releasedEarly) {
                return;
            }
            // Released by the backstop (the request timed out or failed), then the resource answered
            // anyway: do not deliver it unpaid.
            refusal = "The request timed out; nothing was charged. Retry later.";
        } else {
            servletRequest.removeAttribute(Enforcer.UNSETTLED);
            RecordedResponse recorded = a.replayable() ? record(response, body, state) : null;
            refusal = state.engine.charge(a.hold(), recorded, canReplace);
            if (refusal == null) {
                state.engine.settleLimit(a.limit(), response.getStatus() < 400);
                return;
            }
        }
        Reply reply = state.engine.chargeFailed(refusal, servletRequest, a.limit());
        response.getHeaders().clear();
        response.setStatus(reply.status());
        for (Map.Entry<String, String> h : reply.headers()) {
            response.getHeaders().add(h.getKey(), h.getValue());
        }
        MediaType type = reply.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM_TYPE
                : MediaType.valueOf(reply.contentType());
        response.setEntity(reply.body(), new java.lang.annotation.Annotation[0], type);
        state.engine.settleLimit(a.limit(), false);
    }

    private static RecordedResponse record(ContainerResponseContext response, byte[] body, Paid state) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        MediaType type = response.getMediaType();
        if (type != null) {
            headers.add(Map.entry("Content-Type", type.toString()));
        }
        response.getStringHeaders().forEach((name, values) -> {
            if (Enforcer.isReplayedHeader(name)) {
                values.forEach(v -> headers.add(Map.entry(name, v)));
            }
        });
        boolean retained = body.length <= state.engine.config().maxResponseBytes();
        return new RecordedResponse(response.getStatus(), headers, retained ? body : new byte[0], retained);
    }

    static Response response(Reply reply) {
        Response.ResponseBuilder b = Response.status(reply.status());
        if (reply.contentType() != null) {
            b.header("Content-Type", reply.contentType());
        }
        for (Map.Entry<String, String> h : reply.headers()) {
            b.header(h.getKey(), h.getValue());
        }
        return b.entity(reply.body()).build();
    }

    /** Holds a serialised entity up to a bound; beyond it the entity is written, not held. */
    private static final class Capped extends ByteArrayOutputStream {
        private final int max;
        boolean overflowed;

        Capped(int max) {
            super(Math.min(max, 8192));
            this.max = max;
        }

        @Override
        public void write(int b) {
            if (count + 1 > max) {
                overflowed = true;
                throw new UncheckedOverflow();
            }
            super.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (count + len > max) {
                overflowed = true;
                throw new UncheckedOverflow();
            }
            super.write(b, off, len);
        }
    }

    /** Stops a writer whose entity outgrows {@link Capped}. */
    private static final class UncheckedOverflow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedOverflow() {
            super("entity larger than the buffer", null, false, false);
        }
    }

    /** Collects what the engine decides before the resource runs. */
    private static final class Collector implements Exchange {
        private final List<Map.Entry<String, String>> headers = new ArrayList<>(4);
        private Reply reply;

        @Override
        public void header(String name, String value) {
            headers.add(Map.entry(name, value));
        }

        @Override
        public void answer(Reply r) {
            reply = r;
        }
    }

    /**
     * One admitted request until it is settled, exactly once. As a {@link Runnable} it is the
     * servlet filter's backstop: it releases the hold if the request ended without settlement.
     */
    static final class Paid implements Runnable {
        final Enforcer engine;
        final Admission admission;
        final List<Map.Entry<String, String>> headers;
        private final AtomicBoolean settled = new AtomicBoolean();
        volatile boolean commitAfterWrite;
        volatile boolean releasedEarly;
        volatile int status = 200;

        Paid(Enforcer engine, Admission admission, List<Map.Entry<String, String>> headers) {
            this.engine = engine;
            this.admission = admission;
            this.headers = headers;
        }

        boolean claim() {
            return settled.compareAndSet(false, true);
        }

        void release(String why) {
            if (claim()) {
                engine.release(admission.hold(), why);
            }
        }

        @Override
        public void run() {
            if (admission.paid() && claim()) {
                releasedEarly = true;
                engine.release(admission.hold(), "the request ended without a response from the resource");
                engine.settleLimit(admission.limit(), false);
            }
        }
    }
}
