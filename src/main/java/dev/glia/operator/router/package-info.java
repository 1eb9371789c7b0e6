/**
 * The operator's client of the Glia router's admin API: {@link dev.glia.operator.router.HttpRouterAdmin} implements
 * {@link dev.glia.control.RouterAdmin} over HTTP. An adapter: it talks, {@code dev.glia.control} decides.
 */
package dev.glia.operator.router;
