package dev.ensemble.core.io;

import org.snakeyaml.engine.v2.api.LoadSettings;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.dataformat.yaml.YAMLFactory;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The limits on YAML and JSON that ensemble parses from files a user or a model controls
 * (configuration layers, pipelines, scripted-server rules, workloads, plans). Without them a
 * 1.3 KB alias bomb expands to gigabytes, 5,000 nested brackets overflow the stack, and a 30-digit
 * number is quietly clamped. The parsers' own limits are used where they exist (snakeyaml-engine's
 * alias and code-point limits, Jackson's {@link StreamReadConstraints}); the configuration reader
 * adds the depth and expanded-size checks that snakeyaml-engine's composer lacks.
 */
public final class ParseLimits {
    /** Largest configuration or rule file read: settings files are a few KB. */
    public static final long MAX_FILE_BYTES = 1024 * 1024;
    /** Deepest nesting of lists and mappings (settings are rarely 8 deep). */
    public static final int MAX_DEPTH = 64;
    /** Most aliases to a list or mapping in one document. */
    public static final int MAX_COLLECTION_ALIASES = 100;
    /** Most values (scalars, lists, mappings) a document may hold once its aliases are expanded. */
    public static final int MAX_VALUES = 200_000;
    /** Longest number, in characters: no setting needs more than 20 digits. */
    public static final int MAX_NUMBER_LENGTH = 100;

    private ParseLimits() {
    }

    /** Jackson's limits: nesting depth, number length, document length. */
    public static StreamReadConstraints constraints(long maxBytes) {
        return StreamReadConstraints.builder()
                .maxNestingDepth(MAX_DEPTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxDocumentLength(maxBytes)
                .build();
    }

    /** snakeyaml-engine's limits: aliases to collections, document size in code points. */
    public static LoadSettings yamlSettings(long maxBytes) {
        return LoadSettings.builder()
                .setMaxAliasesForCollections(MAX_COLLECTION_ALIASES)
                .setCodePointLimit((int) Math.min(Integer.MAX_VALUE, maxBytes))
                .build();
    }

    /** A JSON mapper held to {@link #constraints(long)}. */
    public static JsonMapper json(long maxBytes) {
        return JsonMapper.builder(JsonFactory.builder().streamReadConstraints(constraints(maxBytes)).build()).build();
    }

    /** A YAML mapper held to {@link #constraints(long)} and {@link #yamlSettings(long)}. */
    public static YAMLMapper yaml(long maxBytes) {
        return YAMLMapper.builder(YAMLFactory.builder().streamReadConstraints(constraints(maxBytes))
                .loadSettings(yamlSettings(maxBytes)).build()).build();
    }
}
