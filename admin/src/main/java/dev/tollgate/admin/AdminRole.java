package dev.tollgate.admin;

/** What an admin credential may do. */
public enum AdminRole {
    /** Reads accounts, statements and the OpenAPI document ({@code GET} and {@code HEAD}). */
    READ_ONLY,
    /** Everything {@link #READ_ONLY} may, and every change (open, credit, debit, grant, revoke). */
    READ_WRITE;

    /**
     * Reads a role from configuration text.
     *
     * @param text {@code read-only} or {@code read-write} (case-insensitive, {@code _} or {@code -})
     * @return the role
     * @throws IllegalArgumentException naming the text (cut short) if it is neither
     */
    public static AdminRole parse(String text) {
        String t = text == null ? "" : text.strip().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        return switch (t) {
            case "read-only", "ro", "read" -> READ_ONLY;
            case "read-write", "rw", "write" -> READ_WRITE;
            default -> throw new IllegalArgumentException("admin role must be read-only or read-write, not \""
                    + (t.length() <= 32 ? t : t.substring(0, 32) + "…") + "\"");
        };
    }
}
