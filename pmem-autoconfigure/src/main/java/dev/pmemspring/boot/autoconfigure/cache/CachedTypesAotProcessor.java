package dev.pmemspring.boot.autoconfigure.cache;

import dev.pmemspring.cache.CacheRuntimeHints;

import java.lang.reflect.Modifier;
import java.util.LinkedHashSet;
import java.util.Set;

import org.jspecify.annotations.Nullable;
import org.springframework.beans.factory.aot.BeanRegistrationAotContribution;
import org.springframework.beans.factory.aot.BeanRegistrationAotProcessor;
import org.springframework.beans.factory.support.RegisteredBean;
import org.springframework.cache.annotation.CachePut;
import org.springframework.cache.annotation.Cacheable;
import org.springframework.cache.annotation.Caching;
import org.springframework.core.ResolvableType;
import org.springframework.core.annotation.MergedAnnotation;
import org.springframework.core.annotation.MergedAnnotations;
import org.springframework.util.ClassUtils;
import org.springframework.util.ReflectionUtils;

/**
 * At build time (Spring's AOT processing), finds the beans whose methods put values into caches
 * ({@code @Cacheable}, {@code @CachePut}, on the method or the class) and registers their return
 * and parameter types with {@link CacheRuntimeHints#registerCachedTypes}, so that a native image
 * can write and read them and build keys from them. A method's declared type is what is seen: a
 * subclass it returns needs the application's own registrar (see {@link CacheRuntimeHints}).
 */
final class CachedTypesAotProcessor implements BeanRegistrationAotProcessor {

    @Override
    public @Nullable BeanRegistrationAotContribution processAheadOfTime(RegisteredBean bean) {
        Class<?> beanClass = ClassUtils.getUserClass(bean.getBeanClass());
        Set<Class<?>> types = cachedTypes(beanClass);
        if (types.isEmpty()) {
            return null;
        }
        Class<?>[] found = types.toArray(Class<?>[]::new);
        return (generation, code) -> CacheRuntimeHints.registerCachedTypes(generation.getRuntimeHints(), found);
    }

    static Set<Class<?>> cachedTypes(Class<?> beanClass) {
        boolean wholeClass = puts(MergedAnnotations.from(beanClass, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY));
        Set<Class<?>> types = new LinkedHashSet<>();
        ReflectionUtils.doWithMethods(
                beanClass,
                method -> {
                    if (method.isBridge() || method.isSynthetic() || Modifier.isStatic(method.getModifiers())) {
                        return;
                    }
                    boolean annotated =
                            puts(MergedAnnotations.from(method, MergedAnnotations.SearchStrategy.TYPE_HIERARCHY));
                    if (annotated || (wholeClass && Modifier.isPublic(method.getModifiers()))) {
                        collect(ResolvableType.forMethodReturnType(method, beanClass), types);
                        for (int i = 0; i < method.getParameterCount(); i++) {
                            collect(ResolvableType.forMethodParameter(method, i, beanClass), types);
                        }
                    }
                },
                method -> method.getDeclaringClass() != Object.class);
        return types;
    }

    private static boolean puts(MergedAnnotations annotations) {
        MergedAnnotation<Caching> caching = annotations.get(Caching.class);
        return annotations.isPresent(Cacheable.class)
                || annotations.isPresent(CachePut.class)
                || (caching.isPresent()
                        && (caching.getAnnotationArray("cacheable", Cacheable.class).length > 0
                                || caching.getAnnotationArray("put", CachePut.class).length > 0));
    }

    /** The classes a declared type is made of: Optional&lt;Quote&gt; gives Optional and Quote. */
    private static void collect(ResolvableType type, Set<Class<?>> into) {
        Class<?> raw = type.resolve();
        if (raw == null || raw == void.class) {
            return;
        }
        if (raw.isArray()) {
            collect(type.getComponentType(), into);
            return;
        }
        into.add(raw);
        for (ResolvableType generic : type.getGenerics()) {
            collect(generic, into);
        }
    }
}
