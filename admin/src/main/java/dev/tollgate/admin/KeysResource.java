package dev.tollgate.admin;

import dev.tollgate.ledger.IssuedKey;
import dev.tollgate.ledger.KeyAdministration;
import dev.tollgate.spi.ApiKey;
import jakarta.servlet.ServletContext;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.Map;

/**
 * Keys by their id: read, revoke, rotate with a grace period. Issuing and listing an account's keys
 * are under {@code accounts/{id}/keys} ({@link AccountsResource}). A secret appears in a response
 * only once, when a key is issued or rotated; lists and reads show its display prefix.
 */
@Path("keys")
public final class KeysResource {

    private final Object fixed;
    private final Clock clock;

    @Context
    private ServletContext servletContext;

    /**
     * Made by {@link TollgateAdmin#components()}.
     *
     * @param fixed the ledger, or {@code null} for the deployment's Tollgate ledger
     * @param clock the clock that tells whether a key is usable now
     */
    public KeysResource(Object fixed, Clock clock) {
        this.fixed = fixed;
        this.clock = clock;
    }

    /**
     * Reads a key.
     *
     * @param keyId the key's id
     * @return the key (prefix, name, times, whether usable now)
     */
    @GET
    @Path("{keyId}")
    public Response get(@PathParam("keyId") String keyId) {
        ApiKey k = keys().key(KeyViews.keyId(keyId)).orElseThrow(() -> AdminProblem.notFound("no such key"));
        return AccountsResource.ok(KeyViews.view(k, clock.instant()));
    }

    /**
     * Revokes a key now.
     *
     * @param keyId the key's id
     * @param security who is asking
     * @return the key afterwards
     */
    @POST
    @Path("{keyId}/revoke")
    public Response revoke(@PathParam("keyId") String keyId, @Context SecurityContext security) {
        KeyAdministration keys = keys();
        keys.key(KeyViews.keyId(keyId)).orElseThrow(() -> AdminProblem.notFound("no such key"));
        ApiKey k = keys.revokeKey(keyId, AccountsResource.actor(security));
        KeyViews.audit(AccountsResource.actor(security), "revoked key", keyId);
        return AccountsResource.ok(KeyViews.view(k, clock.instant()));
    }

    /**
     * Rotates a key: {@code {"graceSeconds":86400,"live":true}}; the old key keeps working for the
     * grace period.
     *
     * @param keyId the key to replace
     * @param body the request body (may be {@code {}})
     * @param security who is asking
     * @param uri the request's URI
     * @return 201 with the new key and, this once, its secret
     * @throws IOException if the body cannot be read
     */
    @POST
    @Path("{keyId}/rotate")
    public Response rotate(@PathParam("keyId") String keyId, InputStream body, @Context SecurityContext security,
                           @Context UriInfo uri) throws IOException {
        KeyAdministration keys = keys();
        keys.key(KeyViews.keyId(keyId)).orElseThrow(() -> AdminProblem.notFound("no such key"));
        Map<String, Object> b = JsonBody.read(body);
        IssuedKey k = keys.rotateKey(keyId, KeyViews.grace(b), KeyViews.live(b), AccountsResource.actor(security));
        KeyViews.audit(AccountsResource.actor(security), "rotated key " + keyId + " to", k.key().id());
        return Response.created(uri.getBaseUriBuilder().path("keys").segment(k.key().id()).build())
                .type(Problems.JSON).header("Cache-Control", "no-store")
                .entity(Problems.json(KeyViews.issued(k, clock.instant()))).build();
    }

    private KeyAdministration keys() {
        return KeyViews.keys(KeyViews.ledger(fixed, servletContext));
    }
}
