package dev.tollgate.benchmarks;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;

/** A response that counts and discards its body, for benchmarks. Not thread-safe. */
@SuppressWarnings("deprecation")
final class StubResponse implements HttpServletResponse {

    private int status = 200;
    private final Map<String, String> headers = new HashMap<>();
    private final Sink out = new Sink();
    private final PrintWriter writer = new PrintWriter(OutputStream.nullOutputStream());

    /** Forgets per-request state, so one object can stand for many responses. */
    void recycle() {
        status = 200;
        headers.clear();
        out.bytes = 0;
    }

    /** {@return the body bytes written} */
    long bodyBytes() {
        return out.bytes;
    }

    static final class Sink extends ServletOutputStream {
        long bytes;

        @Override
        public void write(int b) {
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            bytes += len;
        }

        @Override
        public boolean isReady() {
            return true;
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            // not used
        }
    }

    @Override
    public void addCookie(jakarta.servlet.http.Cookie p0) {
        // not used
    }

    @Override
    public void addDateHeader(java.lang.String p0, long p1) {
        // not used
    }

    @Override
    public void addHeader(java.lang.String p0, java.lang.String p1) {
        headers.merge(p0, p1, (a, b) -> a + ", " + b);
    }

    @Override
    public void addIntHeader(java.lang.String p0, int p1) {
        // not used
    }

    @Override
    public boolean containsHeader(java.lang.String p0) {
        return false;
    }

    @Override
    public java.lang.String encodeRedirectURL(java.lang.String p0) {
        return null;
    }

    @Override
    public java.lang.String encodeURL(java.lang.String p0) {
        return null;
    }

    @Override
    public void flushBuffer() throws java.io.IOException {
        // not used
    }

    @Override
    public int getBufferSize() {
        return 32768;
    }

    @Override
    public java.lang.String getCharacterEncoding() {
        return "UTF-8";
    }

    @Override
    public java.lang.String getContentType() {
        return headers.get("Content-Type");
    }

    @Override
    public java.lang.String getHeader(java.lang.String p0) {
        return headers.get(p0);
    }

    @Override
    public java.util.Collection<java.lang.String> getHeaderNames() {
        return headers.keySet();
    }

    @Override
    public java.util.Collection<java.lang.String> getHeaders(java.lang.String p0) {
        return null;
    }

    @Override
    public java.util.Locale getLocale() {
        return null;
    }

    @Override
    public jakarta.servlet.ServletOutputStream getOutputStream() throws java.io.IOException {
        return out;
    }

    @Override
    public int getStatus() {
        return status;
    }

    @Override
    public java.io.PrintWriter getWriter() throws java.io.IOException {
        return writer;
    }

    @Override
    public boolean isCommitted() {
        return false;
    }

    @Override
    public void reset() {
        out.bytes = 0;
        headers.clear();
        status = 200;
    }

    @Override
    public void resetBuffer() {
        out.bytes = 0;
    }

    @Override
    public void sendError(int p0) throws java.io.IOException {
        // not used
    }

    @Override
    public void sendError(int p0, java.lang.String p1) throws java.io.IOException {
        // not used
    }

    @Override
    public void sendRedirect(java.lang.String p0) throws java.io.IOException {
        // not used
    }

    @Override
    public void setBufferSize(int p0) {
        // not used
    }

    @Override
    public void setCharacterEncoding(java.lang.String p0) {
        // not used
    }

    @Override
    public void setContentLength(int p0) {
        // not used
    }

    @Override
    public void setContentLengthLong(long p0) {
        // not used
    }

    @Override
    public void setContentType(java.lang.String p0) {
        headers.put("Content-Type", p0);
    }

    @Override
    public void setDateHeader(java.lang.String p0, long p1) {
        // not used
    }

    @Override
    public void setHeader(java.lang.String p0, java.lang.String p1) {
        headers.put(p0, p1);
    }

    @Override
    public void setIntHeader(java.lang.String p0, int p1) {
        // not used
    }

    @Override
    public void setLocale(java.util.Locale p0) {
        // not used
    }

    @Override
    public void setStatus(int p0) {
        status = p0;
    }

}
