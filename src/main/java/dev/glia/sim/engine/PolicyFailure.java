package dev.glia.sim.engine;

/**
 * The simulator's verdict on a policy failure: the run stops and says which component, when and
 * why (the policy runtime's failure, thrown in the simulator's mode).
 */
public final class PolicyFailure extends dev.glia.policy.runtime.PolicyFailure {
    PolicyFailure(dev.glia.policy.runtime.PolicyFailure failure) {
        super(failure.component(), failure.time(), failure.getCause());
    }
}
