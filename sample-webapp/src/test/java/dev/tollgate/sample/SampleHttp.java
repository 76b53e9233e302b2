package dev.tollgate.sample;

import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.spec.WebArchive;

/** HTTP and JSON for the sample's integration tests that talk to one deployed WAR. Thread-safe. */
final class SampleHttp {

    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private static final Jsonb JSONB = JsonbBuilder.create();

    private SampleHttp() {
    }

    /**
     * Makes the next deployment in this JVM hermetic: the in-memory ledger, local limits, and the admin
     * pages on with {@code adminKey}. Call from the test class's static initializer; undo with
     * {@link #leaveHermetic()}.
     */
    static void hermetic(String adminKey) {
        System.setProperty("TOLLGATE_JDBC_URL", "");
        System.setProperty("TOLLGATE_ADMIN_KEY", adminKey);
        System.setProperty("TOLLGATE_RATELIMIT_STORE", "");
    }

    /** Clears what {@link #hermetic(String)} set. */
    static void leaveHermetic() {
        System.clearProperty("TOLLGATE_JDBC_URL");
        System.clearProperty("TOLLGATE_ADMIN_KEY");
        System.clearProperty("TOLLGATE_RATELIMIT_STORE");
    }

    /** {@return the sample WAR the build made ({@code sample.war}, or {@code target/sample-webapp.war})} */
    static WebArchive war() {
        return ShrinkWrap.createFromZipFile(WebArchive.class,
                new File(System.getProperty("sample.war", "target/sample-webapp.war")));
    }

    /**
     * Sends a request to the deployment at {@code base}; a body is sent as {@code application/json}.
     *
     * @param headers name, value, name, value, …
     */
    static HttpResponse<String> send(URL base, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toExternalForm().replaceAll("/$", "") + path))
                .timeout(Duration.ofSeconds(60))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** {@return the JSON object of a response body} */
    @SuppressWarnings("unchecked")
    static Map<String, Object> json(HttpResponse<String> r) {
        return JSONB.fromJson(r.body(), Map.class);
    }

    /**
     * {@return the id of the sample's account whose demo key is {@code key}: the fixed id chosen in
     * {@code WEB-INF/demo-keys.properties}, {@code acct_demo_gold} for {@code demo-gold}} Never derived
     * from the key's hash.
     *
     * @param key a demo key
     */
    static String accountIdOf(String key) {
        return switch (key) {
            case "demo-gold" -> "acct_demo_gold";
            case "demo-silver" -> "acct_demo_silver";
            case "demo-empty" -> "acct_demo_empty";
            case "demo-plan" -> "acct_demo_plan";
            default -> throw new IllegalArgumentException("not a demo key");
        };
    }

    /**
     * {@return SHA-256 of a key's UTF-8 bytes as 64 lower-case hex digits, as {@code ApiKey.hash}} Computed
     * here because the containers' test class paths hold the WAR, not the filter JAR.
     *
     * @param key a key
     */
    static String sha256Hex(String key) {
        try {
            byte[] d = java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return java.util.HexFormat.of().formatHex(d);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
