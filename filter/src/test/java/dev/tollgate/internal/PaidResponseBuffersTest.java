package dev.tollgate.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.reflect.Proxy;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * Review of issue 9, S2: a keyed response holds up to {@code maxResponseBytes} until it settles;
 * once it streams, those buffers must be let go, not kept for the whole of a long stream.
 */
class PaidResponseBuffersTest {

    private static final int MAX_RECORDED = 1 << 20;
    private static final int CHUNK = 64 * 1024;

    /** A container response that counts what reaches it. */
    private static HttpServletResponse container(AtomicLong received) {
        ServletOutputStream stream = new ServletOutputStream() {
            @Override
            public void write(int b) {
                received.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                received.addAndGet(len);
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setWriteListener(WriteListener l) {
            }
        };
        PrintWriter writer = new PrintWriter(new Writer() {
            @Override
            public void write(char[] c, int off, int len) {
                received.addAndGet(len);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        });
        return (HttpServletResponse) Proxy.newProxyInstance(HttpServletResponse.class.getClassLoader(),
                new Class<?>[] {HttpServletResponse.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "getOutputStream" -> stream;
                    case "getWriter" -> writer;
                    case "getBufferSize" -> 32 * 1024;
                    case "getStatus" -> 200;
                    case "getCharacterEncoding" -> "UTF-8";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> method.getReturnType() == boolean.class ? false
                            : method.getReturnType() == int.class ? 0
                            : method.getReturnType() == long.class ? 0L : null;
                });
    }

    @Test
    void aStreamThatOutgrewTheReplayBoundLetsGoOfItsHeldBytes() throws Exception {
        AtomicLong received = new AtomicLong();
        PaidResponse out = new PaidResponse(container(received), MAX_RECORDED, false);
        out.gate(() -> true);
        OutputStream stream = out.getOutputStream();
        byte[] chunk = new byte[CHUNK];
        for (int i = 0; i < 64; i++) { // 4 MiB: held up to 1 MiB, then streamed
            stream.write(chunk);
        }
        assertEquals(64L * CHUNK, received.get());
        assertTrue(out.heldCapacity() < CHUNK, "still held: " + out.heldCapacity());
    }

    @Test
    void aWriterThatOutgrewTheReplayBoundLetsGoOfItsHeldChars() throws Exception {
        AtomicLong received = new AtomicLong();
        PaidResponse out = new PaidResponse(container(received), MAX_RECORDED, false);
        out.gate(() -> true);
        PrintWriter writer = out.getWriter();
        char[] chunk = new char[CHUNK];
        Arrays.fill(chunk, 'x');
        for (int i = 0; i < 64; i++) {
            writer.write(chunk);
        }
        writer.flush();
        assertEquals(64L * CHUNK, received.get());
        assertTrue(out.heldCapacity() < CHUNK, "still held: " + out.heldCapacity());
    }
}
