package dev.ensemble.cli;

import dev.ensemble.agents.enforce.ApprovePaths;
import dev.ensemble.agents.enforce.Policy;
import dev.ensemble.agents.process.SandboxPolicy;
import dev.ensemble.core.config.ConfigError;
import dev.ensemble.core.config.ConfigException;
import dev.ensemble.core.config.ConfigLoader;
import dev.ensemble.core.config.ConfigLocator;
import dev.ensemble.core.config.ConfigSnapshot;
import dev.ensemble.core.config.EnsembleConfig;
import dev.ensemble.core.config.TelemetrySettings;
import dev.ensemble.core.routing.Budget;
import dev.ensemble.core.routing.Roles;
import dev.ensemble.core.routing.RoutingSettings;
import dev.ensemble.engine.approval.ApprovalSettings;
import dev.ensemble.engine.pipeline.Pipelines;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Every section of the configuration, read and checked together: the one validation that
 * {@code config check}, {@code doctor} and every other command run before they do anything. The
 * schema has already checked every section's shape in every layer (types, ranges, unknown keys,
 * each at its file and line); each section's reader then checks what a schema cannot (a role's
 * fallback names a role, a pipeline step's placeholders, a policy's globs), with errors placed at
 * the same file, line and key. All problems are reported in one {@link ConfigException}.
 */
record Settings(EnsembleConfig config, Budget budget, RoutingSettings routing, Roles roles, Policy policy,
                Pipelines pipelines, TelemetrySettings telemetry, SandboxPolicy sandbox, ApprovePaths approvePaths,
                ApprovalSettings approvals) {

    /** @throws ConfigException listing every problem in every layer and section */
    static Settings load(ConfigLoader loader) {
        ConfigSnapshot snapshot = loader.snapshot();
        if (!snapshot.readable()) throw snapshot.failure(List.of());
        ConfigLocator at = snapshot.locator();
        List<ConfigError> errors = new ArrayList<>();
        Budget budget = read(errors, Budget.DEFAULT, () -> Budget.load(snapshot.section("budget"), at));
        RoutingSettings routing = read(errors, RoutingSettings.DEFAULTS, () -> RoutingSettings.load(snapshot.section("routing"), at));
        Roles roles = read(errors, null, () -> Roles.load(snapshot.section("roles"), at));
        Policy policy = read(errors, Policy.DEFAULT, () -> Policy.load(snapshot.section("policy"), at));
        // policy.sandbox, policy.network and policy.judge_network: the same section, the launcher's keys
        SandboxPolicy sandbox = read(errors, SandboxPolicy.DEFAULT, () -> SandboxPolicy.load(snapshot.section("policy"), at));
        ApprovePaths approvePaths = read(errors, ApprovePaths.NONE, () -> ApprovePaths.load(snapshot.section("policy"), at));
        ApprovalSettings approvals = read(errors, ApprovalSettings.DEFAULT, () -> ApprovalSettings.load(snapshot.section("approvals"), at));
        // steps name roles: with the roles in error, every custom role would be reported again as unknown
        Pipelines pipelines = roles == null ? null
                : read(errors, null, () -> Pipelines.load(snapshot.section("pipelines"), at, roles));
        // where traces may go is not taken from the repository's ensemble.yaml: see TelemetrySettings
        TelemetrySettings telemetry = read(errors, TelemetrySettings.OFF, () -> TelemetrySettings.load(
                snapshot.section("telemetry"), at, source -> !loader.isRepositoryLayer(source)));
        ConfigException failure = snapshot.failure(errors);
        if (failure != null) throw failure;
        return new Settings(snapshot.config().orElseThrow(), budget, routing, roles, policy, pipelines, telemetry, sandbox,
                approvePaths, approvals);
    }

    private static <T> T read(List<ConfigError> errors, T fallback, Supplier<T> reader) {
        try {
            return reader.get();
        } catch (ConfigException e) {
            errors.addAll(e.errors());
            return fallback;
        }
    }
}
