package dev.ensemble.gateway.attempt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A small POSIX-shell lexer for {@link ToolCallAuditor}: splits a command line into simple
 * commands ({@code ;}, {@code &&}, {@code ||}, {@code |}, {@code &}, new lines, parentheses,
 * {@code $(…)} and backquotes all separate), each a list of words with quotes and backslashes
 * removed. Redirection operators come out as words of their own ({@code >}, {@code 2>>},
 * {@code &>}), their target as the next word. No expansion is done: {@code $VAR} stays as written.
 */
final class ShellWords {
    /** A redirection operator word: the fd and operator, then (always empty here) its glued target. */
    static final Pattern REDIRECT = Pattern.compile("^((?:\\d+|&)?(?:>>|>\\||>&|>|<<<|<<|<&|<>|<))(.*)$");

    private ShellWords() {}

    static List<List<String>> commands(String script) {
        List<List<String>> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        int n = script.length();
        for (int i = 0; i < n; i++) {
            char c = script.charAt(i);
            if (c == '\'') {
                int end = script.indexOf('\'', i + 1);
                if (end < 0) end = n;
                word.append(script, i + 1, end);
                inWord = true;
                i = end;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < n && script.charAt(j) != '"'; j++) {
                    char d = script.charAt(j);
                    if (d == '\\' && j + 1 < n && "\"\\$`\n".indexOf(script.charAt(j + 1)) >= 0) {
                        word.append(script.charAt(++j));
                    } else {
                        word.append(d);
                    }
                }
                inWord = true;
                i = j;
            } else if (c == '\\' && i + 1 < n) {
                char next = script.charAt(++i);
                if (next != '\n') word.append(next);
                inWord = true;
            } else if (c == ' ' || c == '\t') {
                inWord = flush(word, inWord, words);
            } else if (c == '#' && !inWord) {
                while (i < n && script.charAt(i) != '\n') i++;
                inWord = flush(word, inWord, words);
                inWord = endCommand(words, commands);
            } else if (c == ';' || c == '\n' || c == '|' || c == '(' || c == ')' || c == '`' || c == '{' && !inWord && isBraceGroup(script, i)
                    || c == '&' && !(i + 1 < n && script.charAt(i + 1) == '>')
                    || c == '$' && i + 1 < n && script.charAt(i + 1) == '(') {
                if (c == '$') i++;
                if (c == '&' && i + 1 < n && script.charAt(i + 1) == '&' || c == '|' && i + 1 < n && script.charAt(i + 1) == '|') i++;
                inWord = flush(word, inWord, words);
                inWord = endCommand(words, commands);
            } else if (c == '>' || c == '<' || c == '&') {
                // The fd before the operator (2>) belongs to it, not to the command's words.
                String fd = inWord && word.chars().allMatch(Character::isDigit) ? word.toString() : "";
                if (fd.isEmpty()) {
                    inWord = flush(word, inWord, words);
                } else {
                    word.setLength(0);
                    inWord = false;
                }
                StringBuilder op = new StringBuilder(fd).append(c);
                while (i + 1 < n && ">&|<".indexOf(script.charAt(i + 1)) >= 0 && op.length() < fd.length() + 3) op.append(script.charAt(++i));
                words.add(op.toString());
            } else {
                word.append(c);
                inWord = true;
            }
        }
        flush(word, inWord, words);
        endCommand(words, commands);
        return commands;
    }

    private static boolean isBraceGroup(String script, int i) {
        return i + 1 < script.length() && Character.isWhitespace(script.charAt(i + 1));
    }

    private static boolean flush(StringBuilder word, boolean inWord, List<String> words) {
        if (inWord) words.add(word.toString());
        word.setLength(0);
        return false;
    }

    private static boolean endCommand(List<String> words, List<List<String>> commands) {
        if (!words.isEmpty()) {
            // Keywords that lead a command without being one.
            while (!words.isEmpty() && List.of("then", "do", "else", "elif", "if", "while", "until", "!", "}", "fi", "done").contains(words.getFirst())) {
                words.removeFirst();
            }
            if (!words.isEmpty()) commands.add(List.copyOf(words));
        }
        words.clear();
        return false;
    }
}
