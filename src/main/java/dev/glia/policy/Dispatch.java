package dev.glia.policy;

/** Where a router records its decisions; requests it does not send stay in the global queue. */
public interface Dispatch {
    /**
     * Sends a queued request to a replica. Fails with {@link PolicyViolation} if the request is not
     * in the global queue, was already sent in this call, or the replica is unknown or draining.
     */
    void send(RequestView request, ReplicaView replica);
}
