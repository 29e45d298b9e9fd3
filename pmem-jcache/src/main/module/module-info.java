/**
 * A JCache (JSR-107) provider whose caches live in a pmem pool; the internals stay inside.
 */
module dev.pmemspring.jcache {
    // javax.cache:cache-api 1.1.1 declares no module name: its jar's name gives this one
    requires transitive cache.api;
    requires dev.pmemspring.cache;
    requires java.management;
    requires static transitive org.jspecify;

    exports dev.pmemspring.jcache;

    provides javax.cache.spi.CachingProvider with
            dev.pmemspring.jcache.PmemCachingProvider;
}
