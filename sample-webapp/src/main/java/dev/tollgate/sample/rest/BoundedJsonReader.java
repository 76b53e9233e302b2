package dev.tollgate.sample.rest;

import dev.tollgate.sample.JsonNesting;
import jakarta.json.JsonException;
import jakarta.json.bind.JsonbException;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.ext.Provider;
import jakarta.ws.rs.ext.ReaderInterceptor;
import jakarta.ws.rs.ext.ReaderInterceptorContext;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads JSON entities with bounded work and turns a body that is not JSON into a 400. Without it,
 * Jersey's JSON-B provider answers malformed JSON ({@code {bad}, {@code [1,}) with a 500, and
 * JSON nested 5,000 deep overflows the stack of the recursive JSON-B reader. The nesting is checked
 * while the parser reads ({@link JsonNesting#limit}), so the parser never sees a level too deep.
 * The bytes are counted as they are read: past {@value #MAX_BODY} the read fails and the answer
 * is a 413 {@code content-too-large} problem, as on the servlet half, whatever the body's declared
 * length (a chunked body declares none).
 */
@Provider
public class BoundedJsonReader implements ReaderInterceptor {

    /** The most bytes of JSON read, as {@code /api}: {@value}. */
    static final int MAX_BODY = 64 * 1024;

    @Override
    public Object aroundReadFrom(ReaderInterceptorContext context) throws IOException {
        MediaType type = context.getMediaType();
        if (type == null || !(type.getSubtype().equals("json") || type.getSubtype().endsWith("+json"))) {
            return context.proceed();
        }
        context.setInputStream(JsonNesting.limit(new Counted(context.getInputStream())));
        try {
            return context.proceed();
        } catch (JsonNesting.TooDeepException e) {
            throw tooDeep();
        } catch (TooLargeException e) {
            throw tooLarge();
        } catch (ProcessingException | JsonbException | JsonException e) {
            // The providers wrap what the parser met: a body too large or nested too deep, or not JSON.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof JsonNesting.TooDeepException) {
                    throw tooDeep();
                }
                if (t instanceof TooLargeException) {
                    throw tooLarge();
                }
            }
            throw new MalformedEntityException("The body is not the JSON this endpoint reads.");
        }
    }

    private static MalformedEntityException tooLarge() {
        return new MalformedEntityException("The body is larger than " + MAX_BODY + " bytes.", true);
    }

    private static MalformedEntityException tooDeep() {
        return new MalformedEntityException("The body nests arrays and objects deeper than " + JsonNesting.MAX_DEPTH
                + " levels.");
    }

    /** Thrown by {@link Counted} past {@link #MAX_BODY} bytes. */
    private static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException() {
            super("entity too large", null);
        }
    }

    /** Fails a read that would take the count past {@link #MAX_BODY}. */
    private static final class Counted extends FilterInputStream {
        private long count;

        Counted(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                add(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = super.skip(n);
            add(skipped);
            return skipped;
        }

        private void add(long n) throws TooLargeException {
            count += n;
            if (count > MAX_BODY) {
                throw new TooLargeException();
            }
        }
    }
}
