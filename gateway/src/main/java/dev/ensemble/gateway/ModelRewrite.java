package dev.ensemble.gateway;

import dev.ensemble.gateway.wire.BadRequest;
import dev.ensemble.llm.http.HttpTransport;
import java.io.ByteArrayOutputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * Changes the top-level {@code "model"} of a JSON body and nothing else: the bytes before and
 * after the value are the client's own, so fields ensemble does not know (prompt-caching markers,
 * betas, a provider's extensions) reach the provider exactly as they were sent.
 */
final class ModelRewrite {
    private ModelRewrite() {}

    static byte[] withModel(byte[] body, String model) {
        long start = -1;
        long end = -1;
        try (JsonParser parser = HttpTransport.JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) throw new BadRequest("", "the body is not a JSON object");
            JsonToken token;
            while ((token = parser.nextToken()) != JsonToken.END_OBJECT && token != null) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("model".equals(name) && value == JsonToken.VALUE_STRING) {
                    start = parser.currentTokenLocation().getByteOffset();
                    parser.getString();
                    end = parser.currentLocation().getByteOffset();
                    break;
                }
                parser.skipChildren();
            }
        } catch (JacksonException e) {
            throw new BadRequest("", "the body is not valid JSON");
        }
        if (start < 0 || end <= start) return body;
        ByteArrayOutputStream out = new ByteArrayOutputStream(body.length + model.length());
        out.write(body, 0, (int) start);
        out.writeBytes(HttpTransport.JSON.writeValueAsBytes(model));
        out.write(body, (int) end, body.length - (int) end);
        return out.toByteArray();
    }
}
