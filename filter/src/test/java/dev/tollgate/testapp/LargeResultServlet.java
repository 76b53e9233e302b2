package dev.tollgate.testapp;

import dev.tollgate.annotations.RequiresPayment;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.util.Arrays;

/**
 * A paid result far larger than any buffer: {@code ?mib=N} MiB (default 64) of {@code 'x'} in 64 KiB
 * writes, through the stream or ({@code ?writer=true}) the writer. {@code ?failAfterMib=N} throws
 * after N MiB; {@code ?flush=true} flushes after the first write.
 */
public class LargeResultServlet extends HttpServlet {
    private static final int CHUNK = 64 * 1024;

    @Override
    @RequiresPayment(price = "7")
    protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        int mib = req.getParameter("mib") == null ? 64 : Integer.parseInt(req.getParameter("mib"));
        int failAfter = req.getParameter("failAfterMib") == null ? -1
                : Integer.parseInt(req.getParameter("failAfterMib"));
        boolean flush = "true".equals(req.getParameter("flush"));
        resp.setContentType("text/plain");
        byte[] bytes = new byte[CHUNK];
        Arrays.fill(bytes, (byte) 'x');
        char[] chars = new char[CHUNK];
        Arrays.fill(chars, 'x');
        OutputStream out = "true".equals(req.getParameter("writer")) ? null : resp.getOutputStream();
        PrintWriter writer = out == null ? resp.getWriter() : null;
        int chunks = mib * 16;
        for (int i = 0; i < chunks; i++) {
            if (failAfter >= 0 && i == failAfter * 16) {
                throw new IllegalStateException("the report generator failed half-way (test)");
            }
            if (out != null) {
                out.write(bytes);
            } else {
                writer.write(chars);
                if (writer.checkError()) {
                    return; // the client went away (or the response was replaced)
                }
            }
            if (flush && i == 0) {
                resp.flushBuffer();
            }
        }
    }
}
