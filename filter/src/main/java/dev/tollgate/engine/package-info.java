/**
 * The engine API every adapter uses (the servlet filter, the Jakarta REST gate, later others):
 * <b>admit</b> a request, run the endpoint with its response held back, then <b>settle</b> the
 * call exactly once before any byte of a billable response leaves.
 *
 * <pre>{@code
 * Engine engine = tollgate.engine();
 * Admission a = engine.admit(endpoint, request, entity);
 * if (a instanceof Answer answer) { send(answer); return; }    // refused or replayed
 * Ticket ticket = (Ticket) a;                                  // add ticket.headers() to the response
 * ... run the endpoint, holding its bytes back ...
 * Settled s = ticket.settle(status, recorder, canReplace);     // exactly once commits or releases
 * // Settled.Deliver: send (with s.headers()); Settled.Replace: send s.answer() instead
 * }</pre>
 *
 * <p>Steps return decisions; they never write responses: turning an {@link dev.tollgate.engine.Answer}
 * into bytes is the adapter's job. Every type here is immutable or thread-safe as its Javadoc says;
 * none exposes an implementation type. A payment scheme (x402, the IETF "Payment" scheme) will plug
 * in below {@link dev.tollgate.engine.Ticket}: its offers become headers and members of an
 * {@link dev.tollgate.engine.Answer}, its settlement evidence the headers of
 * {@link dev.tollgate.engine.Settled.Deliver}, so adapters do not change.
 */
package dev.tollgate.engine;
