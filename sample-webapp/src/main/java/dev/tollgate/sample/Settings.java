package dev.tollgate.sample;

/**
 * The sample's settings: a system property, else an environment variable of the same name. A system
 * property set to the empty string hides the environment variable (tests use that to run hermetically).
 */
final class Settings {

    private Settings() {
    }

    static String get(String name) {
        String v = System.getProperty(name);
        if (v == null) {
            v = System.getenv(name);
        }
        return v == null || v.isBlank() ? null : v.strip();
    }

    static String get(String name, String fallback) {
        String v = get(name);
        return v == null ? fallback : v;
    }
}
