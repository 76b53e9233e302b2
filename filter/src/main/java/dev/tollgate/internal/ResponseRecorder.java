package dev.tollgate.internal;

import dev.tollgate.spi.RecordedResponse;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Passes a response through while keeping a copy (up to a bound) of its status, headers and body,
 * so that a retry with the same {@code Idempotency-Key} can be answered without running the
 * endpoint or charging again. One per request; not thread-safe beyond what the servlet API allows.
 */
final class ResponseRecorder extends HttpServletResponseWrapper {

    /** Headers never replayed: framing, per-connection, per-response state and cookies. */
    private static final Set<String> SKIPPED = Set.of("content-length", "transfer-encoding", "connection", "date",
            "set-cookie", "set-cookie2", "ratelimit", "ratelimit-policy", "keep-alive", "content-type");

    private final int maxBytes;
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final StringBuilder chars = new StringBuilder();
    private boolean overflow;
    private boolean outputUsed;
    private ServletOutputStream stream;
    private PrintWriter writer;
    private Charset writerCharset;

    ResponseRecorder(HttpServletResponse response, int maxBytes) {
        super(response);
        this.maxBytes = maxBytes;
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            stream = new TeeStream(super.getOutputStream());
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
            writer = new PrintWriter(new TeeWriter(delegate));
        }
        outputUsed = true;
        return writer;
    }

    @Override
    public void reset() {
        super.reset();
        clear();
    }

    @Override
    public void resetBuffer() {
        super.resetBuffer();
        clear();
    }

    private void clear() {
        if (!isCommitted()) {
            bytes.reset();
            chars.setLength(0);
            overflow = false;
        }
    }

    /** {@return whether the endpoint obtained its output stream or writer through this wrapper} */
    boolean outputUsed() {
        return outputUsed;
    }

    /**
     * Snapshots what was recorded.
     *
     * @param trustworthy false when output may have bypassed this wrapper (asynchronous
     *     processing that wrote to the unwrapped response)
     * @return the response to keep
     */
    RecordedResponse record(boolean trustworthy) {
        if (writer != null) {
            writer.flush();
        }
        byte[] body = bytes.toByteArray();
        if (chars.length() > 0) {
            byte[] encoded = chars.toString().getBytes(writerCharset);
            byte[] joined = new byte[body.length + encoded.length];
            System.arraycopy(body, 0, joined, 0, body.length);
            System.arraycopy(encoded, 0, joined, body.length, encoded.length);
            body = joined;
        }
        boolean retained = trustworthy && !overflow && body.length <= maxBytes;
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        String contentType = getContentType();
        if (contentType != null) {
            headers.add(Map.entry("Content-Type", contentType));
        }
        for (String name : getHeaderNames()) {
            if (SKIPPED.contains(name.toLowerCase(Locale.ROOT))) {
                continue;
            }
            for (String value : getHeaders(name)) {
                headers.add(Map.entry(name, value));
            }
        }
        return new RecordedResponse(getStatus(), headers, retained ? body : new byte[0], retained);
    }

    private void keep(byte[] b, int off, int len) {
        if (overflow) {
            return;
        }
        if (bytes.size() + chars.length() + len > maxBytes) {
            overflow = true;
            return;
        }
        bytes.write(b, off, len);
    }

    private void keep(char[] c, int off, int len) {
        if (overflow) {
            return;
        }
        // A char is at least one byte in any charset: counting chars against the byte bound is
        // a lower bound; record() checks the encoded length again.
        if (bytes.size() + chars.length() + len > maxBytes) {
            overflow = true;
            return;
        }
        chars.append(c, off, len);
    }

    private final class TeeStream extends ServletOutputStream {
        private final ServletOutputStream out;

        TeeStream(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            keep(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            keep(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
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

    private final class TeeWriter extends Writer {
        private final PrintWriter out;

        TeeWriter(PrintWriter out) {
            this.out = out;
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            out.write(cbuf, off, len);
            keep(cbuf, off, len);
        }

        @Override
        public void flush() {
            out.flush();
        }

        @Override
        public void close() {
            out.close();
        }
    }
}
