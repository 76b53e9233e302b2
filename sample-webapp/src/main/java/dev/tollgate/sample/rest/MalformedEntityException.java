package dev.tollgate.sample.rest;

/**
 * A request entity that could not be read as the resource expects it; {@link MalformedEntityMapper}
 * answers it with a 400 problem. The message is fixed text, never the client's input.
 */
public class MalformedEntityException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * @param detail what is wrong, for the problem's {@code detail}
     */
    public MalformedEntityException(String detail) {
        super(detail, null, false, false); // a client mistake: no stack trace worth the cost
    }
}
