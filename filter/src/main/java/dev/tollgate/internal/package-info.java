/**
 * Implementation of Tollgate. Not an API: anything here may change in any release.
 */
package dev.tollgate.internal;
