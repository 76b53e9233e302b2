/**
 * Annotations that put a price ({@link dev.tollgate.annotations.RequiresPayment}) and a rate
 * limit ({@link dev.tollgate.annotations.RateLimited}) on servlet endpoints.
 *
 * <p>This package depends on nothing but the JDK; the {@code tollgate-filter} artifact reads
 * the annotations when the web application starts and enforces them on every request.
 */
package dev.tollgate.annotations;
