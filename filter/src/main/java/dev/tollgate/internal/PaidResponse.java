package dev.tollgate.internal;

import dev.tollgate.spi.RecordedResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The response a paid endpoint writes to. It keeps the container from completing the response
 * before Tollgate has settled the hold, and, for requests with an {@code Idempotency-Key}, keeps a
 * copy (up to a bound) to replay to retries.
 *
 * <p>A container completes a response as soon as the bytes of a declared {@code Content-Length}
 * are written, or when the endpoint closes the stream; the client could then see a result before
 * it was charged, or a retry could arrive while the hold is still open. So the declared length is
 * held back and, when it matches the bytes written to the output stream (or nothing was written,
 * as for {@code HEAD}), passed on at {@link #release()}, after settlement; otherwise the container
 * computes the length itself. {@code close()} only marks the stream closed (the container closes
 * it when the request ends). An explicit
 * {@code flush()}/{@code flushBuffer()}, or output beyond the buffer, still goes out at once: such
 * an endpoint chose to stream, and is settled when it completes.
 *
 * <p>For {@code HEAD} the body is counted, not sent: RFC 9110 forbids content in a response to
 * {@code HEAD}, and not every container drops it (Payara Micro 6 sends it over h2c). The count
 * becomes the {@code Content-Length} when the endpoint declared none, so the headers still match
 * those of {@code GET}.
 *
 * <p>One per request; not thread-safe beyond what the servlet API allows.
 */
final class PaidResponse extends HttpServletResponseWrapper {

    /** Headers never replayed: framing, per-connection, per-response state and cookies. */
    private static final Set<String> SKIPPED = Set.of("content-length", "transfer-encoding", "connection", "date",
            "set-cookie", "set-cookie2", "ratelimit", "ratelimit-policy", "x-ratelimit-limit", "x-ratelimit-remaining",
            "x-ratelimit-reset", "keep-alive", "content-type");

    private final int maxRecordedBytes; // -1: do not record
    private final boolean head;
    private final ByteArrayOutputStream bytes;
    private final StringBuilder chars;
    private boolean overflow;
    private boolean outputUsed;
    private long declaredLength = -1;
    private long written;
    private boolean released;
    private ServletOutputStream stream;
    private PrintWriter writer;
    private CharSink sink;
    private Charset writerCharset;

    /**
     * @param response the container's response
     * @param maxRecordedBytes the most body bytes to keep for replay, or -1 to keep none
     * @param head whether this answers a {@code HEAD} request: the body is counted, not sent
     */
    PaidResponse(HttpServletResponse response, int maxRecordedBytes, boolean head) {
        super(response);
        this.maxRecordedBytes = maxRecordedBytes;
        this.head = head;
        this.bytes = maxRecordedBytes >= 0 ? new ByteArrayOutputStream() : null;
        this.chars = maxRecordedBytes >= 0 ? new StringBuilder() : null;
    }

    // ------------------------------------------------------------------ Content-Length held back

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (released) {
            super.setContentLengthLong(len);
        } else {
            declaredLength = len;
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (!released && isContentLength(name)) {
            declaredLength = parseLength(value);
        } else {
            super.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (!released && isContentLength(name)) {
            declaredLength = parseLength(value);
        } else {
            super.addHeader(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (!released && isContentLength(name)) {
            declaredLength = value;
        } else {
            super.setIntHeader(name, value);
        }
    }

    @Override
    public void addIntHeader(String name, int value) {
        if (!released && isContentLength(name)) {
            declaredLength = value;
        } else {
            super.addIntHeader(name, value);
        }
    }

    @Override
    public boolean containsHeader(String name) {
        return isContentLength(name) && declaredLength >= 0 || super.containsHeader(name);
    }

    @Override
    public String getHeader(String name) {
        return isContentLength(name) && declaredLength >= 0 ? Long.toString(declaredLength) : super.getHeader(name);
    }

    private static boolean isContentLength(String name) {
        return name != null && name.equalsIgnoreCase("Content-Length");
    }

    private static long parseLength(String value) {
        try {
            return value == null ? -1 : Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Lets the container finish the response: passes on the declared {@code Content-Length} when
     * it matches what was written and nothing was sent yet. Called once the hold is settled.
     */
    void release() {
        if (released) {
            return;
        }
        released = true;
        if (head) {
            if (sink != null) {
                sink.countPending();
            }
            if (!isCommitted()) {
                long length = declaredLength >= 0 ? declaredLength : outputUsed ? written : -1;
                if (length >= 0) {
                    super.setContentLengthLong(length);
                }
            }
            return;
        }
        // No flush here: our PrintWriter has no buffer of its own, and flushing the container's
        // would commit the response (and, after an exception, stop the container's error page).
        if (declaredLength >= 0 && !isCommitted() && (written == declaredLength || !outputUsed)) {
            super.setContentLengthLong(declaredLength);
        }
    }

    /**
     * Gives the response up: Tollgate replaces it with a refusal written to the container's
     * response directly, so nothing held back here may reach it.
     */
    void abandon() {
        released = true;
        declaredLength = -1;
    }

    @Override
    public void reset() {
        super.reset();
        clear();
        declaredLength = -1;
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        clear();
    }

    private void clear() {
        if (!isCommitted()) {
            if (head && sink != null) {
                sink.countPending(); // so the reset below drops what was written so far
            }
            written = 0;
            if (stream instanceof Stream st) {
                st.closed = false;
            }
            if (sink != null) {
                sink.closed = false;
            }
            if (bytes != null) {
                bytes.reset();
                chars.setLength(0);
                overflow = false;
            }
        }
    }

    // ------------------------------------------------------------------ output

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            stream = new Stream(super.getOutputStream());
        }
        outputUsed = true;
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (writer == null) {
            PrintWriter delegate = super.getWriter();
            String enc = getCharacterEncoding();
            writerCharset = enc == null ? StandardCharsets.ISO_8859_1 : Charset.forName(enc);
            sink = new CharSink(delegate, head ? writerCharset : null);
            writer = new PrintWriter(sink);
        }
        outputUsed = true;
        return writer;
    }

    /** {@return whether the endpoint obtained its output stream or writer through this wrapper} */
    boolean outputUsed() {
        return outputUsed;
    }

    /**
     * Snapshots what was recorded, for replay.
     *
     * @param trustworthy false when output may have bypassed this wrapper
     * @return the response to keep
     */
    RecordedResponse record(boolean trustworthy) {
        byte[] body = bytes == null ? new byte[0] : bytes.toByteArray();
        if (chars != null && chars.length() > 0) {
            byte[] encoded = chars.toString().getBytes(writerCharset);
            byte[] joined = new byte[body.length + encoded.length];
            System.arraycopy(body, 0, joined, 0, body.length);
            System.arraycopy(encoded, 0, joined, body.length, encoded.length);
            body = joined;
        }
        boolean retained = bytes != null && trustworthy && !overflow && body.length <= maxRecordedBytes;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String contentType = getContentType();
        if (contentType != null) {
            headers.add(Map.entry("Content-Type", contentType));
        }
        for (String name : getHeaderNames()) {
            if (!isReplayed(name)) {
                continue;
            }
            for (String value : getHeaders(name)) {
                headers.add(Map.entry(name, value));
            }
        }
        return new RecordedResponse(getStatus(), headers, retained ? body : new byte[0], retained);
    }

    /**
     * {@return whether a header of a recorded response is repeated by its replays} Framing,
     * per-connection and per-response headers (rate-limit state, cookies) are not.
     *
     * @param name the header name
     */
    static boolean isReplayed(String name) {
        return !SKIPPED.contains(name.toLowerCase(Locale.ROOT));
    }

    private void keep(byte[] b, int off, int len) {
        written += len;
        if (bytes == null || overflow) {
            return;
        }
        if (bytes.size() + chars.length() + len > maxRecordedBytes) {
            overflow = true;
            return;
        }
        bytes.write(b, off, len);
    }

    private void keep(char[] c, int off, int len) {
        if (chars == null || overflow) {
            return;
        }
        // A char is at least one byte in any charset, so this bound is safe; record() checks the
        // encoded length again.
        if (bytes.size() + chars.length() + len > maxRecordedBytes) {
            overflow = true;
            return;
        }
        chars.append(c, off, len);
    }

    private final class Stream extends ServletOutputStream {
        private final ServletOutputStream out;
        private boolean closed;

        Stream(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            ensureOpen();
            if (!head) {
                out.write(b);
            }
            keep(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            ensureOpen();
            if (!head) {
                out.write(b, off, len);
            }
            keep(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (!closed) {
                out.flush();
            }
        }

        @Override
        public void close() {
            // Closing would complete the response before settlement; the container closes it.
            closed = true;
        }

        private void ensureOpen() throws IOException {
            if (closed) {
                throw new IOException("the response output stream is closed");
            }
        }

        @Override
        public boolean isReady() {
            return out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            out.setWriteListener(writeListener);
        }
    }

    /**
     * Between the endpoint's PrintWriter and the container's: copies chars, defers close. For
     * {@code HEAD} it encodes into a counter instead.
     */
    private final class CharSink extends Writer {
        private final PrintWriter out;
        private final Writer counter; // HEAD only
        private boolean closed;

        CharSink(PrintWriter out, Charset countAs) {
            this.out = out;
            this.counter = countAs == null ? null : new OutputStreamWriter(new OutputStream() {
                @Override
                public void write(int b) {
                    written++;
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    written += len;
                }
            }, countAs);
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("the response writer is closed");
            }
            if (counter != null) {
                counter.write(cbuf, off, len);
            } else {
                out.write(cbuf, off, len);
            }
            keep(cbuf, off, len);
        }

        /** Adds the chars still in the encoder to the count. */
        void countPending() {
            try {
                counter.flush();
            } catch (IOException impossible) {
                throw new UncheckedIOException(impossible);
            }
        }

        @Override
        public void flush() {
            if (!closed) {
                out.flush();
            }
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
