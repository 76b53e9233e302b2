/** Helpers of this module's packages; not API. */
package dev.tollgate.usage.internal;
