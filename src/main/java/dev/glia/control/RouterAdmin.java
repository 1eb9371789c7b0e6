package dev.glia.control;

import dev.glia.catalog.PolicyDocument;

/**
 * The Glia router's admin API as the operator uses it (docs/router.md, "The admin API"). Every call answers a
 * {@link RouterResult}: the router's state after the call, or why not, typed; none throws for what the router or the
 * network does. The HTTP implementation is {@code dev.glia.operator.router.HttpRouterAdmin}.
 */
public interface RouterAdmin {

    /** {@code PUT /admin/policy}: installs {@code policy} in the stable pool without a restart. */
    RouterResult installPolicy(PolicyDocument policy);

    /**
     * {@code PUT /admin/canary}: moves {@code engines} into a canary pool run by {@code policy} with {@code share} of
     * arrivals (null: its engines' fraction); with {@code control}, as many other engines into a control pool under
     * the stable policy with the same share.
     */
    RouterResult startCanary(PolicyDocument policy, CanaryEngines engines, Double share, boolean control);

    /** {@code POST /admin/canary/promote}: the canary's policy runs everywhere. */
    RouterResult promote();

    /** {@code POST /admin/canary/rollback}: the canary ends, the stable policy runs everywhere. */
    RouterResult rollback();

    /** {@code GET /admin/policy}: what each pool runs. */
    RouterResult state();
}
