using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace RecEngine;

/// <summary>Registers RecEngine with dependency injection.</summary>
public static class RecEngineServiceCollectionExtensions
{
    /// <summary>
    /// Registers a <see cref="RecommendationEngine"/> configured by <paramref name="configure"/>, as singletons:
    /// the engine itself, <see cref="IEventIngest"/> (the engine), <see cref="IRecommender"/> (its default model),
    /// one keyed <see cref="IRecommender"/> per model under the model's name, and the
    /// <see cref="RecommendationEngineProvider"/> that starts and stops it. Options are validated at start-up
    /// (<c>ValidateOnStart</c>) when a host runs; the <c>RecEngine.Hosting</c> package adds the hosted service that
    /// starts the engine with the host and drains it on shutdown.
    /// </summary>
    /// <example>
    /// <code>
    /// services.AddRecEngine(engine => engine
    ///     .AddImplicitAls("als", als => als.Factors = 64)
    ///     .AddItemKnn("similar")
    ///     .ConfigureEngine(options => options.DataDirectory = "state"));
    /// </code>
    /// </example>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Adds models and sets options.</param>
    /// <returns>The service collection.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">RecEngine is registered already in this collection.</exception>
    public static IServiceCollection AddRecEngine(this IServiceCollection services, Action<RecEngineBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(EngineRegistration)))
        {
            throw new InvalidOperationException("AddRecEngine has been called already; one engine serves every model, so add all models in one call.");
        }

        var registration = new EngineRegistration();
        services.AddSingleton(registration);
        services.AddOptions<RecommendationEngineOptions>().ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<RecommendationEngineOptions>, EngineOptionsValidator>());
        services.AddSingleton<RecommendationEngineProvider>();
        services.AddSingleton(provider => provider.GetRequiredService<RecommendationEngineProvider>().GetEngineAsync().GetAwaiter().GetResult());
        services.AddSingleton<IEventIngest>(provider => provider.GetRequiredService<RecommendationEngine>());
        services.AddSingleton(provider => provider.GetRequiredService<RecommendationEngine>().Recommender);
        configure(new RecEngineBuilder(services, registration));
        return services;
    }
}
