using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;
using RecEngine.Persistence;

namespace RecEngine;

/// <summary>
/// One model a <see cref="RecommendationEngine"/> serves: how to train it on the engine's interactions and how it
/// follows events afterwards. Create one with the static methods; add it to
/// <see cref="RecommendationEngineOptions.Models"/>.
/// </summary>
/// <remarks>
/// <para>
/// <b>Real-time models</b> (<see cref="FollowsEvents"/> true): implicit ALS (exact user fold-in per micro-batch,
/// item factors by <see cref="LiveAlsOptions"/>), popularity, item-kNN and user-kNN (exact incremental neighbour
/// statistics), content (incremental user profiles) and the neural scorer (one SGD step on the embeddings per
/// event). Every micro-batch publishes a new version, visible to the next <c>Recommend</c>.
/// </para>
/// <para>
/// <b>Retrained models</b> (<see cref="Retrained"/>): any <see cref="IRecommender"/>, for instance explicit ALS or a
/// model of your own. Events reach it only through a retrain (<see cref="RecommendationEngine.RetrainAsync"/> or
/// <see cref="RecommendationEngineOptions.RetrainInterval"/>); until then it serves what it was trained on, and a
/// user's newest items are not yet excluded from their recommendations.
/// </para>
/// </remarks>
public sealed class EngineModel
{
    private readonly Func<InteractionDataset, IProgress<TrainingProgress>?, CancellationToken, ILiveModel> _start;
    private readonly Func<InteractionDataset, SavedState, ILiveModel?>? _restore;
    private readonly Action<StateWriter>? _writeSettings;

    private EngineModel(
        string name, string kind, object[] settings, Action<StateWriter>? writeSettings, bool followsEvents,
        Func<InteractionDataset, IProgress<TrainingProgress>?, CancellationToken, ILiveModel> start,
        Func<InteractionDataset, SavedState, ILiveModel?>? restore = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Kind = kind;
        Settings = settings;
        _writeSettings = writeSettings;
        FollowsEvents = followsEvents;
        _start = start;
        _restore = restore;
    }

    /// <summary>The factory kinds a saved configuration names (<see cref="Kind"/>).</summary>
    internal static class Kinds
    {
        public const string ImplicitAls = "implicit-als";
        public const string Neural = "neural";
        public const string Popularity = "popularity";
        public const string ItemKnn = "item-knn";
        public const string UserKnn = "user-knn";
        public const string Content = "content";
        public const string Retrained = "retrained";
    }

    /// <summary>The name the engine serves the model under (<see cref="RecommendationEngine.GetRecommender"/>).</summary>
    public string Name { get; }

    /// <summary>Whether every event updates the model as it arrives; otherwise only retraining brings events in.</summary>
    public bool FollowsEvents { get; }

    /// <summary>Which factory made the model (one of <see cref="Kinds"/>), as a saved configuration records it.</summary>
    internal string Kind { get; }

    /// <summary>The options the factory was given (for a built-in model), in the order it takes them.</summary>
    internal IReadOnlyList<object> Settings { get; }

    /// <summary>Whether a saved configuration can make the model again: a built-in model, not a factory of the host's own.</summary>
    internal bool CanRebuild => _writeSettings is not null;

    /// <summary>Writes the options (a built-in model only; see <see cref="CanRebuild"/>).</summary>
    internal void WriteSettings(StateWriter writer) => (_writeSettings ?? throw new InvalidOperationException($"Model '{Name}' has a factory of the host's own.")).Invoke(writer);

    /// <summary>Makes a built-in model of <paramref name="kind"/> again from the options <see cref="WriteSettings"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The kind is unknown, or the options are malformed or out of range.</exception>
    /// <exception cref="NotSupportedException">The model was made by <see cref="Retrained"/> with a factory of the host's own.</exception>
    internal static EngineModel Read(StateReader reader, string name, string kind)
    {
        if (kind == Kinds.Retrained)
        {
            throw new NotSupportedException(
                $"Model '{name}' of the saved engine was made by EngineModel.Retrained with a factory of the host's own, which a saved state cannot make again; load the engine with RecommendationEngineOptions that configure its models.");
        }

        try
        {
            return kind switch
            {
                Kinds.ImplicitAls => ImplicitAls(ImplicitAlsOptions.Read(reader), LiveAlsOptions.Read(reader), name),
                Kinds.Neural => Neural(NeuralOptions.Read(reader), NeuralOnlineOptions.Read(reader), name),
                Kinds.Popularity => Popularity(PopularityOptions.Read(reader), name),
                Kinds.ItemKnn => ItemKnn(NeighborhoodOptions.Read(reader), name),
                Kinds.UserKnn => UserKnn(NeighborhoodOptions.Read(reader), name),
                Kinds.Content => Content(ContentOptions.Read(reader), name),
                _ => throw reader.Invalid($"configures model '{name}' of an unknown kind '{kind}'."),
            };
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            throw reader.Invalid($"configures model '{name}' ({kind}) with invalid options: {e.Message}");
        }
    }

    /// <summary>Implicit-feedback ALS, fitted on the engine's interactions, then following events by exact fold-in.</summary>
    /// <param name="options">Training options; <see langword="null"/> for the defaults.</param>
    /// <param name="live">How events update the factors; <see langword="null"/> for the defaults.</param>
    /// <param name="name">The model's name in the engine.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static EngineModel ImplicitAls(ImplicitAlsOptions? options = null, LiveAlsOptions? live = null, string name = "als")
    {
        options ??= new ImplicitAlsOptions();
        live ??= new LiveAlsOptions();
        options.Validate();
        live.Validate();
        return new EngineModel(
            name,
            Kinds.ImplicitAls,
            [options, live],
            writer =>
            {
                options.Write(writer);
                live.Write(writer);
            },
            true,
            (data, progress, cancellationToken) =>
            {
                var fitted = new ImplicitAlsRecommender(options);
                fitted.Fit(data, progress, cancellationToken);
                return new LiveImplicitAls(fitted, live);
            },
            (history, state) => state.Kind == LiveImplicitAls.StateKind ? LiveImplicitAls.TryRestore(history, options, live, state.Data) : null);
    }

    /// <summary>
    /// The neural scorer, trained on the engine's interactions, then following events: with the online step (the
    /// default) each event moves the user's embedding (and the items') by one SGD step through the fixed network, so
    /// the scorer follows the user in real time; retrains update the network itself.
    /// </summary>
    /// <param name="options">Training options; <see langword="null"/> for the defaults.</param>
    /// <param name="online">How events update the embeddings; <see langword="null"/> for the defaults.</param>
    /// <param name="name">The model's name in the engine.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static EngineModel Neural(NeuralOptions? options = null, NeuralOnlineOptions? online = null, string name = "mlp")
    {
        options ??= new NeuralOptions();
        online ??= new NeuralOnlineOptions();
        options.Validate();
        online.Validate();
        return new EngineModel(
            name,
            Kinds.Neural,
            [options, online],
            writer =>
            {
                options.Write(writer);
                online.Write(writer);
            },
            true,
            (data, progress, cancellationToken) =>
            {
                var fitted = new NeuralRecommender(options);
                fitted.Fit(data, progress, cancellationToken);
                return new LiveNeural(fitted, online);
            },
            (history, state) => state.Kind == LiveNeural.StateKind ? LiveNeural.TryRestore(history, options, online, state.Data) : null);
    }

    /// <summary>Popularity (optionally decayed by a half-life), updated by every event.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="name">The model's name in the engine.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static EngineModel Popularity(PopularityOptions? options = null, string name = "popularity")
    {
        options ??= new PopularityOptions();
        options.Validate();
        return new EngineModel(name, Kinds.Popularity, [options], options.Write, true, (data, _, _) => new LivePopularity(data, options));
    }

    /// <summary>Item-based kNN whose neighbour lists follow every event exactly.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults. Weighting and normalised similarities are not supported.</param>
    /// <param name="name">The model's name in the engine.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="NotSupportedException">The options ask for a weighting or for normalised similarities.</exception>
    public static EngineModel ItemKnn(NeighborhoodOptions? options = null, string name = "item-knn") => Neighborhood(options, name, itemBased: true);

    /// <summary>User-based kNN whose neighbour lists follow every event exactly.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults. Weighting and normalised similarities are not supported.</param>
    /// <param name="name">The model's name in the engine.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="NotSupportedException">The options ask for a weighting or for normalised similarities.</exception>
    public static EngineModel UserKnn(NeighborhoodOptions? options = null, string name = "user-knn") => Neighborhood(options, name, itemBased: false);

    /// <summary>
    /// Content similarity from the item attributes of the engine's starting interactions; user profiles follow every
    /// event. Items first seen in events have no attributes, so they are not content candidates.
    /// </summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <param name="name">The model's name in the engine.</param>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public static EngineModel Content(ContentOptions? options = null, string name = "content")
    {
        options ??= new ContentOptions();
        options.Validate();
        return new EngineModel(name, Kinds.Content, [options], options.Write, true, (data, _, _) => new LiveContent(data, options));
    }

    /// <summary>
    /// Any recommender, trained when the engine starts and again at every retrain; events reach it only through
    /// retraining.
    /// </summary>
    /// <param name="name">The model's name in the engine.</param>
    /// <param name="create">Makes a new, unfitted recommender for each training (called once per start or retrain).</param>
    /// <exception cref="ArgumentException"><paramref name="name"/> is null, empty or white space.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="create"/> is null.</exception>
    public static EngineModel Retrained(string name, Func<IRecommender> create)
    {
        ArgumentNullException.ThrowIfNull(create);
        return new EngineModel(
            name,
            Kinds.Retrained,
            [],
            writeSettings: null,
            false,
            (data, progress, cancellationToken) =>
            {
                IRecommender recommender = create() ?? throw new InvalidOperationException($"The factory of model '{name}' returned null.");
                recommender.Fit(data, progress, cancellationToken);
                return new RetrainedModel(recommender);
            },
            (_, state) => RetrainedModel.TryRestore(state, create));
    }

    /// <summary>Trains the model on <paramref name="data"/> and returns it ready to follow events.</summary>
    internal ILiveModel Start(InteractionDataset data, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken) =>
        _start(data, progress, cancellationToken);

    /// <summary>
    /// The model as it was when a snapshot saved <paramref name="state"/> after <paramref name="history"/>; a model
    /// without saved state (or whose state does not fit the options, such as another number of factors) is started
    /// on <paramref name="history"/>, which for the real-time models other than ALS rebuilds it exactly.
    /// </summary>
    internal ILiveModel Restore(InteractionDataset history, SavedState? state, Action<string> unfit, CancellationToken cancellationToken)
    {
        if (state is not null)
        {
            if (_restore?.Invoke(history, state) is { } restored)
            {
                return restored;
            }

            if (_restore is not null)
            {
                unfit(state.Kind);
            }
        }

        return Start(history, null, cancellationToken);
    }

    private static EngineModel Neighborhood(NeighborhoodOptions? options, string name, bool itemBased)
    {
        options ??= new NeighborhoodOptions();
        options.Validate();
        LiveNeighborhood.EnsureSupported(options);
        string kind = itemBased ? LiveNeighborhood.ItemStateKind : LiveNeighborhood.UserStateKind;
        return new EngineModel(
            name,
            itemBased ? Kinds.ItemKnn : Kinds.UserKnn,
            [options],
            options.Write,
            true,
            (data, _, _) => new LiveNeighborhood(data, itemBased, options),
            (history, state) => state.Kind == kind ? LiveNeighborhood.TryRestore(history, itemBased, options, state.Data) : null);
    }

    /// <summary>
    /// A model events do not update: it serves what it was fitted on until the next retrain. A RecEngine model is
    /// saved in snapshots as a model file, so a restart serves what it served instead of training on everything.
    /// </summary>
    private sealed class RetrainedModel(IRecommender recommender) : ILiveModel
    {
        private const string StateKind = "model-file";

        public IRecommender Recommender => recommender;

        public void Apply(ReadOnlySpan<WeightedEvent> batch)
        {
        }

        public SavedState? CaptureState()
        {
            if (!recommender.IsFitted || !ModelFile.CanSave(recommender))
            {
                return null;
            }

            using var buffer = new MemoryStream();
            ModelFile.Save(recommender, buffer);
            return new SavedState(StateKind, buffer.ToArray());
        }

        /// <summary>The saved model, when it is of the class the factory makes (else the model is trained again).</summary>
        public static RetrainedModel? TryRestore(SavedState state, Func<IRecommender> create)
        {
            if (state.Kind != StateKind)
            {
                return null;
            }

            try
            {
                IRecommender loaded = ModelFile.Load(new MemoryStream(state.Data, writable: false));
                return loaded.GetType() == create()?.GetType() ? new RetrainedModel(loaded) : null;
            }
            catch (InvalidDataException)
            {
                return null;
            }
        }
    }
}
