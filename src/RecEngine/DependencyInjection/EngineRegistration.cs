using Microsoft.Extensions.Options;
using RecEngine.Data;

namespace RecEngine;

/// <summary>What <see cref="RecEngineBuilder"/> collected: the models to create and the starting interactions.</summary>
internal sealed class EngineRegistration
{
    private readonly Lock _gate = new();
    private RecommendationEngineOptions? _lastConfigured;
    private (RecommendationEngineOptions? Options, List<string> Failures) _lastComposed;

    public List<(string Name, Func<IServiceProvider, EngineModel> Create)> Models { get; } = [];

    public Func<IServiceProvider, InteractionDataset?>? Start { get; set; }

    /// <summary>
    /// The engine options with the registered models added, or every problem found on the way: each model that
    /// cannot be created (named), the model names (none, repeated, default not among them) and the engine settings.
    /// The result is kept for the last configured options, so validation and the start compose once.
    /// </summary>
    public (RecommendationEngineOptions? Options, List<string> Failures) Compose(RecommendationEngineOptions configured, IServiceProvider services)
    {
        lock (_gate)
        {
            if (ReferenceEquals(configured, _lastConfigured))
            {
                return _lastComposed;
            }

            var failures = new List<string>();
            var models = new List<EngineModel>();
            foreach ((string name, Func<IServiceProvider, EngineModel> create) in Models)
            {
                try
                {
                    models.Add(create(services));
                }
                catch (Exception e) when (e is ArgumentException or NotSupportedException)
                {
                    failures.Add($"Model '{name}': {e.Message.ReplaceLineEndings(" ")}");
                }
            }

            RecommendationEngineOptions options = configured.WithModels(models);
            options.TimeProvider ??= (TimeProvider?)services.GetService(typeof(TimeProvider));
            string[] names = [.. configured.Models.Select(m => m.Name), .. Models.Select(m => m.Name)];
            failures.AddRange(RecommendationEngineOptions.ModelNameProblems(names, configured.DefaultModel).Select(p => p.Message));
            try
            {
                options.ValidateSettings();
            }
            catch (ArgumentException e)
            {
                failures.Add(e.Message.ReplaceLineEndings(" "));
            }

            _lastConfigured = configured;
            _lastComposed = (failures.Count == 0 ? options : null, failures);
            return _lastComposed;
        }
    }
}

/// <summary>Checks the engine options and every registered model's options together (at start-up with <c>ValidateOnStart</c>).</summary>
internal sealed class EngineOptionsValidator(EngineRegistration registration, IServiceProvider services) : IValidateOptions<RecommendationEngineOptions>
{
    public ValidateOptionsResult Validate(string? name, RecommendationEngineOptions options)
    {
        if (name != Options.DefaultName)
        {
            return ValidateOptionsResult.Skip;
        }

        List<string> failures = registration.Compose(options, services).Failures;
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
