/**
 * A Spring cache provider whose entries live in a pmem pool; the internals stay inside.
 */
module dev.pmemspring.cache {
    requires transitive dev.pmemspring.core;
    requires transitive spring.context;
    requires spring.beans;
    requires spring.core;
    requires org.apache.commons.logging;
    requires com.github.benmanes.caffeine;
    requires org.apache.fory.core;
    requires static transitive org.jspecify;
    // optional: the JSON serializer, and the meter binders
    requires static tools.jackson.databind;
    requires static micrometer.core;

    exports dev.pmemspring.cache;
    exports dev.pmemspring.cache.metrics;
    // the cache engine's encodings and serializer plumbing, shared with the JCache provider only
    exports dev.pmemspring.cache.internal to
            dev.pmemspring.jcache;
}
