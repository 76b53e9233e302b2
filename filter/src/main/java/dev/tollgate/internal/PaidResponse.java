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
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The response a paid endpoint writes to. No byte of it reaches the container before Tollgate has
 * settled the hold, and, for requests with an {@code Idempotency-Key}, it keeps the body (up to a
 * bound) to replay to retries.
 *
 * <p>The body is held in a buffer of this wrapper, as large as the container's buffer (for a
 * request with an {@code Idempotency-Key}: at least {@code maxResponseBytes}, so the recorded reply
 * is complete). When bytes must go out (the buffer is full, the endpoint calls {@code flush()},
 * {@code flushBuffer()}, {@code sendError()} or {@code sendRedirect()}, or the request ends) the
 * {@link Gate} settles first: a billable status is committed and only then are the bytes passed on;
 * if the charge fails, the response is replaced by a refusal and none of the endpoint's bytes ever
 * leave (later writes fail with an {@code IOException}, as if the client had gone). After the
 * first bytes have left, the status is fixed and the charge stands. An explicit flush of a request
 * with an {@code Idempotency-Key} is held until the end of the response or until it outgrows the
 * replay bound, so that the reply kept for retries is the whole one.
 *
 * <p>A container also completes a response as soon as the bytes of a declared
 * {@code Content-Length} are written, or when the endpoint closes the stream. So the declared
 * length is held back and, when it matches the bytes written (or nothing was written, as for
 * {@code HEAD}), passed on at {@link #release()}; {@code close()} only marks the stream closed (the
 * container closes it when the request ends).
 *
 * <p>For {@code HEAD} the body is counted, not sent: RFC 9110 forbids content in a response to
 * {@code HEAD}, and not every container drops it (Payara Micro 6 sends it over h2c). The count
 * becomes the {@code Content-Length} when the endpoint declared none, so the headers still match
 * those of {@code GET}.
 *
 * <p>Asynchronous requests: after {@code AsyncContext.dispatch()} writes settle at the first byte
 * until the dispatch passes the filter ({@link #settleAtFirstByte()}), because a filter mapped
 * without {@code ASYNC} never settles that pass before the container completes it. An async
 * timeout or error that releases the hold lets the response through uncharged ({@link #release()}).
 * Once the response streams, the held buffers are let go.
 *
 * <p>One per request. State changes and the held buffers are guarded by {@link #lock()}, which the
 * exchange also takes to settle, since a timeout runs on a container thread; writing is otherwise
 * single-threaded, as the servlet API requires.
 */
final class PaidResponse extends HttpServletResponseWrapper {

    /** Settles the hold at the moment the first bytes of the response must leave. */
    interface Gate {
        /**
         * Commits (billable status) or releases the hold, once.
         *
         * @return {@code true} when the endpoint's bytes may go out; {@code false} when the response
         *     was replaced by a refusal written to the container's response
         * @throws IOException if writing the refusal fails
         */
        boolean open() throws IOException;
    }

    /** Headers never replayed: framing, per-connection, per-response state and cookies. */
    private static final Set<String> SKIPPED = Set.of("content-length", "transfer-encoding", "connection", "date",
            "set-cookie", "set-cookie2", "ratelimit", "ratelimit-policy", "x-ratelimit-limit", "x-ratelimit-remaining",
            "x-ratelimit-reset", "keep-alive", "content-type");

    /** The smallest buffer held, whatever the container's. */
    private static final int MIN_BUFFER = 8192;

    private enum State {
        /** Nothing has reached the container: the body is in {@link #pending} or {@link #pendingChars}. */
        HOLDING,
        /** Settled; the endpoint's bytes go to the container as they come. */
        OPEN,
        /** Replaced by a refusal, or given up after a failure: the endpoint's bytes are dropped. */
        CLOSED
    }

    private final int maxRecordedBytes; // -1: do not record
    private final boolean head;
    private Gate gate;
    /**
     * Guards {@link #state} changes and the held buffers: an async timeout or error (a container
     * thread) and the endpoint's writes or {@code complete()} (an application thread) may race, and
     * the settlement they trigger must see one state and happen once. Writes in state OPEN skip it.
     */
    private final Object lock = new Object();
    private volatile State state = State.HOLDING;
    private HeldBytes pending = new HeldBytes();
    // Empty until the endpoint writes chars: most paid endpoints write bytes, or nothing.
    private StringBuilder pendingChars = new StringBuilder(0);
    /** Set by {@code AsyncContext.dispatch()}: the filter may not see that dispatch, so do not hold. */
    private volatile boolean eager;
    /** An async dispatch was asked for and has not (yet) passed the filter. */
    private volatile boolean dispatchUnseen;
    private boolean overflow;
    private boolean outputUsed;
    private long declaredLength = -1;
    private long written;
    private boolean released;
    private Stream stream;
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
    }

    /**
     * Sets what settles the hold before the first bytes leave; until set, nothing leaves before
     * {@link #release()}.
     *
     * @param gate the settlement
     */
    void gate(Gate gate) {
        this.gate = gate;
    }

    /** {@return how many body bytes (chars for the writer) are held before they must go out} */
    private long capacity() {
        long container = Math.max(MIN_BUFFER, super.getBufferSize());
        return maxRecordedBytes >= 0 ? Math.max(container, maxRecordedBytes) : container;
    }

    /**
     * Settles, then lets the held bytes through. Called when bytes must leave before the request
     * ends.
     *
     * @return whether the endpoint's bytes may go out
     */
    private boolean open() throws IOException {
        synchronized (lock) {
            if (state == State.OPEN) {
                return true;
            }
            if (state == State.CLOSED) {
                return false;
            }
            if (gate != null && !gate.open()) {
                drop();
                return false;
            }
            state = State.OPEN;
            return true;
        }
    }

    /** Passes the held bytes to the container; the response must be settled. */
    private void drain() throws IOException {
        if (pending.size() > 0) {
            pending.writeTo(stream.out);
        }
        if (pendingChars.length() > 0) {
            String c = pendingChars.toString();
            pendingChars.setLength(0);
            sink.out.write(c);
        }
        shrink();
    }

    /**
     * Once bytes stream through, the held buffers are no longer needed: let go of them, so a long
     * stream does not keep up to {@code maxResponseBytes} (bytes and chars) for its whole life.
     * {@code HEAD} keeps its count for replay.
     */
    private void shrink() {
        if (state != State.HOLDING && !head) {
            if (pending.capacity() > 0) {
                pending = new HeldBytes();
            }
            if (pendingChars.capacity() > 0) {
                pendingChars = new StringBuilder(0);
            }
        } else {
            pending.reset();
        }
    }

    private void drop() {
        state = State.CLOSED;
        pending = new HeldBytes();
        pendingChars = new StringBuilder(0);
        declaredLength = -1;
    }

    /** {@return how many bytes and chars the held buffers take, used or not} For tests. */
    long heldCapacity() {
        synchronized (lock) {
            return pending.capacity() + (long) pendingChars.capacity();
        }
    }

    /**
     * The endpoint called {@code AsyncContext.dispatch()}. A filter declared without the
     * {@code ASYNC} dispatcher never sees that dispatch, so nothing could settle in time to let
     * held bytes out: until the dispatch passes the filter ({@link #holdAgain()}), each write
     * settles and goes through at once, and a declared {@code Content-Length} is passed on as set.
     */
    void settleAtFirstByte() {
        synchronized (lock) {
            dispatchUnseen = true;
            eager = true;
        }
    }

    /** The async dispatch passes the filter, which settles when it returns: hold again. */
    void holdAgain() {
        synchronized (lock) {
            dispatchUnseen = false;
            eager = false;
        }
    }

    /** {@return whether an async dispatch was asked for that never passed the filter} */
    boolean dispatchUnseen() {
        return dispatchUnseen;
    }

    /**
     * {@return whether body bytes are still held} After the container has completed the response
     * (as {@code AsyncListener.onComplete} runs), such bytes can no longer reach the client.
     */
    boolean holdsBody() {
        synchronized (lock) {
            return state == State.HOLDING && !head && (pending.size() > 0 || pendingChars.length() > 0);
        }
    }

    /** {@return the monitor that makes settlement and state changes atomic; see {@link #lock}} */
    Object lock() {
        return lock;
    }

    private static IOException replaced() {
        return new IOException("the response was replaced by Tollgate: its charge failed");
    }

    @Override
    public boolean isCommitted() {
        return state != State.HOLDING || super.isCommitted();
    }

    @Override
    public void flushBuffer() throws IOException {
        synchronized (lock) {
            if (deferFlush() || !open()) {
                return;
            }
            if (!head) {
                drain();
            }
        }
        super.flushBuffer();
    }

    /** A request with an Idempotency-Key keeps its whole reply for retries: its flush waits. */
    private boolean deferFlush() {
        // HEAD too: its body is never sent, and its recorded length must be the whole body's.
        return state == State.HOLDING && maxRecordedBytes >= 0 && !eager;
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        if (beforeSend(sc)) {
            super.sendError(sc, msg);
        }
    }

    @Override
    public void sendError(int sc) throws IOException {
        if (beforeSend(sc)) {
            super.sendError(sc);
        }
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        if (beforeSend(HttpServletResponse.SC_FOUND)) {
            super.sendRedirect(location);
        }
    }

    /** The container writes and sends its own page at once: settle for that status first. */
    private boolean beforeSend(int status) throws IOException {
        synchronized (lock) {
            if (state == State.HOLDING) {
                pending.reset(); // the container discards the buffer too
                pendingChars.setLength(0);
                overflow = true; // its page is not seen here: do not replay
                super.setStatus(status);
            }
            return open();
        }
    }

    @Override
    public void setStatus(int sc) {
        // Once bytes have left, the status they carried is the one that was settled.
        if (state == State.HOLDING) {
            super.setStatus(sc);
        }
    }

    // ------------------------------------------------------------------ Content-Length held back

    @Override
    public void setContentLength(int len) {
        setContentLengthLong(len);
    }

    @Override
    public void setContentLengthLong(long len) {
        if (passLength()) {
            super.setContentLengthLong(len);
        } else {
            declaredLength = len;
        }
    }

    @Override
    public void setHeader(String name, String value) {
        if (!passLength() && isContentLength(name)) {
            declaredLength = parseLength(value);
        } else {
            super.setHeader(name, value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        if (!passLength() && isContentLength(name)) {
            declaredLength = parseLength(value);
        } else {
            super.addHeader(name, value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        if (!passLength() && isContentLength(name)) {
            declaredLength = value;
        } else {
            super.setIntHeader(name, value);
        }
    }

    @Override
    public void addIntHeader(String name, int value) {
        if (!passLength() && isContentLength(name)) {
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

    /** {@return whether a declared length goes to the container as set} After release, or when settling at the first byte. */
    private boolean passLength() {
        return released || eager;
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
     * Lets the container finish the response, once the hold is settled: passes on the declared
     * {@code Content-Length} when it matches what was written and nothing was sent yet, then the
     * bytes still held. Does nothing after {@link #abandon()} or {@link #discard()}.
     *
     * @throws IOException if the container fails to take the bytes (the client went away)
     */
    void release() throws IOException {
        synchronized (lock) {
            releaseLocked();
        }
    }

    private void releaseLocked() throws IOException {
        if (released) {
            return;
        }
        released = true;
        if (state == State.CLOSED) {
            return;
        }
        if (head) {
            if (sink != null) {
                sink.countPending();
            }
            if (!super.isCommitted()) {
                long length = declaredLength >= 0 ? declaredLength : outputUsed ? written : -1;
                if (length >= 0) {
                    super.setContentLengthLong(length);
                }
            }
            state = State.OPEN;
            return;
        }
        if (declaredLength >= 0 && !super.isCommitted() && (bodyBytes() == declaredLength || !outputUsed)) {
            super.setContentLengthLong(declaredLength);
        }
        state = State.OPEN;
        // No flush here: flushing the container's buffer would commit the response before the
        // container has seen the end of it (it could no longer compute the length itself).
        drain();
    }

    /**
     * {@return how many body bytes the endpoint wrote, or -1 if unknown} Writer output is counted
     * in chars; while all of it is still held, its encoded length is computed here.
     */
    private long bodyBytes() {
        if (sink == null) {
            return written;
        }
        if (state != State.HOLDING) {
            return -1;
        }
        CharsetEncoder encoder = writerCharset.newEncoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        CharBuffer in = CharBuffer.wrap(pendingChars);
        ByteBuffer out = ByteBuffer.allocate(8192);
        long total = 0;
        for (boolean flushed = false; ; ) {
            CoderResult r = flushed ? encoder.flush(out) : encoder.encode(in, out, true);
            total += out.position();
            out.clear();
            if (r.isUnderflow()) {
                if (flushed) {
                    return total;
                }
                flushed = true;
            }
        }
    }

    /**
     * Gives the response up: Tollgate replaces it with a refusal written to the container's
     * response directly, so nothing held back here may reach it.
     */
    void abandon() {
        synchronized (lock) {
            released = true;
            drop();
        }
    }

    /**
     * Drops what is held: the endpoint failed, so the container answers with its error page
     * instead (or, when bytes have left already, aborts the response).
     */
    void discard() {
        synchronized (lock) {
            released = true;
            if (state == State.HOLDING) {
                drop();
            }
        }
    }

    /** {@return whether bytes of the endpoint have gone to the container} */
    boolean opened() {
        return state == State.OPEN;
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
        synchronized (lock) {
            clearLocked();
        }
    }

    private void clearLocked() {
        if (state == State.HOLDING) {
            if (head && sink != null) {
                sink.countPending(); // so the reset below drops what was written so far
            }
            written = 0;
            if (stream != null) {
                stream.closed = false;
            }
            if (sink != null) {
                sink.closed = false;
            }
            pending.reset();
            pendingChars.setLength(0);
            overflow = false;
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
     * Snapshots the response for replay. Called when the hold is committed, which is before any
     * byte has left: the body held so far is the whole body, unless it outgrew the bound.
     *
     * @param trustworthy false when output may have bypassed this wrapper
     * @return the response to keep
     */
    RecordedResponse record(boolean trustworthy) {
        synchronized (lock) {
            return recordLocked(trustworthy);
        }
    }

    private RecordedResponse recordLocked(boolean trustworthy) {
        byte[] body = pending.toByteArray();
        if (pendingChars.length() > 0) {
            byte[] encoded = pendingChars.toString().getBytes(writerCharset);
            byte[] joined = new byte[body.length + encoded.length];
            System.arraycopy(body, 0, joined, 0, body.length);
            System.arraycopy(encoded, 0, joined, body.length, encoded.length);
            body = joined;
        }
        boolean retained = maxRecordedBytes >= 0 && trustworthy && !overflow && state == State.HOLDING
                && body.length <= maxRecordedBytes;
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

    /**
     * Keeps the body of a {@code HEAD} response, which is counted, not sent, for its replays (they
     * give the same length).
     */
    private void keepForReplay(byte[] b, int off, int len, char[] c) {
        if (maxRecordedBytes < 0 || overflow) {
            return;
        }
        if (pending.size() + pendingChars.length() + (long) len > maxRecordedBytes) {
            overflow = true;
            pending.reset();
            pendingChars.setLength(0);
        } else if (b != null) {
            pending.write(b, off, len);
        } else {
            pendingChars.append(c, off, len);
        }
    }

    /** A byte buffer that tells its capacity, so that tests can see it let go. */
    private static final class HeldBytes extends ByteArrayOutputStream {
        HeldBytes() {
            super(0);
        }

        int capacity() {
            return buf.length;
        }
    }

    private final class Stream extends ServletOutputStream {
        private final ServletOutputStream out;
        private boolean closed;

        Stream(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("the response output stream is closed");
            }
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (state == State.OPEN && !head) {
                written += len;
                out.write(b, off, len); // settled: no lock on the streaming path
                return;
            }
            synchronized (lock) {
                written += len;
                if (head) {
                    keepForReplay(b, off, len, null);
                    return;
                }
                switch (state) {
                    case OPEN -> out.write(b, off, len);
                    case CLOSED -> throw replaced();
                    case HOLDING -> {
                        if (!eager && pending.size() + (long) len <= capacity()) {
                            pending.write(b, off, len);
                            return;
                        }
                        overflow = true;
                        if (!open()) {
                            throw replaced();
                        }
                        // One write, so that a non-blocking stream is written once per isReady().
                        pending.write(b, off, len);
                        pending.writeTo(out);
                        shrink();
                    }
                    default -> throw new IllegalStateException();
                }
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (lock) {
                if (closed || deferFlush()) {
                    return;
                }
                if (!open()) {
                    throw replaced();
                }
                if (!head) {
                    drain();
                }
            }
            out.flush();
        }

        @Override
        public void close() {
            // Closing would complete the response before settlement; the container closes it.
            closed = true;
        }

        @Override
        public boolean isReady() {
            return state == State.CLOSED || out.isReady();
        }

        @Override
        public void setWriteListener(WriteListener writeListener) {
            out.setWriteListener(writeListener);
        }
    }

    /**
     * Between the endpoint's PrintWriter and the container's: holds chars until settlement,
     * defers close. For {@code HEAD} it encodes into a counter instead. Its PrintWriter turns the
     * {@code IOException} of a replaced response into {@code checkError()}.
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
            if (state == State.OPEN && counter == null) {
                out.write(cbuf, off, len); // settled: no lock on the streaming path
                return;
            }
            synchronized (lock) {
                if (counter != null) {
                    counter.write(cbuf, off, len);
                    keepForReplay(null, off, len, cbuf);
                    return;
                }
                switch (state) {
                    case OPEN -> out.write(cbuf, off, len);
                    case CLOSED -> throw replaced();
                    case HOLDING -> {
                        if (!eager && pendingChars.length() + (long) len <= capacity()) {
                            pendingChars.append(cbuf, off, len);
                            return;
                        }
                        overflow = true;
                        if (!open()) {
                            throw replaced();
                        }
                        drain();
                        out.write(cbuf, off, len);
                    }
                    default -> throw new IllegalStateException();
                }
            }
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
        public void flush() throws IOException {
            synchronized (lock) {
                if (closed || deferFlush()) {
                    return;
                }
                if (!open()) {
                    throw replaced();
                }
                if (counter == null) {
                    drain();
                }
            }
            out.flush();
        }

        @Override
        public void close() {
            closed = true;
        }
    }
}
