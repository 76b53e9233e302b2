package dev.tollgate.internal;

import dev.tollgate.engine.Answer;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The servlet side of an {@link Answer}: writes it to the container's response, and deals with the
 * request body nobody will read. Stateless and thread-safe.
 */
final class ResponseWriter {

    private static final System.Logger LOG = System.getLogger("dev.tollgate");

    /** Request bodies up to this size are read and dropped when Tollgate answers without the endpoint. */
    private static final int DRAIN_LIMIT = 64 * 1024;

    private ResponseWriter() {
    }

    /**
     * Writes an answer, unless the response is committed already (then it is logged).
     *
     * @param answer the answer
     * @param request the request
     * @param response the container's response
     * @throws IOException if writing fails
     */
    static void write(Answer answer, HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (response.isCommitted()) {
            LOG.log(System.Logger.Level.WARNING, "Cannot send {0}: the response is already committed",
                    answer.status());
            return;
        }
        response.resetBuffer();
        if (mustCloseAfterAnswer(request, null)) {
            response.setHeader("Connection", "close");
        }
        response.setStatus(answer.status());
        if (answer.contentType() != null) {
            response.setContentType(answer.contentType());
        }
        List<Map.Entry<String, String>> headers = answer.headers();
        for (int i = 0; i < headers.size(); i++) {
            Map.Entry<String, String> h = headers.get(i);
            // The first of a name replaces what the response had; later ones add to it.
            if (named(headers.subList(0, i), h.getKey())) {
                response.addHeader(h.getKey(), h.getValue());
            } else {
                response.setHeader(h.getKey(), h.getValue());
            }
        }
        writeBody(request, response, answer.body());
    }

    /** {@return whether a header of this name is in the list} (names compare ignoring case) */
    static boolean named(List<Map.Entry<String, String>> headers, String name) {
        for (Map.Entry<String, String> h : headers) {
            if (h.getKey().equalsIgnoreCase(name)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Reads and drops the unread body of a request answered without its endpoint, when it is small
     * and the client is not waiting for {@code 100 Continue}; else tells whether an HTTP/1.x
     * response must say {@code Connection: close}. A container that finds unread content after the
     * response may close the connection without warning, and the client's next request on it fails.
     *
     * @param request the request
     * @param body the stream the body is read from, or {@code null} for the servlet request's
     * @return whether the answer must close the connection
     */
    static boolean mustCloseAfterAnswer(HttpServletRequest request, InputStream body) {
        long length = request.getContentLengthLong();
        if (length == 0 || length < 0 && request.getHeader("Transfer-Encoding") == null) {
            return false;
        }
        // A client that sent "Expect: 100-continue" waits to be asked for the body: do not ask.
        if (length > 0 && length <= DRAIN_LIMIT && request.getHeader("Expect") == null) {
            try {
                InputStream in = body != null ? body : request.getInputStream();
                if (in.readNBytes(DRAIN_LIMIT + 1).length <= DRAIN_LIMIT) {
                    return false;
                }
            } catch (IllegalStateException | IOException readerInUseOrClientGone) {
                // fall through: close the connection instead
            }
        }
        String protocol = request.getProtocol();
        return protocol != null && protocol.startsWith("HTTP/1.");
    }

    /**
     * Writes a body Tollgate produced (a refusal or a replay). A {@code HEAD} response gets the
     * length and no bytes: not every container drops them (Payara Micro 6 sends them over h2c).
     */
    private static void writeBody(HttpServletRequest request, HttpServletResponse response, byte[] body)
            throws IOException {
        response.setContentLength(body.length);
        if ("HEAD".equals(request.getMethod())) {
            return;
        }
        ServletOutputStream out;
        try {
            out = response.getOutputStream();
        } catch (IllegalStateException writerInUse) {
            response.getWriter().write(new String(body, StandardCharsets.UTF_8));
            return;
        }
        out.write(body);
    }
}
