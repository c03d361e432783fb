using Microsoft.Extensions.DependencyInjection;
using RecEngine.Data;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;

namespace RecEngine;

/// <summary>
/// Configures the <see cref="RecommendationEngine"/> that
/// <see cref="RecEngineServiceCollectionExtensions.AddRecEngine"/> registers: its models (each also registered as a
/// keyed <see cref="IRecommender"/> under its name), the engine options and the interactions it starts from.
/// </summary>
/// <remarks>
/// Model options are configured in callbacks and checked, together with the engine options, when the options are
/// first validated (at host start-up, or when the engine is first resolved); every problem is reported at once in
/// an <see cref="Microsoft.Extensions.Options.OptionsValidationException"/> naming the model and the option.
/// </remarks>
public sealed class RecEngineBuilder
{
    private readonly EngineRegistration _registration;

    internal RecEngineBuilder(IServiceCollection services, EngineRegistration registration)
    {
        Services = services;
        _registration = registration;
    }

    /// <summary>The service collection the engine is registered in (for extensions such as the hosted service).</summary>
    public IServiceCollection Services { get; }

    /// <summary>Adds live implicit ALS (exact fold-in of every event).</summary>
    /// <param name="name">The model's name: its key as a keyed <see cref="IRecommender"/>.</param>
    /// <param name="configure">Sets training options; <see langword="null"/> for the defaults.</param>
    /// <param name="live">Sets how events update the factors; <see langword="null"/> for the defaults.</param>
    public RecEngineBuilder AddImplicitAls(string name = "als", Action<ImplicitAlsOptions>? configure = null, Action<LiveAlsOptions>? live = null) =>
        Add(name, _ => EngineModel.ImplicitAls(Configured(configure), Configured(live), name));

    /// <summary>Adds popularity (optionally time-decayed), updated by every event.</summary>
    public RecEngineBuilder AddPopularity(string name = "popularity", Action<PopularityOptions>? configure = null) =>
        Add(name, _ => EngineModel.Popularity(Configured(configure), name));

    /// <summary>Adds item-based k-nearest-neighbours with exact incremental neighbour statistics.</summary>
    public RecEngineBuilder AddItemKnn(string name = "item-knn", Action<NeighborhoodOptions>? configure = null) =>
        Add(name, _ => EngineModel.ItemKnn(Configured(configure), name));

    /// <summary>Adds user-based k-nearest-neighbours with exact incremental neighbour statistics.</summary>
    public RecEngineBuilder AddUserKnn(string name = "user-knn", Action<NeighborhoodOptions>? configure = null) =>
        Add(name, _ => EngineModel.UserKnn(Configured(configure), name));

    /// <summary>Adds the content model (item attributes, live user profiles; serves cold-start items).</summary>
    public RecEngineBuilder AddContent(string name = "content", Action<ContentOptions>? configure = null) =>
        Add(name, _ => EngineModel.Content(Configured(configure), name));

    /// <summary>
    /// Adds explicit-rating ALS with biases, trained at start and at every retrain (it rates, so events reach it
    /// through retraining; see <see cref="EngineModel.Retrained"/>).
    /// </summary>
    public RecEngineBuilder AddExplicitAls(string name = "explicit-als", Action<ExplicitAlsOptions>? configure = null)
    {
        return Add(name, _ =>
        {
            ExplicitAlsOptions options = Configured(configure);
            options.Validate();
            return EngineModel.Retrained(name, () => new ExplicitAlsRecommender(options));
        });
    }

    /// <summary>
    /// Adds the live neural scorer (<see cref="EngineModel.Neural"/>): trained at start and at every retrain, and
    /// following every event with one SGD step on the embeddings unless <paramref name="online"/> turns it off.
    /// </summary>
    public RecEngineBuilder AddNeural(string name = "mlp", Action<NeuralOptions>? configure = null, Action<NeuralOnlineOptions>? online = null) =>
        Add(name, _ => EngineModel.Neural(Configured(configure), Configured(online), name));

    /// <summary>
    /// Adds a two-stage model (<see cref="RerankingRecommender"/>): implicit ALS generates candidates and the neural
    /// scorer re-ranks the top <paramref name="candidateCount"/>; trained at start and at every retrain.
    /// </summary>
    public RecEngineBuilder AddReranker(
        string name = "rerank", Action<ImplicitAlsOptions>? candidates = null, Action<NeuralOptions>? scorer = null, int candidateCount = 100)
    {
        return Add(name, _ =>
        {
            ImplicitAlsOptions als = Configured(candidates);
            NeuralOptions neural = Configured(scorer);
            als.Validate();
            neural.Validate();
            ArgumentOutOfRangeException.ThrowIfLessThan(candidateCount, 1);
            return EngineModel.Retrained(name, () => new RerankingRecommender(new ImplicitAlsRecommender(als), new NeuralRecommender(neural), candidateCount));
        });
    }

    /// <summary>
    /// Adds a hybrid of implicit ALS and the neural scorer (<see cref="HybridRecommender"/>), with weights learned on a
    /// validation split at every training unless <paramref name="configure"/> turns that off; trained at start and at
    /// every retrain.
    /// </summary>
    public RecEngineBuilder AddHybrid(
        string name = "hybrid", Action<ImplicitAlsOptions>? als = null, Action<NeuralOptions>? neural = null, Action<HybridOptions>? configure = null)
    {
        return Add(name, _ =>
        {
            ImplicitAlsOptions alsOptions = Configured(als);
            NeuralOptions neuralOptions = Configured(neural);
            var hybrid = new HybridOptions { LearnWeights = true };
            configure?.Invoke(hybrid);
            alsOptions.Validate();
            neuralOptions.Validate();
            hybrid.Validate();
            return EngineModel.Retrained(name, () => new HybridRecommender(
                [(new ImplicitAlsRecommender(alsOptions), 0.5), (new NeuralRecommender(neuralOptions), 0.5)], hybrid));
        });
    }

    /// <summary>
    /// Adds any <see cref="IRecommender"/>, created from the service provider; it sees events through background
    /// retraining only (<see cref="EngineModel.Retrained"/>).
    /// </summary>
    /// <param name="name">The model's name.</param>
    /// <param name="create">Creates a new, unfitted instance each time the engine trains.</param>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    public RecEngineBuilder AddModel(string name, Func<IServiceProvider, IRecommender> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return Add(name, services => EngineModel.Retrained(name, () => create(services)));
    }

    /// <summary>Sets engine options: data directory, ingest weights and queue, retrain and snapshot schedules, default model.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="configure"/> is null.</exception>
    public RecEngineBuilder ConfigureEngine(Action<RecommendationEngineOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Services.Configure(configure);
        return this;
    }

    /// <summary>
    /// Sets the interactions the engine trains on when it starts without saved state (for example a loaded dataset);
    /// without it the engine starts empty, or from its data directory.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="start"/> is null.</exception>
    public RecEngineBuilder StartFrom(Func<IServiceProvider, InteractionDataset?> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        _registration.Start = start;
        return this;
    }

    private RecEngineBuilder Add(string name, Func<IServiceProvider, EngineModel> create)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _registration.Models.Add((name, create));
        Services.AddKeyedSingleton<IRecommender>(name, (services, _) => services.GetRequiredService<RecommendationEngine>().GetRecommender(name));
        return this;
    }

    private static T Configured<T>(Action<T>? configure)
        where T : new()
    {
        var options = new T();
        configure?.Invoke(options);
        return options;
    }
}
