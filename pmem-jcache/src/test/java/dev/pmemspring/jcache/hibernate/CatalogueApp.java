package dev.pmemspring.jcache.hibernate;

import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;

import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The Boot application {@link HibernateSecondLevelCacheTest} runs as a child JVM: an H2 file
 * database, Hibernate with its second-level cache and query cache on the pmem JCache provider.
 * {@code seed} fills the table and the caches and exits; {@code update} reads everything, changes
 * one price, caches the query again, prints {@code READY} and waits to be killed; {@code read}
 * reads everything and prints the statements it took and the cache hits.
 */
@SpringBootApplication
public class CatalogueApp {

    static final int PRODUCTS = 20;
    static final String QUERY = "select p from Product p where p.priceCents > 0 order by p.id";

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        Path dir = Path.of(args[1]);
        SpringApplication app = new SpringApplication(CatalogueApp.class);
        app.setWebApplicationType(WebApplicationType.NONE);
        app.setDefaultProperties(Map.of(
                "spring.datasource.url", "jdbc:h2:file:" + dir.resolve("catalogue") + ";DB_CLOSE_ON_EXIT=FALSE",
                "spring.jpa.hibernate.ddl-auto", "update",
                "spring.jpa.open-in-view", "false",
                "spring.jpa.properties.hibernate.cache.use_second_level_cache", "true",
                "spring.jpa.properties.hibernate.cache.use_query_cache", "true",
                "spring.jpa.properties.hibernate.cache.region.factory_class", "jcache",
                "spring.jpa.properties.hibernate.javax.cache.uri",
                        dir.resolve("l2.pool").toUri().toString(),
                "spring.jpa.properties.hibernate.javax.cache.missing_cache_strategy", "create",
                "spring.jpa.properties.hibernate.generate_statistics", "true",
                "spring.main.banner-mode", "off"));
        ConfigurableApplicationContext context = app.run();
        EntityManagerFactory emf = context.getBean(EntityManagerFactory.class);
        Statistics stats = emf.unwrap(SessionFactory.class).getStatistics();
        switch (mode) {
            case "seed" -> {
                inTransaction(emf, em -> {
                    for (long id = 1; id <= PRODUCTS; id++) {
                        em.persist(new Product(id, "Product " + id, id * 100));
                    }
                });
                readAll(emf);
                query(emf);
                System.out.println("READY");
                context.close();
            }
            case "update" -> {
                readAll(emf);
                inTransaction(emf, em -> em.find(Product.class, 7L).setPriceCents(777_77));
                Thread.sleep(20); // the query is cached after the table's update timestamp
                query(emf);
                query(emf);
                // the database's own files on disk before the kill (through JDBC: a native query
                // through Hibernate would evict every cache region, not knowing what it touches)
                try (java.sql.Connection c =
                                context.getBean(javax.sql.DataSource.class).getConnection();
                        java.sql.Statement st = c.createStatement()) {
                    st.execute("CHECKPOINT SYNC");
                }
                System.out.println("READY");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE); // killed with kill -9 here
            }
            case "read" -> {
                stats.clear();
                List<Long> prices = readAll(emf);
                int rows = query(emf);
                System.out.println("PRICE7 " + prices.get(6));
                System.out.println("ROWS " + rows);
                System.out.println("STATEMENTS " + stats.getPrepareStatementCount());
                System.out.println("L2HITS " + stats.getSecondLevelCacheHitCount());
                System.out.println("QUERYHITS " + stats.getQueryCacheHitCount());
                System.out.println("READY");
                context.close();
            }
            default -> throw new IllegalArgumentException(mode);
        }
    }

    /** Each product by id, each in an entity manager of its own: a load from the second-level cache. */
    private static List<Long> readAll(EntityManagerFactory emf) {
        List<Long> prices = new java.util.ArrayList<>();
        for (long id = 1; id <= PRODUCTS; id++) {
            long key = id;
            prices.add(inEntityManager(emf, em -> em.find(Product.class, key).getPriceCents()));
        }
        return prices;
    }

    private static int query(EntityManagerFactory emf) {
        return inEntityManager(
                emf,
                em -> em.createQuery(QUERY, Product.class)
                        .setHint("org.hibernate.cacheable", true)
                        .getResultList()
                        .size());
    }

    private static <T> T inEntityManager(EntityManagerFactory emf, Function<EntityManager, T> work) {
        try (EntityManager em = emf.createEntityManager()) {
            return work.apply(em);
        }
    }

    private static void inTransaction(EntityManagerFactory emf, Consumer<EntityManager> work) {
        try (EntityManager em = emf.createEntityManager()) {
            em.getTransaction().begin();
            work.accept(em);
            em.getTransaction().commit();
        }
    }
}
