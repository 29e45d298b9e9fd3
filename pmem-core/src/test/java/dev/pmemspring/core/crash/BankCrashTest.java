package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a JVM running concurrent bank transfers with {@code kill -9} at random moments and proves,
 * after every reopen: the total balance is unchanged, every account is whole, every thread's
 * receipt matches its committed sequence, nothing leaked, and every transaction acknowledged
 * before the kill is there.
 */
class BankCrashTest {

    private static final int KILLS = 2 * Integer.getInteger("pmem.crash.kills", 50);

    @TempDir
    Path dir;

    @Test
    void transfersAreAllOrNothingAcrossKills() throws Exception {
        Path path = dir.resolve("bank.pool");
        PmemPool.create(path, PoolOptions.layout(BankChild.LAYOUT).withSize(32L << 20))
                .close();
        Random random = new Random(7);
        long[] acked = new long[BankChild.THREADS];
        int rolledBack = 0;
        for (int kill = 0; kill < KILLS; kill++) {
            Durability durability = kill % 2 == 0 ? Durability.PROCESS : Durability.SYNC;
            List<String> lines;
            try (ChildJvm child = ChildJvm.start(
                    dir, BankChild.class, path.toString(), durability.name(), Long.toString(random.nextLong()))) {
                child.awaitReady();
                Thread.sleep(10 + random.nextInt(200));
                lines = child.kill();
            }
            for (String line : lines) {
                String[] p = line.split(" ");
                acked[Integer.parseInt(p[1])] = Math.max(acked[Integer.parseInt(p[1])], Long.parseLong(p[2]));
            }
            rolledBack += verify(path, acked, kill);
        }
        assertThat(rolledBack).as("some kills must land inside a transaction").isPositive();
    }

    private static int verify(Path path, long[] acked, int kill) {
        try (PmemPool pool =
                PmemPool.open(path, PoolOptions.layout(BankChild.LAYOUT).withDurability(Durability.PROCESS))) {
            MemoryBlock root = pool.root(BankChild.ROOT_SIZE);
            MemoryBlock table = pool.block(root.getLong(0));
            long total = 0;
            Set<Long> live = new HashSet<>();
            live.add(root.handle());
            live.add(table.handle());
            for (int i = 0; i < BankChild.ACCOUNTS; i++) {
                MemoryBlock account = pool.block(table.getLong(8L * i));
                assertThat(account.getLong(8))
                        .as("kill %d: account %d id", kill, i)
                        .isEqualTo(i);
                total += account.getLong(0);
                live.add(account.handle());
            }
            assertThat(pool.check().problems()).as("kill %d: check", kill).isEmpty();
            assertThat(total)
                    .as("kill %d: total balance", kill)
                    .isEqualTo(BankChild.START_BALANCE * BankChild.ACCOUNTS);
            for (int t = 0; t < BankChild.THREADS; t++) {
                long seq = root.getLong(8 + 16L * t);
                long receipt = root.getLong(16 + 16L * t);
                // Acknowledged means committed: it is there. At most the one in flight is beyond it.
                assertThat(seq).as("kill %d: thread %d sequence", kill, t).isBetween(acked[t], acked[t] + 1);
                acked[t] = seq;
                if (seq > 0) {
                    assertThat(pool.block(receipt).getLong(24))
                            .as("kill %d: thread %d receipt", kill, t)
                            .isEqualTo(seq);
                    live.add(receipt);
                } else {
                    assertThat(receipt).isZero();
                }
            }
            // Nothing leaked: every allocated block is reachable (none of these transactions is
            // large enough to extend its undo log into the heap).
            assertThat(pool.stats().objects())
                    .as("kill %d: allocated blocks", kill)
                    .isEqualTo(live.size());
            return pool.lastRecovery().transactionsRolledBack();
        }
    }
}
