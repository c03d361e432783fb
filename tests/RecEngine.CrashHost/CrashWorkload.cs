using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;

namespace RecEngine.CrashHost;

/// <summary>
/// What the crash host ingests, fixed by a seed: the starting interactions, the engine's options and one event per
/// index. The crash-recovery test uses the same workload to tell, from an event the recovered engine holds, which
/// submission it came from and what it should be.
/// </summary>
/// <remarks>
/// <para>
/// <b>Indices</b>: round <c>r</c> (one run of the host, ended by a kill) uses the indices from
/// <c>r * <see cref="RoundStride"/></c>; its submitter <c>s</c> submits the indices
/// <c>r * RoundStride + m * Submitters + s</c> for <c>m = 0, 1, 2, …</c>, one at a time, each only after the previous
/// one was acknowledged. So indices never repeat across rounds and every index names its round, submitter and place.
/// </para>
/// <para>
/// <b>Events</b>: the index is the event's timestamp in milliseconds after <see cref="Epoch"/> (the log keeps
/// milliseconds), so every logged event can be traced back to its index; user, item, kind and value are drawn from a
/// hash of the seed and the index.
/// </para>
/// <para>
/// <b>Models</b>: implicit ALS with item factors frozen after training, so that user fold-in does not depend on how
/// events fell into micro-batches and an engine fed the same events in the same order, in other batches, serves the
/// same; item-kNN and popularity, which the events determine exactly.
/// </para>
/// </remarks>
internal sealed class CrashWorkload
{
    /// <summary>Indices per round: far more than a round submits (<see cref="EventsPerRound"/>).</summary>
    public const long RoundStride = 1L << 20;

    /// <summary>Concurrent submitters in the host.</summary>
    public const int Submitters = 8;

    /// <summary>Events a run submits at most (then it idles until it is killed), so the log stays small.</summary>
    public const int EventsPerRound = 24_000;

    /// <summary>Acknowledged events between two explicit snapshots.</summary>
    public const int SnapshotEvery = 600;

    /// <summary>Users who appear only through events.</summary>
    public const int Visitors = 40;

    /// <summary>Events per micro-batch at most: small, so that a run writes many batches.</summary>
    public const int MaxBatchSize = 64;

    /// <summary>Timestamp of index 0.</summary>
    public static readonly DateTimeOffset Epoch = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly EventKind[] Kinds = [EventKind.View, EventKind.Click, EventKind.AddToCart, EventKind.Purchase];

    private readonly ulong _seed;

    /// <summary>The workload of <paramref name="seed"/>; builds its starting interactions.</summary>
    public CrashWorkload(int seed)
    {
        _seed = (ulong)seed;
        Start = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
        {
            Seed = seed,
            UserCount = 120,
            ItemCount = 150,
            InteractionCount = 3_000,
            Feedback = SyntheticFeedback.ImplicitEvents,
        });
    }

    /// <summary>The interactions every start trains on when no snapshot is there yet.</summary>
    public InteractionDataset Start { get; }

    /// <summary>The ids of the users who appear only through events.</summary>
    public static IEnumerable<string> VisitorIds => Enumerable.Range(0, Visitors).Select(VisitorId);

    /// <summary>The engine's options: <paramref name="directory"/> as the data directory (<see langword="null"/> for none), three models, small micro-batches.</summary>
    public static RecommendationEngineOptions Options(string? directory)
    {
        var options = new RecommendationEngineOptions { DataDirectory = directory, SnapshotsToKeep = 2 };
        options.Ingest.MaxBatchSize = MaxBatchSize;
        options.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 8, Iterations = 4, Seed = 5 }, new LiveAlsOptions { ItemUpdates = ItemUpdatePolicy.Never }));
        options.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 10 }));
        options.Models.Add(EngineModel.Popularity());
        return options;
    }

    /// <summary>The index submitter <paramref name="submitter"/> of round <paramref name="round"/> submits <paramref name="position"/>-th.</summary>
    public static long Index(int round, int submitter, long position) => (round * RoundStride) + (position * Submitters) + submitter;

    /// <summary>The round, submitter and position of <paramref name="index"/>.</summary>
    public static (int Round, int Submitter, long Position) Decode(long index)
    {
        long withinRound = index % RoundStride;
        return ((int)(index / RoundStride), (int)(withinRound % Submitters), withinRound / Submitters);
    }

    /// <summary>The index an event's timestamp encodes.</summary>
    public static long IndexOf(DateTimeOffset timestamp) => (long)(timestamp - Epoch).TotalMilliseconds;

    /// <summary>The event of <paramref name="index"/>.</summary>
    public Interaction Event(long index)
    {
        ulong h = Mix(_seed ^ ((ulong)index * 0x9E3779B97F4A7C15UL));
        string user = (h & 3) == 0 ? VisitorId((int)((h >> 2) % Visitors)) : Start.Users.GetId((int)((h >> 8) % (ulong)Start.UserCount));
        string item = Start.Items.GetId((int)((h >> 24) % (ulong)Start.ItemCount));
        EventKind kind = Kinds[(int)((h >> 40) & 3)];
        float value = 1 + (float)((h >> 44) % 3);
        return new Interaction(user, item, value, Epoch.AddMilliseconds(index), kind);
    }

    private static string VisitorId(int visitor) => $"visitor-{visitor}";

    /// <summary>SplitMix64's finaliser (Steele, Lea and Flood, 2014): a well-mixed 64-bit hash of a counter.</summary>
    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
