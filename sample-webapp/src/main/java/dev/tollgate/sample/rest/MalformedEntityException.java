package dev.tollgate.sample.rest;

/**
 * A request entity that could not be read as the resource expects it; {@link MalformedEntityMapper}
 * answers it with a 400 problem, or a 413 when it was too large. The message is fixed text, never
 * the client's input.
 */
public class MalformedEntityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /** Whether the entity was refused for its size (413) rather than its content (400). */
    private final boolean tooLarge;

    /**
     * @param detail what is wrong, for the problem's {@code detail}
     */
    public MalformedEntityException(String detail) {
        this(detail, false);
    }

    /**
     * @param detail what is wrong, for the problem's {@code detail}
     * @param tooLarge whether the entity is refused for its size: a 413 {@code content-too-large}
     */
    public MalformedEntityException(String detail, boolean tooLarge) {
        super(detail, null, false, false); // a client mistake: no stack trace worth the cost
        this.tooLarge = tooLarge;
    }

    /** {@return whether the entity was refused for its size} */
    public boolean tooLarge() {
        return tooLarge;
    }
}
