package dev.tollgate.internal;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UnsupportedEncodingException;
import java.nio.charset.Charset;
import java.nio.charset.IllegalCharsetNameException;
import java.nio.charset.StandardCharsets;
import java.nio.charset.UnsupportedCharsetException;
import java.util.Collections;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request a paid endpoint sees. It hands back a body that Tollgate read to fingerprint an
 * idempotent request, and it makes {@code AsyncContext.complete()} settle the hold before the
 * container sends the response, so asynchronous endpoints are charged before delivery too.
 *
 * <p>When it holds the body of a form {@code POST} or {@code PUT}
 * ({@code application/x-www-form-urlencoded}), the
 * container can no longer parse it, so the parameter methods are answered here, as the Servlet
 * specification says a container does: query parameters first (decoded as UTF-8, the URI encoding
 * of Jetty 12 and Tomcat 10.1), then the form's, decoded with the request's character encoding
 * ({@code charset} of the content type, else the context's request character encoding, else
 * ISO-8859-1). Both ways of reading a body then work, in either order: the stream or reader gives
 * the bytes, the parameter methods the decoded fields. A form body over {@value FormDecoder#MAX_BYTES}
 * bytes or {@value FormDecoder#MAX_FIELDS} fields makes the parameter methods throw an
 * {@code IllegalStateException}, as Jetty 12 does with its default limits (Tomcat drops the fields
 * over its limit instead; the Servlet API exposes neither container's settings).
 *
 * <p>One per request; not thread-safe beyond what the servlet API allows.
 */
final class PaidRequest extends HttpServletRequestWrapper {

    /** What the exchange does just before an asynchronous response completes. */
    interface CompletionHook {
        void beforeComplete();

        /**
         * An asynchronous cycle started through this request; runs before the endpoint can add its
         * own listeners, so a listener added here hears a timeout first.
         *
         * @param context the container's context
         */
        default void started(AsyncContext context) {
        }
    }

    private final byte[] body;
    private final PaidResponse response;
    private final CompletionHook hook;
    private boolean streamUsed;
    private boolean readerUsed;
    private volatile SettlingAsyncContext async;
    private Map<String, String[]> parameters;

    PaidRequest(HttpServletRequest request, byte[] body, PaidResponse response, CompletionHook hook) {
        super(request);
        this.body = body;
        this.response = response;
        this.hook = hook;
    }

    // ------------------------------------------------------------------ body

    @Override
    public ServletInputStream getInputStream() throws IOException {
        if (body == null) {
            return super.getInputStream();
        }
        if (readerUsed) {
            throw new IllegalStateException("getReader() was already called");
        }
        streamUsed = true;
        return new BytesInputStream(body);
    }

    @Override
    public BufferedReader getReader() throws IOException {
        if (body == null) {
            return super.getReader();
        }
        if (streamUsed) {
            throw new IllegalStateException("getInputStream() was already called");
        }
        Charset cs = bodyCharset();
        if (cs == null) {
            throw new UnsupportedEncodingException("unsupported request character encoding");
        }
        readerUsed = true;
        return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), cs));
    }

    /** The request's character encoding, ISO-8859-1 when it names none, null when it is unknown here. */
    private Charset bodyCharset() {
        String enc = getCharacterEncoding();
        ServletContext context = getServletContext();
        if (enc == null && context != null) {
            enc = context.getRequestCharacterEncoding();
        }
        if (enc == null) {
            return StandardCharsets.ISO_8859_1;
        }
        try {
            return Charset.forName(enc.strip());
        } catch (IllegalCharsetNameException | UnsupportedCharsetException e) {
            return null;
        }
    }

    // ------------------------------------------------------------------ parameters

    @Override
    public String getParameter(String name) {
        if (!holdsForm()) {
            return super.getParameter(name);
        }
        String[] values = formParameters().get(name);
        return values == null ? null : values[0];
    }

    @Override
    public String[] getParameterValues(String name) {
        if (!holdsForm()) {
            return super.getParameterValues(name);
        }
        String[] values = formParameters().get(name);
        return values == null ? null : values.clone();
    }

    @Override
    public Enumeration<String> getParameterNames() {
        return holdsForm() ? Collections.enumeration(formParameters().keySet()) : super.getParameterNames();
    }

    @Override
    public Map<String, String[]> getParameterMap() {
        return holdsForm() ? formParameters() : super.getParameterMap();
    }

    /**
     * Whether the container would parse the body we hold as parameters: a form {@code POST}, or a
     * form {@code PUT}. Jetty 12 parses both ({@code HttpConfiguration.formEncodedMethods}); Tomcat
     * 10.1 only {@code POST} ({@code parseBodyMethods}). The Servlet API tells neither rule, and a
     * Jetty endpoint that lost its {@code PUT} fields would break, while on Tomcat the fields only
     * add to the query's; so {@code PUT} forms are parsed everywhere.
     */
    private boolean holdsForm() {
        String method = getMethod();
        if (body == null || !("POST".equals(method) || "PUT".equals(method))) {
            return false;
        }
        String type = getContentType();
        if (type == null) {
            return false;
        }
        int semicolon = type.indexOf(';');
        String media = (semicolon < 0 ? type : type.substring(0, semicolon)).strip();
        return media.equalsIgnoreCase("application/x-www-form-urlencoded");
    }

    private Map<String, String[]> formParameters() {
        if (parameters == null) {
            Map<String, List<String>> all = new LinkedHashMap<>();
            String query = getQueryString();
            if (query != null) {
                FormDecoder.decode(query.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8, all,
                        Integer.MAX_VALUE); // the container has bounded the request line already
            }
            Charset cs = bodyCharset();
            // An encoding this JVM lacks: Tomcat then falls back to its default as well. Over the
            // limits this throws, every time it is asked (nothing is kept), as Jetty does.
            FormDecoder.decodeBody(body, cs == null ? StandardCharsets.ISO_8859_1 : cs, all);
            Map<String, String[]> map = new LinkedHashMap<>();
            all.forEach((k, v) -> map.put(k, v.toArray(String[]::new)));
            parameters = Collections.unmodifiableMap(map);
        }
        return parameters;
    }

    @Override
    public int getContentLength() {
        return body == null ? super.getContentLength() : body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body == null ? super.getContentLengthLong() : body.length;
    }

    // ------------------------------------------------------------------ async

    @Override
    public AsyncContext startAsync() {
        return startAsync(this, response);
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        AsyncContext started = super.startAsync(servletRequest, servletResponse);
        SettlingAsyncContext a = new SettlingAsyncContext(started);
        async = a;
        hook.started(started);
        return a;
    }

    @Override
    public AsyncContext getAsyncContext() {
        SettlingAsyncContext a = async;
        AsyncContext current = super.getAsyncContext();
        return a != null && a.delegate == current ? a : current;
    }

    /** Settles before the container completes the response. */
    private final class SettlingAsyncContext implements AsyncContext {
        private final AsyncContext delegate;

        SettlingAsyncContext(AsyncContext delegate) {
            this.delegate = delegate;
        }

        @Override
        public void complete() {
            hook.beforeComplete();
            delegate.complete();
        }

        @Override
        public ServletRequest getRequest() {
            return delegate.getRequest();
        }

        @Override
        public ServletResponse getResponse() {
            return delegate.getResponse();
        }

        @Override
        public boolean hasOriginalRequestAndResponse() {
            return delegate.hasOriginalRequestAndResponse();
        }

        // The filter may not be mapped for ASYNC: then nothing settles before the dispatched pass
        // ends and the container completes the response. So its writes settle as they come, unless
        // the dispatch does pass the filter (PaidResponse.holdAgain).

        @Override
        public void dispatch() {
            response.settleAtFirstByte();
            delegate.dispatch();
        }

        @Override
        public void dispatch(String path) {
            response.settleAtFirstByte();
            delegate.dispatch(path);
        }

        @Override
        public void dispatch(ServletContext context, String path) {
            response.settleAtFirstByte();
            delegate.dispatch(context, path);
        }

        @Override
        public void start(Runnable run) {
            delegate.start(run);
        }

        @Override
        public void addListener(AsyncListener listener) {
            delegate.addListener(listener);
        }

        @Override
        public void addListener(AsyncListener listener, ServletRequest request, ServletResponse response) {
            delegate.addListener(listener, request, response);
        }

        @Override
        public <T extends AsyncListener> T createListener(Class<T> type) throws ServletException {
            return delegate.createListener(type);
        }

        @Override
        public void setTimeout(long timeout) {
            delegate.setTimeout(timeout);
        }

        @Override
        public long getTimeout() {
            return delegate.getTimeout();
        }
    }

    private static final class BytesInputStream extends ServletInputStream {
        private final ByteArrayInputStream in;
        private ReadListener listener;

        BytesInputStream(byte[] body) {
            this.in = new ByteArrayInputStream(body);
        }

        @Override
        public boolean isFinished() {
            return in.available() == 0;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setReadListener(ReadListener readListener) {
            if (listener != null) {
                throw new IllegalStateException("a ReadListener is already set");
            }
            listener = readListener;
            try {
                if (in.available() > 0) {
                    readListener.onDataAvailable();
                }
                readListener.onAllDataRead();
            } catch (IOException e) {
                readListener.onError(e);
            }
        }

        @Override
        public int read() {
            return in.read();
        }

        @Override
        public int read(byte[] b, int off, int len) {
            return in.read(b, off, len);
        }

        @Override
        public int available() {
            return in.available();
        }
    }
}
