package dev.pmemspring.core.internal.heap;

import dev.pmemspring.core.internal.file.PoolLayout;
import dev.pmemspring.core.internal.log.RedoBatch;

/**
 * A block of the heap, reserved or being freed, as one of the heap's two kinds of block; each kind
 * carries its own operations, as PMDK's {@code memblock.c} has one operations table per kind:
 *
 * <ul>
 *   <li>a {@link Unit} of a run, whose persistent state is one bit of the run's bitmap;
 *   <li>a {@link Span} of whole chunks, whose persistent state is its chunk header.
 * </ul>
 *
 * The {@code add...} operations put the persistent change into a redo batch; the others update the
 * heap's volatile state once the batch is committed (or given up). {@link Heap} makes the blocks
 * and is the only caller of the operations.
 */
public sealed interface Block permits Block.Unit, Block.Span {

    /** Pool offset of the block. */
    long handle();

    /** Usable size in bytes. */
    long size();

    /** Adds the change that marks the block allocated. */
    void addAllocate(Heap heap, RedoBatch batch);

    /** Adds the change that marks the block free. */
    void addFree(Heap heap, RedoBatch batch);

    /** The allocating batch was committed. */
    void allocated(Heap heap);

    /** The allocating batch was never committed: the space goes back. */
    void allocationCancelled(Heap heap);

    /** The freeing batch was committed: the space becomes available. */
    void freed(Heap heap);

    /** The freeing batch was never committed: the block stays allocated. */
    void freeAbandoned(Heap heap);

    /** The persistent word that says whether the block is allocated, for transactions. */
    StateWord stateWord(Heap heap);

    /**
     * The persistent word that says whether a block is allocated, with what to do to it either
     * way. Transactions change it through their undo log instead of a redo batch: a chunk header at
     * once, a run's bit at commit.
     *
     * @param offset the bitmap word or chunk header
     * @param bitmap whether it is a bitmap word (then {@code mask} is the block's bit) or a chunk header
     */
    record StateWord(long offset, boolean bitmap, long mask, long usedHeader, long freeHeader) {}

    /** Unit {@code index} of {@code run}. */
    record Unit(long handle, Run run, int index) implements Block {

        @Override
        public long size() {
            return run.unitSize;
        }

        @Override
        public void addAllocate(Heap heap, RedoBatch batch) {
            batch.or(run.bitmapWordOffset(index), Run.bitMask(index));
        }

        @Override
        public void addFree(Heap heap, RedoBatch batch) {
            batch.and(run.bitmapWordOffset(index), ~Run.bitMask(index));
        }

        @Override
        public void allocated(Heap heap) {
            // the unit's volatile bit was taken at reservation
        }

        @Override
        public void allocationCancelled(Heap heap) {
            heap.releaseUnit(run, index);
        }

        @Override
        public void freed(Heap heap) {
            heap.releaseUnit(run, index);
            heap.rememberFreed(run, index);
        }

        @Override
        public void freeAbandoned(Heap heap) {
            // the unit's volatile bit stays taken until the free is durable
        }

        @Override
        public StateWord stateWord(Heap heap) {
            return new StateWord(run.bitmapWordOffset(index), true, Run.bitMask(index), 0, 0);
        }
    }

    /** The {@code chunks} chunks from {@code firstChunk} on. */
    record Span(long handle, int firstChunk, int chunks) implements Block {

        @Override
        public long size() {
            return chunks * PoolLayout.CHUNK_SIZE;
        }

        @Override
        public void addAllocate(Heap heap, RedoBatch batch) {
            batch.set(heap.layout().chunkHeaderOffset(firstChunk), ChunkHeader.of(ChunkHeader.USED, chunks));
        }

        @Override
        public void addFree(Heap heap, RedoBatch batch) {
            // The span becomes a free span of its own; free neighbours merge with it in volatile
            // state after the commit, and the next split writes one header for the whole.
            batch.set(heap.layout().chunkHeaderOffset(firstChunk), ChunkHeader.of(ChunkHeader.FREE, chunks));
        }

        @Override
        public void allocated(Heap heap) {
            heap.spanUsed(firstChunk, chunks);
        }

        @Override
        public void allocationCancelled(Heap heap) {
            heap.spanUnused(firstChunk); // a transaction publishes early so its blocks can be used
            // The span is a durable free span of its own again; merging it in volatile state is
            // enough, the next split or free rewrites the merged header.
            heap.spanAvailable(firstChunk, chunks);
        }

        @Override
        public void freed(Heap heap) {
            heap.spanAvailable(firstChunk, chunks);
        }

        @Override
        public void freeAbandoned(Heap heap) {
            heap.spanUsed(firstChunk, chunks);
        }

        @Override
        public StateWord stateWord(Heap heap) {
            return new StateWord(
                    heap.layout().chunkHeaderOffset(firstChunk),
                    false,
                    0,
                    ChunkHeader.of(ChunkHeader.USED, chunks),
                    ChunkHeader.of(ChunkHeader.FREE, chunks));
        }
    }
}
