package dev.ensemble.core.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CsvReaderTest {
    @Test
    void readsPlainRecordsWithOrWithoutAFinalLineBreak() {
        assertThat(CsvReader.parse("a,b\n1,2\n")).containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(CsvReader.parse("a,b\n1,2")).containsExactly(List.of("a", "b"), List.of("1", "2"));
        assertThat(CsvReader.parse("")).isEmpty();
    }

    @Test
    void quotedFieldsHoldCommasLineBreaksAndDoubledQuotes() {
        String csv = "prompt,ok\r\n\"Which, of these?\nA. \"\"x\"\"\r\nB. y\nAnswer:\",True\r\n";
        assertThat(CsvReader.parse(csv)).containsExactly(
                List.of("prompt", "ok"),
                List.of("Which, of these?\nA. \"x\"\r\nB. y\nAnswer:", "True"));
    }

    @Test
    void keepsEmptyFieldsAndEmptyQuotedFields() {
        assertThat(CsvReader.parse("a,,c\n\"\",x,\n")).containsExactly(List.of("a", "", "c"), List.of("", "x", ""));
    }

    @Test
    void dropsAByteOrderMarkAndAcceptsBareCarriageReturns() {
        assertThat(CsvReader.parse("\uFEFFprompt,m\rp,True\r")).containsExactly(List.of("prompt", "m"), List.of("p", "True"));
    }

    @Test
    void keepsAQuoteInsideAnUnquotedFieldAsText() {
        assertThat(CsvReader.parse("say \"hi\",1\n")).containsExactly(List.of("say \"hi\"", "1"));
    }

    @Test
    void rejectsAnUnterminatedQuoteNamingTheLineItStarted() {
        assertThatThrownBy(() -> CsvReader.parse("a,b\n1,\"open\nstill open\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("line 2").hasMessageContaining("never closed");
    }

    @Test
    void rejectsTextAfterAClosingQuote() {
        assertThatThrownBy(() -> CsvReader.parse("\"a\"b,c\n")).hasMessageContaining("after a closing quote");
    }
}
