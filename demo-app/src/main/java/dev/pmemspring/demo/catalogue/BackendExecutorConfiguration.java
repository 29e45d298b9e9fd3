package dev.pmemspring.demo.catalogue;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Threads for the asynchronous back-end calls: virtual threads, since they only sleep. */
@Configuration(proxyBeanMethods = false)
class BackendExecutorConfiguration {

    @Bean(destroyMethod = "shutdownNow")
    ExecutorService backendExecutor() {
        return Executors.newThreadPerTaskExecutor(
                Thread.ofVirtual().name("backend-", 0).factory());
    }
}
