package dev.ensemble.engine.converse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ensemble.core.BreakerSettings;
import dev.ensemble.core.Capability;
import dev.ensemble.core.Catalog;
import dev.ensemble.core.ModelSpec;
import dev.ensemble.core.Pricing;
import dev.ensemble.core.ProviderSpec;
import dev.ensemble.core.RetrySettings;
import dev.ensemble.core.SecretRef;
import dev.ensemble.core.TaskKind;
import dev.ensemble.core.Timeouts;
import dev.ensemble.core.WireProtocol;
import dev.ensemble.core.routing.EvidenceSource;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.Router;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.llm.CallObserver;
import dev.ensemble.llm.ChatMessage;
import dev.ensemble.llm.ChatModels;
import dev.ensemble.llm.ChatRequest;
import dev.ensemble.llm.SecretResolver;
import dev.ensemble.testkit.Fault;
import dev.ensemble.testkit.Rule;
import dev.ensemble.testkit.ScriptedModelServer;
import java.time.Duration;
import java.time.LocalDate;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class RoleModelsTest {
    private static final Timeouts TIMEOUTS = new Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2),
            Duration.ofSeconds(2), Duration.ofSeconds(10));

    private ScriptedModelServer server;

    @BeforeEach
    void start() {
        server = ScriptedModelServer.start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static ModelSpec model(String id, String provider, String family, double price, double score, boolean local) {
        Map<TaskKind, Capability> caps = new EnumMap<>(TaskKind.class);
        for (TaskKind kind : TaskKind.values()) caps.put(kind, new Capability(score, "test"));
        return new ModelSpec(id, provider, id, family, new Pricing(price, price * 4, price / 10, "test", LocalDate.of(2026, 11, 1)),
                128_000, 4096, 100, local, true, caps);
    }

    private Catalog catalog(boolean keyForCloud) {
        Map<String, ProviderSpec> providers = new LinkedHashMap<>();
        Optional<SecretRef> key = keyForCloud ? Optional.empty() : Optional.of(SecretRef.parse("env:ENSEMBLE_TEST_KEY_THAT_IS_NEVER_SET"));
        providers.put("anthropic", new ProviderSpec("anthropic", WireProtocol.ANTHROPIC, server.baseUrl(), key, false));
        providers.put("openai", new ProviderSpec("openai", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", key, false));
        providers.put("house", new ProviderSpec("house", WireProtocol.OPENAI_CHAT, server.baseUrl() + "/v1", Optional.empty(), true));
        Map<String, ModelSpec> models = new LinkedHashMap<>();
        models.put("opus", model("opus", "anthropic", "claude", 15, 9.5, false));
        models.put("gpt", model("gpt", "openai", "gpt", 2, 9.0, false));
        models.put("local", model("local", "house", "qwen", 0, 6.0, true));
        return new Catalog(providers, models, Map.of("pair", List.of("gpt", "opus")));
    }

    private RoleModels roleModels(Catalog catalog, Roles roles, boolean localOnly) {
        ChatModels models = new ChatModels(catalog, TIMEOUTS, new RetrySettings(1, Duration.ofMillis(1), Duration.ofMillis(1), 1, 0, Duration.ofMillis(1)), new dev.ensemble.llm.CircuitBreakerRegistry(BreakerSettings.DEFAULT),
                new SecretResolver(), CallObserver.NONE, dev.ensemble.llm.Sleeper.REAL, java.util.random.RandomGenerator.getDefault(),
                Optional.empty(), localOnly);
        return new RoleModels(roles, models, new Router(catalog.models().values(), RoutingSettings.DEFAULTS, EvidenceSource.of(Map.of())));
    }

    @Test
    void aNamedModelWinsOverTheRouter() {
        RoleModels.Cast cast = roleModels(catalog(true), Roles.defaults(), false).cast(Roles.REVIEWER, "review this", Optional.of("pair"));
        assertThat(cast.chain()).extracting(ModelSpec::id).containsExactly("gpt", "opus");
        assertThat(cast.reason()).contains("named on the command line");
    }

    @Test
    void aConfiguredPreferenceWinsOverTheRouterAndTheChainFollowsTheFallbackRoles() {
        RoleModels rm = roleModels(catalog(true), rolesWithReviewerModel("opus"), false);
        RoleModels.Cast cast = rm.cast(Roles.REVIEWER, "review this diff", Optional.empty());
        assertThat(cast.lead().id()).isEqualTo("opus");
        assertThat(cast.chain()).hasSizeGreaterThan(1).doesNotHaveDuplicates();
        assertThat(cast.reason()).contains("reviewer prefers opus").contains("planner routed to");
    }

    @Test
    void theRoutersPickSkipsTheAuthorsVendorWhereAnotherIsUsable() {
        RoleModels rm = roleModels(catalog(true), Roles.defaults(), false);
        ModelSpec unconstrained = rm.cast(Roles.REVIEWER, "review this diff", Optional.empty()).lead();
        ModelSpec other = rm.cast(Roles.REVIEWER, "review this diff", Optional.empty(), Set.of(unconstrained.family())).lead();
        assertThat(other.family()).isNotEqualTo(unconstrained.family());
    }

    @Test
    void modelsWithoutAKeyAreNotCastAndLocalOnlyKeepsToLocalModels() {
        RoleModels noKeys = roleModels(catalog(false), Roles.defaults(), false);
        assertThat(noKeys.cast(Roles.IMPLEMENTER, "write the parser", Optional.empty()).chain()).extracting(ModelSpec::id).containsExactly("local");
        RoleModels local = roleModels(catalog(true), Roles.defaults(), true);
        assertThat(local.cast(Roles.PLANNER, "plan it", Optional.empty()).chain()).extracting(ModelSpec::id).containsOnly("local");
        assertThatThrownBy(() -> local.cast(Roles.PLANNER, "plan it", Optional.of("opus")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("local-only");
    }

    @Test
    void theCastModelFallsBackToTheNextVendorWhenTheFirstFails() {
        server.rule(Rule.fault(new Fault.HttpError(500)).forProtocol("anthropic"));
        server.rule(Rule.text("from the fallback").forProtocol("openai-chat"));
        RoleModels rm = roleModels(catalog(true), rolesWithReviewerModel("opus"), false);
        RoleModels.Cast cast = rm.cast(Roles.REVIEWER, "review", Optional.empty());
        assertThat(cast.model().chat(ChatRequest.of(ChatMessage.user("hi"))).text()).isEqualTo("from the fallback");
    }

    @Test
    void unknownRolesAndModelsAreRejectedWithTheKnownNames() {
        RoleModels rm = roleModels(catalog(true), Roles.defaults(), false);
        assertThatThrownBy(() -> rm.cast("critic", "x", Optional.empty())).hasMessageContaining("unknown role 'critic'").hasMessageContaining("reviewer");
        assertThatThrownBy(() -> rm.cast(Roles.REVIEWER, "x", Optional.of("gpt-9"))).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("gpt-9");
    }

    private static Roles rolesWithReviewerModel(String model) {
        var yaml = tools.jackson.databind.json.JsonMapper.builder().build().createObjectNode();
        yaml.putObject(Roles.REVIEWER).put("model", model);
        return Roles.load(yaml);
    }
}
