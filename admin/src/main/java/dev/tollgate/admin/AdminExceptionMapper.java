package dev.tollgate.admin;

import dev.tollgate.spi.LedgerUnavailableException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;

/**
 * Answers every failure of an admin request with a problem: never a container error page, never an
 * exception's class name in a body. A client's mistake the ledger or {@link dev.tollgate.Money}
 * refused ({@link IllegalArgumentException}) is a 400 {@code malformed-request} (404 for an unknown
 * account), a state conflict ({@link IllegalStateException}: the account exists, funds are short) a
 * 409, an unavailable ledger a 503 with {@code Retry-After}; anything else a 500 whose cause stays in
 * the log.
 */
public final class AdminExceptionMapper implements ExceptionMapper<Throwable> {

    private static final System.Logger LOG = System.getLogger(AdminExceptionMapper.class.getName());
    /** The PostgreSQL ledger's "schema missing or wrong" error: unavailable, not a conflict. */
    private static final String SCHEMA_EXCEPTION = "dev.tollgate.ledger.postgresql.LedgerSchemaException";

    private final String typeBase;

    AdminExceptionMapper(String typeBase) {
        this.typeBase = typeBase;
    }

    @Override
    public Response toResponse(Throwable e) {
        if (e instanceof AdminProblem p) {
            return Problems.problem(typeBase, p);
        }
        if (e instanceof LedgerUnavailableException || e.getClass().getName().equals(SCHEMA_EXCEPTION)) {
            return Response.fromResponse(Problems.problem(typeBase, 503, "Service Unavailable", null,
                    "The ledger is unavailable.")).header("Retry-After", "5").build();
        }
        if (e instanceof WebApplicationException w) {
            int status = w.getResponse().getStatus();
            if (status >= 500) {
                LOG.log(System.Logger.Level.WARNING, "admin request failed", e);
            }
            Response.StatusType type = Response.Status.fromStatusCode(status);
            String title = type == null ? "Error" : type.getReasonPhrase();
            Response.ResponseBuilder r = Response.fromResponse(Problems.problem(typeBase, status, title, null,
                    status == 404 ? "No such admin resource." : title + "."));
            if (w.getResponse().getHeaderString("Allow") != null) {
                r.header("Allow", w.getResponse().getHeaderString("Allow"));
            }
            return r.build();
        }
        if (e instanceof IllegalArgumentException) {
            String m = e.getMessage();
            if (m != null && m.startsWith("no such account")) {
                return Problems.problem(typeBase, AdminProblem.notFound(m));
            }
            return Problems.problem(typeBase, AdminProblem.badRequest(m));
        }
        if (e instanceof IllegalStateException) {
            return Problems.problem(typeBase, AdminProblem.conflict(e.getMessage()));
        }
        LOG.log(System.Logger.Level.WARNING, "admin request failed", e);
        return Problems.problem(typeBase, 500, "Internal Server Error", null, "The admin request failed.");
    }
}
