package dev.ensemble.agents.builtin;

import java.util.ArrayList;
import java.util.List;

/**
 * A command line split into words the way a shell would split it (spaces, '…', "…", backslash),
 * but with nothing expanded. {@code special} is the first character outside quotes that only a
 * shell would act on (; | & > < ` $ ( ) * ? or a line break), or 0 when there is none: such a
 * command cannot mean what the model expects unless it runs through a shell.
 */
record CommandLine(List<String> words, char special) {
    private static final String SPECIAL = ";|&><`$()*?\n";
    private static final String OPERATORS = ";|&><()";

    CommandLine {
        words = List.copyOf(words);
    }

    static CommandLine parse(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char special = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (c == '\'') {
                int end = command.indexOf('\'', i + 1);
                if (end < 0) throw new ToolError("run_command: unbalanced ' quote");
                word.append(command, i + 1, end);
                i = end;
                inWord = true;
            } else if (c == '"') {
                int j = i + 1;
                for (; j < command.length() && command.charAt(j) != '"'; j++) {
                    char d = command.charAt(j);
                    if (d == '\\' && j + 1 < command.length() && "\"\\".indexOf(command.charAt(j + 1)) >= 0) d = command.charAt(++j);
                    word.append(d);
                }
                if (j >= command.length()) throw new ToolError("run_command: unbalanced \" quote");
                i = j;
                inWord = true;
            } else if (c == '\\' && i + 1 < command.length() && command.charAt(i + 1) != '\n') {
                word.append(command.charAt(++i));
                inWord = true;
            } else if (c == ' ' || c == '\t' || c == '\n') {
                if (c == '\n' && special == 0) special = c;
                if (inWord) words.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else if (OPERATORS.indexOf(c) >= 0) {
                // As in a shell, an operator ends the word before it: "ls;rm" is ls, then rm.
                if (special == 0) special = c;
                if (inWord) words.add(word.toString());
                words.add(String.valueOf(c));
                word.setLength(0);
                inWord = false;
            } else {
                if (special == 0 && SPECIAL.indexOf(c) >= 0) special = c;
                word.append(c);
                inWord = true;
            }
        }
        if (inWord) words.add(word.toString());
        return new CommandLine(words, special);
    }
}
