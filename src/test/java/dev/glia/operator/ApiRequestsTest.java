package dev.glia.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

@io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient(crud = true)
/** Requests read as the API server's authorizer reads them: group, resource (and subresource), verb. */
class ApiRequestsTest {

    private static ApiRequests.Access access(String method, String path) {
        return ApiRequests.access(method, URI.create("https://api.example:6443" + path));
    }

    @Test
    void aGetOfANamedObjectIsGetAndOfACollectionListOrWatch() {
        assertThat(access("GET", "/apis/batch/v1/namespaces/serving/jobs/research-1"))
                .isEqualTo(new ApiRequests.Access("batch", "jobs", "get"));
        assertThat(access("GET", "/api/v1/namespaces/serving/pods?labelSelector=job-name%3Dx"))
                .isEqualTo(new ApiRequests.Access("", "pods", "list"));
        assertThat(access("GET", "/apis/glia.dev/v1alpha1/gliaoptimizations?resourceVersion=0&watch=true"))
                .isEqualTo(new ApiRequests.Access("glia.dev", "gliaoptimizations", "watch"));
        assertThat(access("GET", "/apis/glia.dev/v1alpha1/namespaces/serving/gliapolicies?allowWatchBookmarks=true"
                + "&watch=true")).isEqualTo(new ApiRequests.Access("glia.dev", "gliapolicies", "watch"));
    }

    @Test
    void subresourcesAreNamedAfterTheirResource() {
        assertThat(access("GET", "/api/v1/namespaces/serving/pods/research-1-abcde/log?container=research"))
                .isEqualTo(new ApiRequests.Access("", "pods/log", "get"));
        assertThat(access("PATCH", "/apis/glia.dev/v1alpha1/namespaces/serving/gliaoptimizations/o/status"))
                .isEqualTo(new ApiRequests.Access("glia.dev", "gliaoptimizations/status", "patch"));
    }

    @Test
    void writesMapToCreateUpdatePatchDeleteAndDeleteCollection() {
        assertThat(access("POST", "/api/v1/namespaces/serving/events").verb()).isEqualTo("create");
        assertThat(access("PUT", "/api/v1/namespaces/serving/configmaps/x").verb()).isEqualTo("update");
        assertThat(access("PATCH", "/api/v1/namespaces/serving/configmaps/x").verb()).isEqualTo("patch");
        assertThat(access("DELETE", "/apis/batch/v1/namespaces/serving/jobs/x").verb()).isEqualTo("delete");
        assertThat(access("DELETE", "/apis/batch/v1/namespaces/serving/jobs").verb()).isEqualTo("deletecollection");
    }

    @Test
    void theNamespacesResourceItselfIsNotMistakenForAScope() {
        assertThat(access("GET", "/api/v1/namespaces/serving")).isEqualTo(new ApiRequests.Access("", "namespaces",
                "get"));
        assertThat(access("GET", "/api/v1/namespaces")).isEqualTo(new ApiRequests.Access("", "namespaces", "list"));
    }

    static io.fabric8.kubernetes.client.KubernetesClient client;

    @Test
    void aRecordingClientRecordsWhatItAsks() {
        ApiRequests asked = new ApiRequests();
        try (var c = asked.client(client)) {
            c.configMaps().inNamespace("serving").withName("x").get();
            c.pods().inNamespace("serving").list();
        }
        assertThat(asked.verbs()).containsEntry("core/configmaps", java.util.Set.of("get"))
                .containsEntry("core/pods", java.util.Set.of("list"));
    }

    @Test
    void discoveryIsNotAResourceRequest() {
        assertThat(access("GET", "/version")).isNull();
        assertThat(access("GET", "/apis")).isNull();
        assertThat(access("GET", "/apis/glia.dev/v1alpha1")).isNull();
        assertThat(access("GET", "/api/v1")).isNull();
    }
}
