package dev.tollgate.benchmarks;

import jakarta.servlet.http.HttpServletMapping;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.MappingMatch;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A request with just what Tollgate reads (method, matched servlet, headers, peer address,
 * attributes), for benchmarks that call the filter without a container in between. Not thread-safe.
 */
@SuppressWarnings("deprecation")
final class StubRequest implements HttpServletRequest {

    private final String method;
    private final HttpServletMapping mapping;
    private final String remoteAddr;
    private final Map<String, List<String>> headers = new HashMap<>();
    private final Map<String, Object> attributes = new HashMap<>(4);

    StubRequest(String method, String servletName, String remoteAddr) {
        this.method = method;
        this.remoteAddr = remoteAddr;
        this.mapping = new HttpServletMapping() {
            @Override
            public String getMatchValue() {
                return servletName;
            }

            @Override
            public String getPattern() {
                return "/api/" + servletName;
            }

            @Override
            public String getServletName() {
                return servletName;
            }

            @Override
            public MappingMatch getMappingMatch() {
                return MappingMatch.EXACT;
            }
        };
    }

    StubRequest header(String name, String value) {
        headers.put(name.toLowerCase(Locale.ROOT), List.of(value));
        return this;
    }

    /** Forgets per-request state, so one object can stand for many requests. */
    void reset() {
        attributes.clear();
    }

    @Override
    public HttpServletMapping getHttpServletMapping() {
        return mapping;
    }

    @Override
    public boolean authenticate(jakarta.servlet.http.HttpServletResponse p0) throws java.io.IOException, jakarta.servlet.ServletException {
        return false;
    }

    @Override
    public java.lang.String changeSessionId() {
        return null;
    }

    @Override
    public jakarta.servlet.AsyncContext getAsyncContext() {
        return null;
    }

    @Override
    public java.lang.Object getAttribute(java.lang.String p0) {
        return attributes.get(p0);
    }

    @Override
    public java.util.Enumeration<java.lang.String> getAttributeNames() {
        return null;
    }

    @Override
    public java.lang.String getAuthType() {
        return null;
    }

    @Override
    public java.lang.String getCharacterEncoding() {
        return null;
    }

    @Override
    public int getContentLength() {
        return -1;
    }

    @Override
    public long getContentLengthLong() {
        return -1;
    }

    @Override
    public java.lang.String getContentType() {
        return null;
    }

    @Override
    public java.lang.String getContextPath() {
        return null;
    }

    @Override
    public jakarta.servlet.http.Cookie[] getCookies() {
        return null;
    }

    @Override
    public long getDateHeader(java.lang.String p0) {
        return 0;
    }

    @Override
    public jakarta.servlet.DispatcherType getDispatcherType() {
        return jakarta.servlet.DispatcherType.REQUEST;
    }

    @Override
    public java.lang.String getHeader(java.lang.String p0) {
        java.util.List<String> v = headers.get(p0.toLowerCase(java.util.Locale.ROOT));
        return v == null ? null : v.get(0);
    }

    @Override
    public java.util.Enumeration<java.lang.String> getHeaderNames() {
        return null;
    }

    @Override
    public java.util.Enumeration<java.lang.String> getHeaders(java.lang.String p0) {
        java.util.List<String> v = headers.get(p0.toLowerCase(java.util.Locale.ROOT));
        return v == null ? java.util.Collections.emptyEnumeration() : java.util.Collections.enumeration(v);
    }

    @Override
    public jakarta.servlet.ServletInputStream getInputStream() throws java.io.IOException {
        return null;
    }

    @Override
    public int getIntHeader(java.lang.String p0) {
        return 0;
    }

    @Override
    public java.lang.String getLocalAddr() {
        return null;
    }

    @Override
    public java.lang.String getLocalName() {
        return null;
    }

    @Override
    public int getLocalPort() {
        return 0;
    }

    @Override
    public java.util.Locale getLocale() {
        return null;
    }

    @Override
    public java.util.Enumeration<java.util.Locale> getLocales() {
        return null;
    }

    @Override
    public java.lang.String getMethod() {
        return method;
    }

    @Override
    public java.lang.String getParameter(java.lang.String p0) {
        return null;
    }

    @Override
    public java.util.Map<java.lang.String, java.lang.String[]> getParameterMap() {
        return null;
    }

    @Override
    public java.util.Enumeration<java.lang.String> getParameterNames() {
        return null;
    }

    @Override
    public java.lang.String[] getParameterValues(java.lang.String p0) {
        return null;
    }

    @Override
    public jakarta.servlet.http.Part getPart(java.lang.String p0) throws java.io.IOException, jakarta.servlet.ServletException {
        return null;
    }

    @Override
    public java.util.Collection<jakarta.servlet.http.Part> getParts() throws java.io.IOException, jakarta.servlet.ServletException {
        return null;
    }

    @Override
    public java.lang.String getPathInfo() {
        return null;
    }

    @Override
    public java.lang.String getPathTranslated() {
        return null;
    }

    @Override
    public java.lang.String getProtocol() {
        return null;
    }

    @Override
    public java.lang.String getProtocolRequestId() {
        return null;
    }

    @Override
    public java.lang.String getQueryString() {
        return null;
    }

    @Override
    public java.io.BufferedReader getReader() throws java.io.IOException {
        return null;
    }

    @Override
    public java.lang.String getRemoteAddr() {
        return remoteAddr;
    }

    @Override
    public java.lang.String getRemoteHost() {
        return null;
    }

    @Override
    public int getRemotePort() {
        return 0;
    }

    @Override
    public java.lang.String getRemoteUser() {
        return null;
    }

    @Override
    public jakarta.servlet.RequestDispatcher getRequestDispatcher(java.lang.String p0) {
        return null;
    }

    @Override
    public java.lang.String getRequestId() {
        return null;
    }

    @Override
    public java.lang.String getRequestURI() {
        return "/api/" + mapping.getServletName();
    }

    @Override
    public java.lang.StringBuffer getRequestURL() {
        return null;
    }

    @Override
    public java.lang.String getRequestedSessionId() {
        return null;
    }

    @Override
    public java.lang.String getScheme() {
        return null;
    }

    @Override
    public java.lang.String getServerName() {
        return null;
    }

    @Override
    public int getServerPort() {
        return 0;
    }

    @Override
    public jakarta.servlet.ServletConnection getServletConnection() {
        return null;
    }

    @Override
    public jakarta.servlet.ServletContext getServletContext() {
        return null;
    }

    @Override
    public java.lang.String getServletPath() {
        return "/api/" + mapping.getServletName();
    }

    @Override
    public jakarta.servlet.http.HttpSession getSession() {
        return null;
    }

    @Override
    public jakarta.servlet.http.HttpSession getSession(boolean p0) {
        return null;
    }

    @Override
    public java.security.Principal getUserPrincipal() {
        return null;
    }

    @Override
    public boolean isAsyncStarted() {
        return false;
    }

    @Override
    public boolean isAsyncSupported() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        return false;
    }

    @Override
    public boolean isSecure() {
        return false;
    }

    @Override
    public boolean isUserInRole(java.lang.String p0) {
        return false;
    }

    @Override
    public void login(java.lang.String p0, java.lang.String p1) throws jakarta.servlet.ServletException {
        // not used
    }

    @Override
    public void logout() throws jakarta.servlet.ServletException {
        // not used
    }

    @Override
    public void removeAttribute(java.lang.String p0) {
        attributes.remove(p0);
    }

    @Override
    public void setAttribute(java.lang.String p0, java.lang.Object p1) {
        attributes.put(p0, p1);
    }

    @Override
    public void setCharacterEncoding(java.lang.String p0) throws java.io.UnsupportedEncodingException {
        // not used
    }

    @Override
    public jakarta.servlet.AsyncContext startAsync() throws java.lang.IllegalStateException {
        return null;
    }

    @Override
    public jakarta.servlet.AsyncContext startAsync(jakarta.servlet.ServletRequest p0, jakarta.servlet.ServletResponse p1) throws java.lang.IllegalStateException {
        return null;
    }

    @Override
    public <T extends jakarta.servlet.http.HttpUpgradeHandler> T upgrade(java.lang.Class<T> p0) throws java.io.IOException, jakarta.servlet.ServletException {
        return null;
    }

}
