package dev.tollgate.internal;

import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Fingerprints a request that carries an {@code Idempotency-Key}: a SHA-256 over the method, the
 * matched servlet, the container-normalised path, the query, the content type and the body.
 *
 * <p>Multipart bodies are fingerprinted through the container's parts, so the endpoint can still
 * read them; any other body, forms included, is read as bytes (up to a bound) and handed to the
 * endpoint again through {@link PaidRequest}, which also answers the parameter methods from a form
 * it holds. A form whose stream was already consumed before Tollgate (another filter asked for a
 * parameter) is fingerprinted through the container's parameters instead.
 */
final class RequestFingerprint {

    private RequestFingerprint() {
    }

    /**
     * The digest, and the body when it had to be read to compute it.
     *
     * @param digest hex SHA-256
     * @param body the body bytes to hand to the endpoint again, or {@code null} when the container
     *     still has them (multipart, a form it parsed before Tollgate ran)
     */
    record Result(String digest, byte[] body) {
    }

    static Result of(HttpServletRequest request, String servletName, int maxBytes)
            throws IOException, ServletException, ContentTooLargeException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw new ContentTooLargeException(declared + " bytes");
        }
        MessageDigest md = sha256();
        field(md, request.getMethod());
        field(md, servletName);
        field(md, request.getServletPath());
        field(md, request.getPathInfo());
        field(md, request.getQueryString());
        String contentType = request.getContentType();
        field(md, contentType);
        String ct = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        byte[] body = null;
        if (ct.startsWith("multipart/") && multipartParts(request) != null) {
            long total = 0;
            for (Part p : multipartParts(request)) {
                field(md, p.getName());
                field(md, p.getSubmittedFileName());
                field(md, p.getContentType());
                total += p.getSize();
                if (total > maxBytes) {
                    throw new ContentTooLargeException(total + " bytes");
                }
                try (InputStream in = p.getInputStream()) {
                    field(md, in.readAllBytes());
                }
            }
        } else {
            // Forms too are fingerprinted by their raw bytes: reading them through the container's
            // parameters would leave nothing for an endpoint that reads the stream, and PaidRequest
            // serves both the bytes and the parameters parsed from them.
            body = readBody(request, ct, maxBytes);
            if (body == null) {
                formParameters(md, request);
            } else {
                field(md, body);
            }
        }
        return new Result(HexFormat.of().formatHex(md.digest()), body);
    }

    /**
     * Fingerprints a request whose endpoint reads the body from another stream than the servlet
     * request's (JAX-RS): the body is read from there, whatever its type.
     */
    static Result of(HttpServletRequest request, String servletName, int maxBytes, InputStream entity)
            throws IOException, ContentTooLargeException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            throw new ContentTooLargeException(declared + " bytes");
        }
        MessageDigest md = sha256();
        field(md, request.getMethod());
        field(md, servletName);
        field(md, request.getServletPath());
        field(md, request.getPathInfo());
        field(md, request.getQueryString());
        field(md, request.getContentType());
        byte[] body = readBounded(entity, maxBytes);
        field(md, body);
        return new Result(HexFormat.of().formatHex(md.digest()), body);
    }

    /**
     * The body bytes; or, for a form whose stream something before Tollgate already emptied by
     * asking the container for its parameters, {@code null}: the container then keeps serving them.
     */
    private static byte[] readBody(HttpServletRequest request, String ct, int maxBytes)
            throws IOException, ContentTooLargeException {
        boolean form = ct.startsWith("application/x-www-form-urlencoded");
        InputStream in;
        try {
            in = request.getInputStream();
        } catch (IllegalStateException e) {
            if (form) {
                return null;
            }
            throw e;
        }
        byte[] body = readBounded(in, maxBytes);
        return form && body.length == 0 && request.getContentLengthLong() != 0 ? null : body;
    }

    private static void formParameters(MessageDigest md, HttpServletRequest request) {
        Map<String, String[]> params = new TreeMap<>(request.getParameterMap());
        for (Map.Entry<String, String[]> e : params.entrySet()) {
            field(md, e.getKey());
            for (String v : e.getValue()) {
                field(md, v);
            }
        }
    }

    /** The container's parts, or null when the servlet has no multipart configuration. */
    private static List<Part> multipartParts(HttpServletRequest request) throws IOException, ServletException {
        try {
            return new ArrayList<>(request.getParts());
        } catch (IllegalStateException e) {
            return null;
        }
    }

    private static byte[] readBounded(InputStream in, int maxBytes) throws IOException, ContentTooLargeException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(maxBytes, 8192));
        byte[] buf = new byte[8192];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > maxBytes) {
                throw new ContentTooLargeException("over " + maxBytes + " bytes");
            }
            out.write(buf, 0, n);
        }
        return out.toByteArray();
    }

    private static void field(MessageDigest md, String s) {
        field(md, s == null ? null : s.getBytes(StandardCharsets.UTF_8));
    }

    private static void field(MessageDigest md, byte[] bytes) {
        // Length-prefixed, so ("ab","c") and ("a","bc") differ; null differs from empty.
        long n = bytes == null ? -1 : bytes.length;
        for (int i = 7; i >= 0; i--) {
            md.update((byte) (n >>> (8 * i)));
        }
        if (bytes != null) {
            md.update(bytes);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
