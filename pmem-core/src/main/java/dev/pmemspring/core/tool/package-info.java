/**
 * The pool's command line ({@link dev.pmemspring.core.tool.PoolTool}): create, info, check.
 *
 * <p>Types, parameters and results are non-null unless marked {@code @Nullable}.
 */
@NullMarked
package dev.pmemspring.core.tool;

import org.jspecify.annotations.NullMarked;
