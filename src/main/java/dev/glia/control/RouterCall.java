package dev.glia.control;

/** The router admin calls a rollout makes; a call's answer returns to the rollout as an event naming it. */
public enum RouterCall {
    /** {@code PUT /admin/canary}. */
    CANARY,
    /** {@code POST /admin/canary/promote}. */
    PROMOTE,
    /** {@code POST /admin/canary/rollback}. */
    ROLL_BACK,
    /** {@code PUT /admin/policy}: the candidate straight into the stable pool (a promotion whose canary was lost). */
    INSTALL
}
