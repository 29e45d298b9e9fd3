package dev.pmemspring.jcache.internal;

import java.lang.management.ManagementFactory;
import java.net.URI;

import javax.cache.CacheException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;

/**
 * Registers a cache's MBeans in the platform MBean server under the names JSR-107 gives them:
 * {@code javax.cache:type=CacheConfiguration|CacheStatistics,CacheManager=<uri>,Cache=<name>},
 * with ',', ':', '=' and line breaks in the URI and the name replaced by '.'.
 */
final class ManagementBeans {

    enum Kind {
        CONFIGURATION("CacheConfiguration"),
        STATISTICS("CacheStatistics");

        private final String type;

        Kind(String type) {
            this.type = type;
        }
    }

    private ManagementBeans() {}

    static ObjectName name(Kind kind, URI manager, String cache) {
        try {
            return new ObjectName("javax.cache:type=" + kind.type + ",CacheManager=" + safe(manager.toString())
                    + ",Cache=" + safe(cache));
        } catch (MalformedObjectNameException e) {
            throw new CacheException("no MBean name for cache '" + cache + "': " + e.getMessage(), e);
        }
    }

    static void register(Kind kind, URI manager, String cache, Object bean) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = name(kind, manager, cache);
        try {
            if (!server.isRegistered(name)) {
                server.registerMBean(bean, name);
            }
        } catch (JMException e) {
            throw new CacheException("cannot register MBean " + name + ": " + e.getMessage(), e);
        }
    }

    static void unregister(Kind kind, URI manager, String cache) {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName name = name(kind, manager, cache);
        try {
            if (server.isRegistered(name)) {
                server.unregisterMBean(name);
            }
        } catch (InstanceNotFoundException e) {
            // gone meanwhile: what was asked for
        } catch (JMException e) {
            throw new CacheException("cannot unregister MBean " + name + ": " + e.getMessage(), e);
        }
    }

    private static String safe(String s) {
        return s.replaceAll("[,:=\n]", ".");
    }
}
