package dev.ensemble.core.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * RFC 4180 CSV: fields separated by commas, records by CRLF or LF, a field in double quotes may
 * hold commas, line breaks and doubled quotes ({@code ""} for one {@code "}). Lenient where the RFC
 * leaves room and data in the wild needs it: a leading byte-order mark is dropped, a bare CR ends a
 * record, a final line break is optional, and a quote inside an unquoted field is kept as text.
 * Strict where leniency would silently corrupt data: an unterminated quoted field, or text after a
 * closing quote, is an error naming the line.
 */
public final class CsvReader {
    private CsvReader() {}

    /** Every record, each a list of fields; an empty text gives no records. */
    public static List<List<String>> parse(String text) {
        List<List<String>> records = new ArrayList<>();
        List<String> record = new ArrayList<>();
        StringBuilder field = new StringBuilder();
        int i = text.startsWith("\uFEFF") ? 1 : 0;
        int n = text.length();
        int line = 1;
        boolean fieldStarted = false;
        while (i < n) {
            char c = text.charAt(i);
            if (!fieldStarted && c == '"') {
                int startLine = line;
                i++;
                while (true) {
                    if (i >= n) throw new IllegalArgumentException("line " + startLine + ": quoted field never closed");
                    char q = text.charAt(i);
                    if (q == '"') {
                        if (i + 1 < n && text.charAt(i + 1) == '"') {
                            field.append('"');
                            i += 2;
                            continue;
                        }
                        i++;
                        break;
                    }
                    if (q == '\n') line++;
                    field.append(q);
                    i++;
                }
                if (i < n && text.charAt(i) != ',' && text.charAt(i) != '\n' && text.charAt(i) != '\r') {
                    throw new IllegalArgumentException("line " + line + ": unexpected text after a closing quote");
                }
                fieldStarted = true;
                continue;
            }
            if (c == ',') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                i++;
            } else if (c == '\r' || c == '\n') {
                record.add(field.toString());
                field.setLength(0);
                fieldStarted = false;
                records.add(record);
                record = new ArrayList<>();
                i += (c == '\r' && i + 1 < n && text.charAt(i + 1) == '\n') ? 2 : 1;
                line++;
            } else {
                field.append(c);
                fieldStarted = true;
                i++;
            }
        }
        if (fieldStarted || !record.isEmpty()) {
            record.add(field.toString());
            records.add(record);
        }
        return records;
    }
}
