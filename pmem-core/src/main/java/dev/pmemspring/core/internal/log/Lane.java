package dev.pmemspring.core.internal.log;

/**
 * One thread's log area: while a thread holds a lane, no other thread writes its logs. The redo
 * log publishes allocator changes; transactions will add their undo log here.
 */
public final class Lane {

    private final int index;
    private final RedoLog redo;

    Lane(int index, RedoLog redo) {
        this.index = index;
        this.redo = redo;
    }

    public int index() {
        return index;
    }

    public RedoLog redo() {
        return redo;
    }
}
