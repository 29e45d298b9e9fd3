package dev.pmemspring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import java.util.stream.IntStream;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;
import tools.jackson.databind.JsonNode;

/**
 * The warm-restart test with the service in a container and its pool on a Docker volume, as it
 * would be deployed: warm, {@code docker kill --signal KILL}, a new container on the same volume,
 * and every item comes from the cache. Skipped where no Docker engine is present.
 */
@Testcontainers(disabledWithoutDocker = true)
class ContainerRestartIT {

    private static final DockerImageName JRE = DockerImageName.parse("eclipse-temurin:25-jre");
    private static final int ITEMS = 20;

    private final String volume = "pmem-demo-it-" + UUID.randomUUID();
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void removeVolume() {
        try {
            DockerClientFactory.instance().client().removeVolumeCmd(volume).exec();
        } catch (RuntimeException e) {
            // already gone, or still held: Docker prunes it later
        }
    }

    @Test
    void containerKilledAndReplacedComesBackWarm() throws Exception {
        try (GenericContainer<?> first = service()) {
            first.start();
            for (int i = 0; i < ITEMS; i++) {
                get(first, "/products/c" + i);
            }
            assertThat(get(first, "/backend").get("productLookups").asLong()).isEqualTo(ITEMS);
            DockerClient docker = DockerClientFactory.instance().client();
            docker.killContainerCmd(first.getContainerId()).withSignal("KILL").exec();
        }
        try (GenericContainer<?> second = service()) {
            second.start();
            IntStream.range(0, ITEMS).forEach(i -> get(second, "/products/c" + i));
            assertThat(get(second, "/backend").get("calls").asLong()).isZero();
            assertThat(get(second, "/actuator/pmem/check").get("clean").asBoolean())
                    .isTrue();
        }
    }

    private GenericContainer<?> service() {
        return new GenericContainer<>(JRE)
                .withCopyFileToContainer(MountableFile.forHostPath(DemoProcess.jar()), "/app/demo.jar")
                .withCreateContainerCmdModifier(
                        cmd -> cmd.getHostConfig().withBinds(new Bind(volume, new Volume("/data"))))
                .withCommand(
                        "java",
                        "--enable-native-access=ALL-UNNAMED",
                        "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
                        "-jar",
                        "/app/demo.jar",
                        "--pmem.pool.path=/data/demo.pool",
                        "--pmem.pool.size=64MB")
                .withExposedPorts(8080)
                .waitingFor(
                        Wait.forHttp("/actuator/health").forStatusCode(200).withStartupTimeout(Duration.ofMinutes(3)));
    }

    private JsonNode get(GenericContainer<?> container, String path) {
        URI uri = URI.create("http://" + container.getHost() + ":" + container.getMappedPort(8080) + path);
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).as("GET %s: %s", path, r.body()).isEqualTo(200);
            return DemoProcess.JSON.readTree(r.body());
        } catch (java.io.IOException e) {
            throw new AssertionError("GET " + uri + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
