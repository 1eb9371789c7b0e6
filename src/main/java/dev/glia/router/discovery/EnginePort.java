package dev.glia.router.discovery;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * Which port of a pod the engine listens on ({@code --engine-port}): a number, used for every pod as is, or the
 * name of a container port (e.g. {@code http}), looked up in the pod's containers' declared ports; a pod that
 * declares no port of that name does not count.
 */
public sealed interface EnginePort {
    /** IANA_SVC_NAME, as Kubernetes checks a port's name: at most 15 lowercase letters, digits and '-'. */
    Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

    /** The port for this pod, or empty when it has none. */
    OptionalInt of(Pod pod);

    record Number(int port) implements EnginePort {
        public Number {
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("a port is 1 to 65535, got " + port);
            }
        }

        @Override
        public OptionalInt of(Pod pod) {
            return OptionalInt.of(port);
        }

        @Override
        public String toString() {
            return Integer.toString(port);
        }
    }

    record Named(String name) implements EnginePort {
        public Named {
            if (name.length() > 15 || !NAME.matcher(name).matches() || !name.matches(".*[a-z].*")) {
                throw new IllegalArgumentException("a port name is at most 15 lowercase letters, digits and '-',"
                        + " with a letter, got \"" + name + "\"");
            }
        }

        @Override
        public OptionalInt of(Pod pod) {
            if (pod.getSpec() == null || pod.getSpec().getContainers() == null) {
                return OptionalInt.empty();
            }
            for (Container c : pod.getSpec().getContainers()) {
                if (c.getPorts() == null) {
                    continue;
                }
                for (ContainerPort p : c.getPorts()) {
                    if (name.equals(p.getName()) && p.getContainerPort() != null && p.getContainerPort() > 0) {
                        return OptionalInt.of(p.getContainerPort());
                    }
                }
            }
            return OptionalInt.empty();
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** A number (1 to 65535) or a container port's name. */
    static EnginePort parse(String text) {
        String t = text == null ? "" : text.strip();
        if (t.matches("[0-9]+")) {
            try {
                return new Number(Integer.parseInt(t));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("a port is 1 to 65535, got " + t);
            }
        }
        return new Named(t);
    }
}
