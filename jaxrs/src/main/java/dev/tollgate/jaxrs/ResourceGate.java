package dev.tollgate.jaxrs;

import dev.tollgate.InvalidPolicyException;
import dev.tollgate.Tollgate;
import dev.tollgate.engine.Admission;
import dev.tollgate.engine.Answer;
import dev.tollgate.engine.Endpoint;
import dev.tollgate.engine.Engine;
import dev.tollgate.engine.ResourceMethods;
import dev.tollgate.engine.Settled;
import dev.tollgate.engine.Ticket;
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
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The filters {@link TollgateFeature} registers for every resource method: admission before a
 * priced or limited one runs (request filter), settlement when its response is known (response
 * filter), or, for a large or streamed entity, when its first bytes must leave (writer interceptor):
 * never after a byte of a billable response has left. It uses the public engine API only
 * ({@link Engine}): the engine decides and settles (exactly once, in the engine's {@link Ticket}),
 * this class turns the decisions into Jakarta REST responses. Free methods cost two map lookups.
 * Public only so the Jakarta REST runtime can create it; register {@link TollgateFeature}, not this.
 * Thread-safe: per-request state lives in a request property.
 */
public final class ResourceGate implements ContainerRequestFilter, ContainerResponseFilter, WriterInterceptor {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    private static final String STATE = "dev.tollgate.jaxrs.exchange";

    private final AtomicBoolean warnedNotRunning = new AtomicBoolean();
    private final AtomicBoolean warnedCovered = new AtomicBoolean();
    private final AtomicBoolean watched = new AtomicBoolean();
    private final Set<Method> reportedInvalid = ConcurrentHashMap.newKeySet();

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
            if (ResourceMethods.hasAnnotations(resourceInfo.getResourceClass(), method)) {
                notRunning(request, method.toString());
            }
            return;
        }
        Engine engine = Tollgate.from(servletContext).map(Tollgate::engine).orElse(null);
        Optional<Endpoint> found;
        try {
            found = engine != null ? engine.policyFor(resourceInfo.getResourceClass(), method)
                    : ResourceMethods.check(resourceInfo.getResourceClass(), method);
        } catch (InvalidPolicyException invalid) {
            if (reportedInvalid.add(method)) {
                LOG.log(System.Logger.Level.ERROR, "Tollgate: " + invalid.getMessage() + "; the method answers 503"
                        + " until this is fixed");
            }
            request.abortWith(drained(request, response(ResourceMethods.misconfigured(servletRequest))));
            return;
        }
        if (found.isEmpty()) {
            return; // free
        }
        Endpoint policy = found.get();
        if (engine == null) {
            notRunning(request, policy.origin());
            return;
        }
        Optional<Endpoint> earlier = engine.coveredBy(servletRequest, policy);
        if (earlier.isPresent()) {
            // Enforced already on this request (a front servlet's policy, or an earlier dispatch):
            // enforcing again would charge or count twice. A paid resource behind a merely limited
            // front is still charged.
            if (warnedCovered.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, "Tollgate: " + policy.origin() + " was reached by a request"
                        + " already governed by " + earlier.get().origin() + "; only that policy applied");
            }
            return;
        }
        Admission admission;
        try {
            admission = engine.admit(policy, servletRequest, request.getEntityStream());
        } catch (ServletException e) {
            throw new IOException(e);
        }
        if (admission instanceof Answer answer) {
            request.abortWith(drained(request, response(answer)));
            return;
        }
        Ticket ticket = (Ticket) admission;
        engine.enforced(servletRequest, policy);
        if (ticket.requestBody() != null) {
            request.setEntityStream(new ByteArrayInputStream(ticket.requestBody()));
        }
        Paid state = new Paid(engine, ticket);
        request.setProperty(STATE, state);
        if (ticket.isPaid()) {
            request.setProperty(Tollgate.PAYER_ATTRIBUTE, ticket.payer().orElse(null));
            request.setProperty(Tollgate.HOLD_ATTRIBUTE, ticket.hold());
            request.setProperty(Tollgate.BALANCE_ATTRIBUTE, ticket.balance());
            // Abandoned by the servlet filter if the request ends without reaching our response filter.
            engine.backstop(servletRequest, ticket);
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
        request.abortWith(drained(request, response(ResourceMethods.notRunning(servletRequest))));
    }

    /** Reads and drops a small unread body, else asks an HTTP/1.x client to close: see the servlet filter. */
    private Response drained(ContainerRequestContext request, Response response) {
        return servletRequest != null && Engine.mustCloseAfterAnswer(servletRequest, request.getEntityStream())
                ? Response.fromResponse(response).header("Connection", "close").build() : response;
    }

    // ------------------------------------------------------------------ after the resource

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) throws IOException {
        if (!(request.getProperty(STATE) instanceof Paid state)) {
            return; // refused before the resource ran, or not ours
        }
        Ticket ticket = state.ticket;
        for (Map.Entry<String, String> h : ticket.headers()) {
            response.getHeaders().putSingle(h.getKey(), h.getValue());
        }
        int status = response.getStatus();
        state.status = status;
        if (!ticket.isPaid()) {
            ticket.finish(status < 400);
            return;
        }
        if (!ticket.isBillable(status)) {
            ticket.release("status " + status);
            ticket.finish(status < 400);
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
        CappedBuffer out = new CappedBuffer(state.engine.maxResponseBytes());
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
            ticket.release("the response entity could not be written: " + e);
            ticket.finish(false);
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
        ChargingStream gate = new ChargingStream(context.getOutputStream(), () -> open(state));
        context.setOutputStream(gate);
        boolean written = false;
        try {
            context.proceed();
            gate.finish();
            written = true;
        } catch (IOException | RuntimeException e) {
            if (gate.opened) {
                // The runtime would end the cut-off response as if complete: have the filter abort it.
                // Only effective when the request ends on the filter's thread; an entity resumed
                // through AsyncResponse is completed by the runtime on this thread, cleanly but
                // short (documented in TollgateFeature).
                state.engine.abortResponse(servletRequest, e);
            }
            throw e;
        } finally {
            if (!written && !gate.opened) {
                // Nothing has left: nothing is billable, and the runtime answers with its error.
                state.ticket.release("writing the response failed");
                state.ticket.finish(false);
            }
            // Else bytes have left and the charge stands; the exception goes on, and the container
            // aborts the response (synchronous methods), so the client sees it cut off.
        }
    }

    /**
     * Charges for an entity written through a {@link ChargingStream}: at the moment its first bytes
     * must leave. When the charge fails, nothing has left yet: the container's response gets the 503.
     *
     * @return whether the entity's bytes may go out
     */
    private boolean open(Paid state) throws IOException {
        Ticket ticket = state.ticket;
        int status = state.status;
        // Larger than the replay bound: a retry learns that it was charged, not the body.
        Settled s = ticket.settle(status, () -> new RecordedResponse(status, List.of(), new byte[0], false),
                !servletResponse.isCommitted());
        if (s instanceof Settled.Deliver deliver) {
            for (Map.Entry<String, String> h : deliver.headers()) {
                servletResponse.addHeader(h.getKey(), h.getValue()); // a payment scheme's evidence
            }
            ticket.finish(status < 400);
            return true;
        }
        ticket.finish(false);
        if (s instanceof Settled.Replace replace) {
            servletResponse.reset();
            Engine.write(replace.answer(), servletRequest, servletResponse);
            // Committed now, so that what the runtime sets when the entity ends cannot change it.
            servletResponse.flushBuffer();
            return false;
        }
        return s instanceof Settled.DeliveredUncharged;
    }


    /** Commits a billable response whose bytes are known; replaces it with a 503 if the charge fails. */
    private void charge(Paid state, ContainerRequestContext request, ContainerResponseContext response, byte[] body,
                        boolean canReplace) {
        Ticket ticket = state.ticket;
        Settled s = ticket.settle(response.getStatus(), () -> record(response, body, state), canReplace);
        if (s instanceof Settled.Deliver deliver) {
            for (Map.Entry<String, String> h : deliver.headers()) {
                response.getHeaders().add(h.getKey(), h.getValue()); // a payment scheme's evidence
            }
            ticket.finish(response.getStatus() < 400);
            return;
        }
        if (!(s instanceof Settled.Replace replace)) {
            return;
        }
        Answer answer = replace.answer();
        response.getHeaders().clear();
        response.setStatus(answer.status());
        for (Map.Entry<String, String> h : answer.headers()) {
            response.getHeaders().add(h.getKey(), h.getValue());
        }
        MediaType type = answer.contentType() == null ? MediaType.APPLICATION_OCTET_STREAM_TYPE
                : MediaType.valueOf(answer.contentType());
        response.setEntity(answer.body(), new java.lang.annotation.Annotation[0], type);
        ticket.finish(false);
    }

    private static RecordedResponse record(ContainerResponseContext response, byte[] body, Paid state) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        MediaType type = response.getMediaType();
        if (type != null) {
            headers.add(Map.entry("Content-Type", type.toString()));
        }
        response.getStringHeaders().forEach((name, values) -> {
            if (Engine.isReplayedHeader(name)) {
                values.forEach(v -> headers.add(Map.entry(name, v)));
            }
        });
        boolean retained = body.length <= state.engine.maxResponseBytes();
        return new RecordedResponse(response.getStatus(), headers, retained ? body : new byte[0], retained);
    }

    static Response response(Answer answer) {
        Response.ResponseBuilder b = Response.status(answer.status());
        if (answer.contentType() != null) {
            b.header("Content-Type", answer.contentType());
        }
        for (Map.Entry<String, String> h : answer.headers()) {
            b.header(h.getKey(), h.getValue());
        }
        return b.entity(answer.body()).build();
    }


    /** One admitted request until the response side is done with it; settlement itself is the ticket's. */
    static final class Paid {
        final Engine engine;
        final Ticket ticket;
        volatile boolean commitAfterWrite;
        volatile int status = 200;

        Paid(Engine engine, Ticket ticket) {
            this.engine = engine;
            this.ticket = ticket;
        }
    }
}
