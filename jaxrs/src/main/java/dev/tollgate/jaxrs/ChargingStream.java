package dev.tollgate.jaxrs;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * Between an entity's writer and the runtime's stream: holds the first bytes, and lets them
 * through only once the hold is committed ({@link Opener#open}); when the charge failed instead, drops
 * the rest of the entity (the 503 has been sent in its place). One per response; not thread-safe.
 */
final class ChargingStream extends OutputStream {

    /** Charges the call when its first bytes must leave. */
    @FunctionalInterface
    interface Opener {
        /** {@return whether the entity's bytes may go out (false: a refusal was sent instead)} */
        boolean open() throws IOException;
    }

    private static final int BUFFER = 64 * 1024;
    private final OutputStream out;
    private final Opener opener;
    private final ByteArrayOutputStream held = new ByteArrayOutputStream();
    volatile boolean opened;
    private boolean dropped;

    ChargingStream(OutputStream out, Opener opener) {
        this.out = out;
        this.opener = opener;
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
            if (!opener.open()) {
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
