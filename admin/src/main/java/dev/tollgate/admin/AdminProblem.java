package dev.tollgate.admin;

import dev.tollgate.Denial;

/**
 * An admin request refused with an RFC 9457 problem: thrown by the resources and the credential
 * check, answered by {@link AdminExceptionMapper}. The detail never carries unbounded client input.
 */
public final class AdminProblem extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String title;
    private final String typeSlug;

    AdminProblem(int status, String title, String typeSlug, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
        this.typeSlug = typeSlug;
    }

    /** A 400 {@code malformed-request}, as Tollgate's own refusals of bad input. */
    static AdminProblem badRequest(String detail) {
        return new AdminProblem(400, Denial.Kind.MALFORMED_REQUEST.title(), Denial.Kind.MALFORMED_REQUEST.slug(),
                detail);
    }

    static AdminProblem notFound(String detail) {
        return new AdminProblem(404, "Not Found", null, detail);
    }

    static AdminProblem conflict(String detail) {
        return new AdminProblem(409, "Conflict", null, detail);
    }

    /** {@return the HTTP status} */
    public int status() {
        return status;
    }

    /** {@return the problem's title} */
    public String title() {
        return title;
    }

    /** {@return the slug appended to the problem type base, or {@code null} for {@code about:blank}} */
    public String typeSlug() {
        return typeSlug;
    }
}
