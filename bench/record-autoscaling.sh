#!/usr/bin/env bash
# Records the metric series AutoscalingDriverTest replays: glia-sinusoid-autoscale through a live router to
# emulated engines at time scale 4, a real Prometheus scraping them, the operator's autoscaling driver scaling the
# engines' Deployment on fabric8's mock API server (src/test/java/dev/glia/operator/AutoscalingRecorder.java).
# Usage: bench/record-autoscaling.sh [MODEL_SECONDS]   (default 7200, the whole scenario: about 31 minutes)
# Writes src/test/resources/dev/glia/operator/glia-sinusoid-autoscale.recorded.jsonl.gz; commit it with the test.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-7200}"
out="src/test/resources/dev/glia/operator/glia-sinusoid-autoscale.recorded.jsonl.gz"
./mvnw -B -q -o test -Dtest=AutoscalingRecorder -Dsurefire.failIfNoSpecifiedTests=false \
    -Dglia.record.seconds="$seconds" -Dglia.record.out="$PWD/$out.partial" \
    -Dsurefire.redirectTestOutputToFile=false
mv "$out.partial" "$out"
echo "wrote $out"
