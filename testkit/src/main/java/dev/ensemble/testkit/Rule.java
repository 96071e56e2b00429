package dev.ensemble.testkit;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * When a request matches, answer this way. Every condition left null matches anything. Rules are
 * tried in order; a rule with {@code times > 0} stops matching after that many hits, which is how
 * "fail once, then answer" is scripted.
 *
 * @param name       shown in the request log
 * @param protocol   one of ollama, openai-chat, openai-responses, anthropic, gemini
 * @param model      regular expression over the requested model (found anywhere in it)
 * @param pattern    regular expression over the last user message (found anywhere in it)
 * @param toolsOffered  whether the request offers tools
 * @param hasToolResult whether the request carries a tool result
 * @param reply      the answer (null: the default echo answer)
 * @param fault      a fault to inject, or null
 * @param chunkDelay pause between streamed chunks (null: none)
 * @param times      how many requests this rule answers; 0 for no limit
 */
public record Rule(String name, String protocol, Pattern model, Pattern pattern, Boolean toolsOffered,
                   Boolean hasToolResult, Reply reply, Fault fault, Duration chunkDelay, int times) {

    public Rule {
        name = name == null ? "" : name;
        if (times < 0) throw new IllegalArgumentException("times cannot be negative");
    }

    public static Rule answer(Reply reply) {
        return new Rule("", null, null, null, null, null, Objects.requireNonNull(reply), null, null, 0);
    }

    public static Rule text(String text) {
        return answer(Reply.text(text));
    }

    public static Rule fault(Fault fault) {
        return new Rule("", null, null, null, null, null, null, Objects.requireNonNull(fault), null, 0);
    }

    public Rule named(String newName) {
        return new Rule(newName, protocol, model, pattern, toolsOffered, hasToolResult, reply, fault, chunkDelay, times);
    }

    public Rule forProtocol(String newProtocol) {
        return new Rule(name, newProtocol, model, pattern, toolsOffered, hasToolResult, reply, fault, chunkDelay, times);
    }

    public Rule forModel(String regex) {
        return new Rule(name, protocol, Pattern.compile(regex), pattern, toolsOffered, hasToolResult, reply, fault, chunkDelay, times);
    }

    public Rule whenPrompt(String regex) {
        return new Rule(name, protocol, model, Pattern.compile(regex, Pattern.DOTALL), toolsOffered, hasToolResult, reply, fault,
                chunkDelay, times);
    }

    public Rule whenTools(boolean offered) {
        return new Rule(name, protocol, model, pattern, offered, hasToolResult, reply, fault, chunkDelay, times);
    }

    public Rule whenToolResult(boolean present) {
        return new Rule(name, protocol, model, pattern, toolsOffered, present, reply, fault, chunkDelay, times);
    }

    public Rule withFault(Fault newFault) {
        return new Rule(name, protocol, model, pattern, toolsOffered, hasToolResult, reply, newFault, chunkDelay, times);
    }

    public Rule withChunkDelay(Duration delay) {
        return new Rule(name, protocol, model, pattern, toolsOffered, hasToolResult, reply, fault, delay, times);
    }

    public Rule times(int n) {
        return new Rule(name, protocol, model, pattern, toolsOffered, hasToolResult, reply, fault, chunkDelay, n);
    }

    boolean matches(ParsedRequest request) {
        if (protocol != null && !protocol.equals(request.protocol())) return false;
        if (model != null && !model.matcher(request.model()).find()) return false;
        if (pattern != null && !pattern.matcher(request.lastUserText()).find()) return false;
        if (toolsOffered != null && toolsOffered != request.toolsOffered()) return false;
        return hasToolResult == null || hasToolResult == request.hasToolResult();
    }
}
