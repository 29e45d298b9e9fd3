package dev.pmemspring.demo;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;

/**
 * Transfers under concurrent HTTP load, and {@code kill -9} at a random moment, several times. After
 * every restart the ledger balances, every acknowledged transfer is there (and no more than were
 * sent), and the pool's check is clean. The service pauses between the two legs of a transfer, so
 * kills land in the middle of transactions and recovery has work to do.
 */
class CrashUnderLoadIT {

    private static final int ACCOUNTS = 20;
    private static final long OPENING = 10_000;
    private static final int CLIENTS = 8;
    private static final Duration READY = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    @Test
    void ledgerStaysWholeAcrossKills() throws Exception {
        int kills = Integer.getInteger("demo.kills", 4);
        Path pool = dir.resolve("ledger.pool");
        Path log = DemoProcess.log("CrashUnderLoadIT");
        String[] args = {
            "--demo.ledger.accounts=" + ACCOUNTS,
            "--demo.ledger.initial-balance=" + OPENING,
            "--demo.ledger.pause-between-legs=2ms"
        };
        long acknowledged = 0; // answered 200: committed, so it must survive
        long uncertain = 0; // sent, but the answer was lost to the kill: either way is right
        long rolledBack = 0;
        for (int round = 0; round <= kills; round++) {
            try (DemoProcess demo = DemoProcess.start(pool, log, args).awaitReady(READY)) {
                JsonNode ledger = demo.get("/ledger");
                assertThat(ledger.get("accounts").asInt()).isEqualTo(ACCOUNTS);
                assertThat(ledger.get("total").asLong())
                        .as("total after restart %d", round)
                        .isEqualTo(ACCOUNTS * OPENING);
                assertThat(ledger.get("balanced").asBoolean()).isTrue();
                for (JsonNode balance : ledger.get("balances")) {
                    assertThat(balance.asLong()).isNotNegative();
                }
                long committed = ledger.get("transfers").asLong();
                assertThat(committed)
                        .as("committed transfers after restart %d", round)
                        .isBetween(acknowledged, acknowledged + uncertain);
                acknowledged = committed; // the uncertain ones are settled now
                uncertain = 0;

                JsonNode check = demo.get("/actuator/pmem/check");
                assertThat(check.get("clean").asBoolean())
                        .as("check after restart %d: %s", round, check)
                        .isTrue();
                rolledBack += demo.get("/actuator/pmem")
                        .get("lastRecovery")
                        .get("transactionsRolledBack")
                        .asLong();

                if (round == kills) {
                    assertThat(demo.stop()).isIn(0, 143);
                    break;
                }
                // one transfer first: the service's first request is slow (class loading), and the
                // kill should land among transfers, not before the first one
                demo.post("/ledger/transfers", "{\"from\":0,\"to\":1,\"amount\":1}");
                acknowledged++;
                Load load = new Load(demo);
                load.start();
                load.awaitAnswered(50, Duration.ofSeconds(30));
                DemoProcess.sleep(ThreadLocalRandom.current().nextLong(0, 1000));
                demo.kill();
                load.awaitEnd();
                assertThat(load.unexpected)
                        .as("unexpected answers in round %d", round)
                        .isEmpty();
                assertThat(load.ok.get())
                        .as("transfers answered in round %d", round)
                        .isPositive();
                acknowledged += load.ok.get();
                uncertain += load.unanswered.get();
            }
        }
        System.out.printf(
                "CrashUnderLoadIT: %d kills, %d transfers committed, %d transactions rolled back by" + " recovery%n",
                kills, acknowledged, rolledBack);
    }

    /** Clients that send random transfers as fast as answers come, until the service dies. */
    private static final class Load {
        final DemoProcess demo;
        final AtomicLong ok = new AtomicLong();
        final AtomicLong unanswered = new AtomicLong();
        final AtomicBoolean stop = new AtomicBoolean();
        final List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> threads = new ArrayList<>();

        Load(DemoProcess demo) {
            this.demo = demo;
        }

        void start() {
            for (int i = 0; i < CLIENTS; i++) {
                threads.add(Thread.ofVirtual().start(this::run));
            }
        }

        private void run() {
            ThreadLocalRandom random = ThreadLocalRandom.current();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (!stop.get() && System.nanoTime() < deadline) {
                int from = random.nextInt(ACCOUNTS);
                int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                String body = "{\"from\":" + from + ",\"to\":" + to + ",\"amount\":" + (1 + random.nextInt(500)) + "}";
                HttpRequest request = demo.request("/ledger/transfers")
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build();
                try {
                    HttpResponse<String> r = demo.send(request);
                    if (r.statusCode() == 200) {
                        ok.incrementAndGet();
                    } else if (r.statusCode() != 409 && r.statusCode() != 503) {
                        // 409: not enough money, 503: lock timeout; both rolled back
                        unexpected.add(r.statusCode() + ": " + r.body());
                    }
                } catch (java.io.IOException e) {
                    unanswered.incrementAndGet(); // the kill: this one may or may not have committed
                    stop.set(true);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        void awaitAnswered(long count, Duration timeout) {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (ok.get() < count && System.nanoTime() < deadline && unexpected.isEmpty()) {
                DemoProcess.sleep(10);
            }
        }

        void awaitEnd() throws InterruptedException {
            for (Thread t : threads) {
                t.join(Duration.ofSeconds(40));
            }
        }
    }
}
