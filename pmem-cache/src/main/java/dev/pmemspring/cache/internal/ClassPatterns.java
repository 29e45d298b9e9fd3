package dev.pmemspring.cache.internal;

import java.util.List;

/**
 * Class-name patterns in {@link java.io.ObjectInputFilter}'s syntax: {@code com.example.Quote} one
 * class, {@code com.example.*} a package, {@code com.example.**} a package and its subpackages,
 * {@code com.example.Qu*} a name prefix.
 */
public final class ClassPatterns {

    /**
     * What the binary serializers read besides the patterns they are given: the JDK's value
     * classes and Spring's cache key; {@code java.io.Serializable} is an interface, only ever met as
     * the element type of an array (Hibernate's cache entries are {@code Serializable[]}), whose
     * elements are checked on their own.
     */
    public static final List<String> STANDARD = List.of(
            "java.lang.*",
            "java.io.Serializable",
            "java.util.**",
            "java.time.**",
            "java.math.*",
            "java.net.URI",
            "java.net.URL",
            "org.springframework.cache.interceptor.SimpleKey");

    private final List<String> patterns;

    public ClassPatterns(List<String> patterns) {
        for (String p : patterns) {
            if (p.isBlank() || p.startsWith("!") || p.contains(";") || p.contains("=") || p.contains("/")) {
                throw new IllegalArgumentException("'" + p + "' is not a class pattern: use a class name, "
                        + "'package.*', 'package.**' or 'prefix*'");
            }
        }
        this.patterns = List.copyOf(patterns);
    }

    public List<String> patterns() {
        return patterns;
    }

    public boolean matches(String className) {
        for (String p : patterns) {
            if (matches(p, className)) {
                return true;
            }
        }
        return false;
    }

    private static boolean matches(String pattern, String name) {
        if (pattern.endsWith(".**")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 2));
        }
        if (pattern.endsWith(".*")) {
            String pkg = pattern.substring(0, pattern.length() - 1);
            return name.startsWith(pkg) && name.indexOf('.', pkg.length()) < 0;
        }
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return name.equals(pattern);
    }
}
