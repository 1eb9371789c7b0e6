package dev.glia.control;

/**
 * Where one candidate policy stands. {@link #PROMOTED}, {@link #ROLLED_BACK} and {@link #FAILED} end a rollout; a new
 * research session ({@link RolloutEvent.ResearchRequested}) starts the next one from any of them.
 */
public enum RolloutPhase {
    /** Nothing started yet: the next tick asks for a research Job. */
    PENDING("Pending"),
    /** A research session runs. */
    RESEARCHING("Researching"),
    /** Research found a candidate; its GliaPolicy is being created. */
    CANDIDATE_READY("CandidateReady"),
    /** The GliaPolicy exists, unapproved: a person (manual), Git (gitops) or better evidence (auto) must approve it. */
    AWAITING_APPROVAL("AwaitingApproval"),
    /** Approved: a canary pool runs the candidate (or is being configured) until a verdict or the timeout. */
    CANARY("Canary"),
    /** The candidate runs everywhere. */
    PROMOTED("Promoted"),
    /** The canary ended without the candidate; the stable policy runs everywhere. */
    ROLLED_BACK("RolledBack"),
    /** The rollout cannot go on; {@link RolloutState#failure()} says why. */
    FAILED("Failed");

    private final String label;

    RolloutPhase(String label) {
        this.label = label;
    }

    /** The CamelCase name status.phase and the printer column show. */
    public String label() {
        return label;
    }

    public boolean isTerminal() {
        return this == PROMOTED || this == ROLLED_BACK || this == FAILED;
    }
}
