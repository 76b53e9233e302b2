package dev.tollgate.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;

/**
 * HTTP/1.1 over a plain socket, for what {@code HttpClient} hides: reading the start of a response
 * and then resetting the connection, or seeing whether a chunked response was ended or cut off.
 */
public final class RawHttp {

    private RawHttp() {
    }

    /**
     * Sends {@code GET} and returns the open socket.
     *
     * @param uri the target
     * @param headers name, value, name, value...
     * @return the socket, its response unread
     * @throws IOException if the connection fails
     */
    public static Socket get(URI uri, String... headers) throws IOException {
        Socket socket = new Socket(uri.getHost(), uri.getPort());
        socket.setSoTimeout(10_000);
        StringBuilder request = new StringBuilder("GET " + uri.getRawPath()
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()) + " HTTP/1.1\r\nHost: " + uri.getHost()
                + "\r\n");
        for (int i = 0; i < headers.length; i += 2) {
            request.append(headers[i]).append(": ").append(headers[i + 1]).append("\r\n");
        }
        request.append("\r\n");
        OutputStream out = socket.getOutputStream();
        out.write(request.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /**
     * Reads up to and including the blank line that ends the response head.
     *
     * @param in the socket's stream
     * @return the head
     * @throws IOException if reading fails
     */
    public static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        byte[] last = new byte[4];
        for (int b; (b = in.read()) >= 0; ) {
            head.write(b);
            System.arraycopy(last, 1, last, 0, 3);
            last[3] = (byte) b;
            if (last[0] == '\r' && last[1] == '\n' && last[2] == '\r' && last[3] == '\n') {
                break;
            }
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads until the server closes or resets the connection.
     *
     * @param in the socket's stream
     * @return the bytes received
     */
    public static byte[] readUntilClosed(InputStream in) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buf = new byte[64 * 1024];
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                body.write(buf, 0, n);
            }
        } catch (IOException reset) {
            // a reset is one way for a server to cut a response off
        }
        return body.toByteArray();
    }

    /**
     * Reads the first bytes after the head, then closes the connection with a reset (SO_LINGER 0),
     * as a client that took what it wanted and left.
     *
     * @param socket the socket
     * @param bytes how many body bytes to read first
     * @return the head
     * @throws IOException if reading fails
     */
    public static String readStartAndReset(Socket socket, int bytes) throws IOException {
        try (socket) {
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            if (in.readNBytes(bytes).length < bytes) {
                throw new IOException("the body ended early");
            }
            socket.setSoLinger(true, 0);
            return head;
        }
    }

    /**
     * {@return whether a chunked body ends with its last chunk} (a cut-off response does not)
     *
     * @param body the bytes after the head
     */
    public static boolean endsWithLastChunk(byte[] body) {
        int n = Math.min(16, body.length);
        return new String(body, body.length - n, n, StandardCharsets.US_ASCII).endsWith("0\r\n\r\n");
    }
}
