package dev.tollgate.jaxrs;

import java.io.ByteArrayOutputStream;

/**
 * Holds a serialised entity up to a bound; beyond it the entity is written, not held (the writer is
 * stopped by {@link UncheckedOverflow}). One per response; not thread-safe.
 */
final class CappedBuffer extends ByteArrayOutputStream {
    private final int max;
    boolean overflowed;

    CappedBuffer(int max) {
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

    /** Stops a writer whose entity outgrows {@link CappedBuffer}. */
    static final class UncheckedOverflow extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedOverflow() {
            super("entity larger than the buffer", null, false, false);
        }
    }
}
