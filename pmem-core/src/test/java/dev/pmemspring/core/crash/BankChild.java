package dev.pmemspring.core.crash;

import dev.pmemspring.core.Durability;
import dev.pmemspring.core.MemoryBlock;
import dev.pmemspring.core.PmemPool;
import dev.pmemspring.core.PoolOptions;
import dev.pmemspring.core.TransactionLockTimeoutException;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.SplittableRandom;

/**
 * Transfers money between accounts in transactions, from several threads, until killed.
 *
 * <pre>
 * root: +0 accounts table handle, +8.. per thread: committed sequence, last receipt handle
 * account (16 B): balance, id
 * receipt (32 B): from, to, amount, sequence
 * </pre>
 *
 * Each transfer locks and snapshots both accounts, moves an amount, allocates a receipt, frees
 * the thread's previous receipt, and bumps the thread's sequence; after commit it prints
 * {@code C thread sequence}.
 */
public final class BankChild {

    static final String LAYOUT = "bank";
    static final int ACCOUNTS = 64;
    static final long START_BALANCE = 1000;
    static final int THREADS = 3;
    static final long ROOT_SIZE = 8 + 16L * THREADS;

    public static void main(String[] args) throws Exception {
        Path path = Path.of(args[0]);
        Durability durability = Durability.valueOf(args[1]);
        long seed = Long.parseLong(args[2]);
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), false);
        PmemPool pool = PmemPool.open(path, PoolOptions.layout(LAYOUT).withDurability(durability));
        MemoryBlock root = pool.root(ROOT_SIZE);
        if (root.getLong(0) == 0) {
            pool.transaction(tx -> {
                long table = tx.allocate(8L * ACCOUNTS);
                for (int i = 0; i < ACCOUNTS; i++) {
                    long account = tx.allocate(16);
                    MemoryBlock a = pool.block(account);
                    a.putLong(0, START_BALANCE);
                    a.putLong(8, i);
                    pool.block(table).putLong(8L * i, account);
                }
                tx.putLong(root.fieldHandle(0), table);
            });
        }
        MemoryBlock table = pool.block(root.getLong(0));
        out.println("READY");
        out.flush();
        for (int t = 0; t < THREADS; t++) {
            int thread = t;
            SplittableRandom random = new SplittableRandom(seed + t);
            Thread.ofPlatform().start(() -> {
                long seqField = root.fieldHandle(8 + 16L * thread);
                long receiptField = root.fieldHandle(16 + 16L * thread);
                while (true) {
                    int from = random.nextInt(ACCOUNTS);
                    int to = (from + 1 + random.nextInt(ACCOUNTS - 1)) % ACCOUNTS;
                    long amount = random.nextInt(100);
                    try {
                        long seq = pool.transactionResult(tx -> {
                            long a = table.getLong(8L * from);
                            long b = table.getLong(8L * to);
                            tx.snapshot(a, 8);
                            tx.snapshot(b, 8);
                            MemoryBlock fa = pool.block(a);
                            MemoryBlock fb = pool.block(b);
                            fa.putLong(0, fa.getLong(0) - amount);
                            fb.putLong(0, fb.getLong(0) + amount);
                            long next = root.getLong(8 + 16L * thread) + 1;
                            long receipt = tx.allocate(32);
                            MemoryBlock r = pool.block(receipt);
                            r.putLong(0, from);
                            r.putLong(8, to);
                            r.putLong(16, amount);
                            r.putLong(24, next);
                            long previous = root.getLong(16 + 16L * thread);
                            if (previous != 0) {
                                tx.free(previous);
                            }
                            tx.putLong(receiptField, receipt);
                            tx.putLong(seqField, next);
                            return next;
                        });
                        synchronized (out) {
                            out.println("C " + thread + " " + seq);
                            out.flush();
                        }
                    } catch (TransactionLockTimeoutException retry) {
                        // rolled back; try another transfer
                    }
                }
            });
        }
    }

    private BankChild() {}
}
