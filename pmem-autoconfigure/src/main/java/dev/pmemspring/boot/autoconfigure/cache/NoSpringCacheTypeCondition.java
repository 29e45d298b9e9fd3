package dev.pmemspring.boot.autoconfigure.cache;

import org.springframework.boot.autoconfigure.condition.ConditionOutcome;
import org.springframework.boot.autoconfigure.condition.SpringBootCondition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Matches when {@code spring.cache.type} is not set: setting it hands the choice of cache manager to
 * Spring Boot's own cache configuration (as {@code @AutoConfigureCache} does in tests with
 * {@code none}). Internal: not part of the public API.
 */
class NoSpringCacheTypeCondition extends SpringBootCondition {

    static final String PROPERTY = "spring.cache.type";

    @Override
    public ConditionOutcome getMatchOutcome(ConditionContext context, AnnotatedTypeMetadata metadata) {
        String type = context.getEnvironment().getProperty(PROPERTY);
        if (type != null) {
            return ConditionOutcome.noMatch(PROPERTY + " is set ('" + type + "'): Spring Boot's cache"
                    + " configuration of that type is used instead of the pmem cache");
        }
        return ConditionOutcome.match(PROPERTY + " is not set");
    }
}
