package dev.pmemspring.cache.internal;

import org.junit.jupiter.api.Test;

import java.io.Serial;
import java.io.Serializable;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static dev.pmemspring.cache.internal.ReferenceFreeClasses.isReferenceFree;
import static org.assertj.core.api.Assertions.assertThat;

class ReferenceFreeClassesTest {

    enum Side {
        BUY,
        SELL {
            @Override
            public String toString() {
                return "sell";
            }
        }
    }

    record Scalars(long id, String sku, int stock, Long boxed, char c, double d) {}

    record Dated(Instant at, LocalDate day, UUID id, TimeUnit unit, Side side) {}

    record Line(Scalars item, int count) {}

    record Order(Line first, Line second, Dated when) {}

    record Priced(String sku, BigDecimal price) {}

    record Listed(String sku, List<String> tags) {}

    record Bytes(byte[] data) {}

    record Anything(Object value) {}

    record Chain(String name, Chain next) {}

    record Outer(Inner inner) {}

    record Inner(String name, Outer back) {}

    /** A plain class of scalar fields: its own graph holds nothing shared. */
    static class Entity {
        long id;
        String name;
        transient List<Object> cache; // not written
    }

    static final class SubEntity extends Entity {
        Side side;
    }

    /** A field of a class that is not a record: a shared, mutable object. */
    static final class Holder {
        Entity entity;
    }

    static final class Replaced implements Serializable {
        String name;

        @Serial
        Object writeReplace() {
            return new ArrayList<>(List.of(name));
        }
    }

    record WithHook(String name) implements Serializable {
        @Serial
        private Object readResolve() {
            return this;
        }
    }

    /** Fory looks the hook up by name, static or not. */
    static final class StaticHook {
        String name;

        static Object writeReplace() {
            return List.of();
        }
    }

    class NotStatic {
        String name;

        String describe() {
            return name + " in " + ReferenceFreeClassesTest.this; // keeps the enclosing instance
        }
    }

    static final class Growing extends ArrayList<String> {}

    @Test
    void records_and_classes_of_scalars_and_such_records_are_reference_free() {
        assertThat(isReferenceFree(Scalars.class)).isTrue();
        assertThat(isReferenceFree(Dated.class)).isTrue();
        assertThat(isReferenceFree(Line.class)).isTrue();
        assertThat(isReferenceFree(Order.class))
                .as("one record in two components is two equal ones")
                .isTrue();
        assertThat(isReferenceFree(Entity.class))
                .as("its transient field is not written")
                .isTrue();
        assertThat(isReferenceFree(SubEntity.class)).isTrue();
        assertThat(isReferenceFree(Side.class)).isTrue();
    }

    @Test
    void anything_that_could_share_an_object_or_contain_itself_is_not() {
        assertThat(isReferenceFree(Priced.class)).as("BigDecimal is not final").isFalse();
        assertThat(isReferenceFree(Listed.class)).isFalse();
        assertThat(isReferenceFree(Bytes.class))
                .as("an array is mutable and shareable")
                .isFalse();
        assertThat(isReferenceFree(Anything.class)).isFalse();
        assertThat(isReferenceFree(Chain.class)).isFalse();
        assertThat(isReferenceFree(Outer.class)).isFalse();
        assertThat(isReferenceFree(Holder.class)).isFalse();
        assertThat(isReferenceFree(NotStatic.class))
                .as("it holds its enclosing instance")
                .isFalse();
        assertThat(isReferenceFree(Growing.class))
                .as("a JDK superclass's state")
                .isFalse();
        assertThat(isReferenceFree(ArrayList.class)).isFalse();
        assertThat(isReferenceFree(Object[].class)).isFalse();
        assertThat(isReferenceFree(Instant.class))
                .as("JDK classes as values: left to Fory's tracking")
                .isFalse();
    }

    @Test
    void classes_that_write_themselves_another_way_are_not() {
        assertThat(isReferenceFree(Replaced.class)).isFalse();
        assertThat(isReferenceFree(WithHook.class)).isFalse();
        assertThat(isReferenceFree(StaticHook.class)).isFalse();
        assertThat(isReferenceFree(Side.SELL.getClass()))
                .as("a constant's own class body")
                .isFalse();
    }
}
