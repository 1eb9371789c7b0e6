package dev.glia.engine;

/** The two generation endpoints, with what differs between them on the wire. */
enum Endpoint {
    COMPLETIONS("cmpl-", "text_completion", "text_completion"),
    CHAT("chatcmpl-", "chat.completion", "chat.completion.chunk");

    final String idPrefix;
    final String object;
    final String chunkObject;

    Endpoint(String idPrefix, String object, String chunkObject) {
        this.idPrefix = idPrefix;
        this.object = object;
        this.chunkObject = chunkObject;
    }
}
