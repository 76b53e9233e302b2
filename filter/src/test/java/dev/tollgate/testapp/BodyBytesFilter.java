package dev.tollgate.testapp;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Placed in front of Tollgate, counts what reaches the container's output (bytes through the
 * stream, chars through the writer) for the last request. Containers such as Jetty drop a HEAD
 * body themselves, so an HTTP client cannot see whether Tollgate sent one; this can.
 */
public class BodyBytesFilter extends HttpFilter {

    /** What the last request wrote towards the container. */
    public static final AtomicLong WRITTEN = new AtomicLong();

    @Override
    protected void doFilter(HttpServletRequest req, HttpServletResponse res, FilterChain chain)
            throws IOException, ServletException {
        WRITTEN.set(0);
        chain.doFilter(req, new HttpServletResponseWrapper(res) {
            private ServletOutputStream stream;
            private PrintWriter writer;

            @Override
            public ServletOutputStream getOutputStream() throws IOException {
                ServletOutputStream out = super.getOutputStream();
                if (stream == null) {
                    stream = new ServletOutputStream() {
                        @Override
                        public void write(int b) throws IOException {
                            WRITTEN.incrementAndGet();
                            out.write(b);
                        }

                        @Override
                        public void write(byte[] b, int off, int len) throws IOException {
                            WRITTEN.addAndGet(len);
                            out.write(b, off, len);
                        }

                        @Override
                        public boolean isReady() {
                            return out.isReady();
                        }

                        @Override
                        public void setWriteListener(WriteListener l) {
                            out.setWriteListener(l);
                        }
                    };
                }
                return stream;
            }

            @Override
            public PrintWriter getWriter() throws IOException {
                PrintWriter out = super.getWriter();
                if (writer == null) {
                    writer = new PrintWriter(new Writer() {
                        @Override
                        public void write(char[] c, int off, int len) {
                            WRITTEN.addAndGet(len);
                            out.write(c, off, len);
                        }

                        @Override
                        public void flush() {
                            out.flush();
                        }

                        @Override
                        public void close() {
                            out.close();
                        }
                    });
                }
                return writer;
            }
        });
    }
}
