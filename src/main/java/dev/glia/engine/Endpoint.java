package dev.glia.engine;

/** The two generation endpoints, with what differs between them on the wire. */
enum Endpoint {
    COMPLETIONS("CompletionRequest", "cmpl-", "text_completion", "text_completion"),
    CHAT("ChatCompletionRequest", "chatcmpl-", "chat.completion", "chat.completion.chunk");

    /** The pydantic model vLLM validates the body against (named in validation errors). */
    final String requestModel;
    final String idPrefix;
    final String object;
    final String chunkObject;

    Endpoint(String requestModel, String idPrefix, String object, String chunkObject) {
        this.requestModel = requestModel;
        this.idPrefix = idPrefix;
        this.object = object;
        this.chunkObject = chunkObject;
    }
}
