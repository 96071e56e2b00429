package dev.ensemble.gateway.observe;

import dev.ensemble.core.Catalog;
import dev.ensemble.core.Redactor;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Label values for metrics: only names ensemble chose or the operator configured (catalog model
 * ids, aliases, provider names, key names, wires, reason words). Anything a client sent that is
 * not one of those becomes {@code other}: a client could otherwise put a pasted key, or a
 * million distinct strings, into the scrape.
 */
final class Labels {
    static final String OTHER = "other";
    static final String NONE = "none";
    private static final int MAX = 64;
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:@/+-]{0,63}");
    private static final Pattern WORD = Pattern.compile("[a-z][a-z0-9 _-]{0,39}");

    private final Catalog catalog;

    Labels(Catalog catalog) {
        this.catalog = catalog;
    }

    /** A model the client asked for: a catalog model, an alias or {@code auto}; anything else is {@code other}. */
    String requestedModel(String model) {
        if (model == null || model.isEmpty()) return NONE;
        boolean known = "auto".equals(model) || catalog.models().containsKey(model) || catalog.aliases().containsKey(model);
        return known ? model : OTHER;
    }

    /** A catalog model id or provider name (from a ledger row): the catalog's own, so kept when it is a plain name. */
    String catalogName(String name) {
        return name(name);
    }

    /** A key's name or public id, as its owner chose it; never its secret (a registered secret is masked out). */
    String keyName(String name) {
        if (name == null || name.isEmpty()) return NONE;
        String redacted = Redactor.global().redact(name);
        return redacted.equals(name) ? name(name) : OTHER;
    }

    /** A short machine word such as a refusal reason ("task budget") or an error kind (RATE_LIMITED). */
    static String word(String word) {
        if (word == null || word.isEmpty()) return NONE;
        String lower = word.toLowerCase(Locale.ROOT);
        return WORD.matcher(lower).matches() ? lower : OTHER;
    }

    private static String name(String name) {
        if (name == null || name.isEmpty()) return NONE;
        return name.length() <= MAX && NAME.matcher(name).matches() ? name : OTHER;
    }
}
