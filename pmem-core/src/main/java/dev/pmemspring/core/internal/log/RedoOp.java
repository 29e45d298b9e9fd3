package dev.pmemspring.core.internal.log;

/**
 * What a redo entry does to its 8-byte word. All three are idempotent, so replaying a log twice
 * (a crash during recovery) gives the same result as once. OR and AND compose with concurrent
 * changes to other bits of the same word (several runs' units share a bitmap word).
 */
public enum RedoOp {
    SET,
    OR,
    AND;

    static final RedoOp[] BY_CODE = values();
}
