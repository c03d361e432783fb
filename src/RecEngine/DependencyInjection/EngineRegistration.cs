using Microsoft.Extensions.Options;
using RecEngine.Data;

namespace RecEngine;

/// <summary>What <see cref="RecEngineBuilder"/> collected: the models to create and the starting interactions.</summary>
internal sealed class EngineRegistration
{
    public List<(string Name, Func<IServiceProvider, EngineModel> Create)> Models { get; } = [];

    public Func<IServiceProvider, InteractionDataset?>? Start { get; set; }

    /// <summary>The engine options with the registered models added, or every problem found on the way.</summary>
    public (RecommendationEngineOptions? Options, List<string> Failures) Compose(RecommendationEngineOptions configured, IServiceProvider services)
    {
        var failures = new List<string>();
        var models = new List<EngineModel>();
        foreach ((string name, Func<IServiceProvider, EngineModel> create) in Models)
        {
            try
            {
                models.Add(create(services));
            }
            catch (ArgumentException e)
            {
                failures.Add($"Model '{name}': {e.Message.ReplaceLineEndings(" ")}");
            }
        }

        RecommendationEngineOptions options = configured.WithModels(models);
        Check(options.ValidateSettings, failures);
        if (failures.Count == 0)
        {
            // With every model created: at least one, distinct names, a default among them.
            Check(options.ValidateModels, failures);
        }

        return (failures.Count == 0 ? options : null, failures);
    }

    private static void Check(Action validate, List<string> failures)
    {
        try
        {
            validate();
        }
        catch (ArgumentException e)
        {
            failures.Add(e.Message.ReplaceLineEndings(" "));
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
