package dev.ensemble.engine.converse;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SynthesisParserTest {
    @Test
    void plainJsonIsRead() {
        SynthesisParser.Content c = SynthesisParser.parse(
                "{\"agree\": [\"x\", \"y\"], \"differ\": [\"z\"], \"final\": \"answer\", \"confidence\": 0.65}");
        assertThat(c.structured()).isTrue();
        assertThat(c.agreements()).containsExactly("x", "y");
        assertThat(c.differences()).containsExactly("z");
        assertThat(c.finalAnswer()).isEqualTo("answer");
        assertThat(c.confidence()).hasValue(0.65);
        assertThat(c.confidenceText()).isEmpty();
    }

    @Test
    void jsonInProseAndFencesWithSloppySyntaxAndOtherKeyNamesIsRead() {
        SynthesisParser.Content c = SynthesisParser.parse("""
                Sure! Here you go:
                ```json
                {'Agreements': ['both say 4',], "Final Answer": "4", confidence: "85%",}
                ```
                Hope this helps.""");
        assertThat(c.structured()).isTrue();
        assertThat(c.agreements()).containsExactly("both say 4");
        assertThat(c.differences()).isEmpty();
        assertThat(c.finalAnswer()).isEqualTo("4");
        assertThat(c.confidence()).hasValue(0.85);
    }

    @Test
    void confidenceAsAWordOrAPercentageNumberAndItemsAsOneString() {
        SynthesisParser.Content word = SynthesisParser.parse("The result: {\"agree\": \"all say yes\", \"final\": \"yes\", \"confidence\": \"high\"} end");
        assertThat(word.agreements()).containsExactly("all say yes");
        assertThat(word.confidence()).isEmpty();
        assertThat(word.confidenceText()).isEqualTo("high");
        assertThat(SynthesisParser.parse("{\"final\": \"x\", \"confidence\": 70}").confidence()).hasValue(0.7);
        SynthesisParser.Content outOfRange = SynthesisParser.parse("{\"final\": \"x\", \"confidence\": 700}");
        assertThat(outOfRange.confidence()).isEmpty();
        assertThat(outOfRange.confidenceText()).isEqualTo("700");
    }

    @Test
    void aReplyThatIsNotTheJsonAskedForIsKeptWhole() {
        String prose = "They all agree the answer is 4. {not json at all}";
        SynthesisParser.Content c = SynthesisParser.parse(prose);
        assertThat(c.structured()).isFalse();
        assertThat(c.finalAnswer()).isEqualTo(prose);
        assertThat(c.agreements()).isEmpty();
        assertThat(SynthesisParser.parse("{\"unrelated\": 1}").structured()).isFalse();
    }
}
