package dev.pmemspring.boot.autoconfigure.cache.app;

import org.springframework.boot.autoconfigure.AutoConfigurationPackage;
import org.springframework.context.annotation.Configuration;

/** Registers this package as the application's auto-configuration package, as @SpringBootApplication does. */
@Configuration(proxyBeanMethods = false)
@AutoConfigurationPackage
public class AppPackage {}
