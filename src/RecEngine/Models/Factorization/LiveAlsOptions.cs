using RecEngine.Persistence;

namespace RecEngine.Models.Factorization;

/// <summary>When the live ALS model re-solves the factors of the items that received events.</summary>
public enum ItemUpdatePolicy
{
    /// <summary>After every micro-batch, right after its users: new items are scored from their first batch.</summary>
    EveryBatch,

    /// <summary>Once <see cref="LiveAlsOptions.ItemUpdateEvents"/> events have arrived since the last item update.</summary>
    EveryNEvents,

    /// <summary>
    /// Never: item factors stay those of the fit, and new items score 0 until the engine retrains the model in the
    /// background (<c>RecommendationEngineOptions.RetrainInterval</c> or <c>RetrainAsync</c>).
    /// </summary>
    Never,
}

/// <summary>How the implicit ALS model of an engine follows events (user fold-in always; item updates and Gram refreshes by these options).</summary>
public sealed class LiveAlsOptions
{
    /// <summary>When item factors are re-solved. The default is <see cref="ItemUpdatePolicy.EveryBatch"/>.</summary>
    public ItemUpdatePolicy ItemUpdates { get; set; } = ItemUpdatePolicy.EveryBatch;

    /// <summary>Events between two item updates under <see cref="ItemUpdatePolicy.EveryNEvents"/>. The default is 1,000.</summary>
    public int ItemUpdateEvents { get; set; } = 1_000;

    /// <summary>
    /// Factor rows of one side changed before its Gram matrix (XᵀX or YᵀY) is recomputed exactly, when next used (in
    /// between it is updated by rank-one corrections in double precision). The default is 100,000.
    /// </summary>
    public int GramRefreshUpdates { get; set; } = 100_000;

    /// <summary>
    /// Memory for the users' cached confidence terms (k² doubles per user, least recently used evicted), in
    /// megabytes; 0 to cache nothing. While item factors stay fixed (<see cref="ItemUpdatePolicy.Never"/>, or between
    /// updates under <see cref="ItemUpdatePolicy.EveryNEvents"/>), a cached user's exact fold-in costs O(n k + k³)
    /// instead of O(n k² + k³) for a history of n items; an item update empties the cache. Not used under
    /// <see cref="ItemUpdatePolicy.EveryBatch"/> (the default policy). The default is 128 (4,096 users at k = 64).
    /// </summary>
    public int ConfidenceCacheMegabytes { get; set; } = 128;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(ItemUpdates))
        {
            throw new ArgumentOutOfRangeException(nameof(ItemUpdates), ItemUpdates, "Unknown item update policy.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(ItemUpdateEvents, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(GramRefreshUpdates, 1);
        if (ConfidenceCacheMegabytes is < 0 or > 1 << 20)
        {
            throw new ArgumentOutOfRangeException(nameof(ConfidenceCacheMegabytes), ConfidenceCacheMegabytes, "ConfidenceCacheMegabytes must be in [0, 1048576].");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write((int)ItemUpdates);
        writer.Write(ItemUpdateEvents);
        writer.Write(GramRefreshUpdates);
        writer.Write(ConfidenceCacheMegabytes);
    }

    /// <summary>Reads options written by <see cref="Write"/> (not validated).</summary>
    internal static LiveAlsOptions Read(StateReader reader) => new()
    {
        ItemUpdates = reader.ReadEnum<ItemUpdatePolicy>("item update policy"),
        ItemUpdateEvents = reader.ReadInt32(),
        GramRefreshUpdates = reader.ReadInt32(),
        ConfidenceCacheMegabytes = reader.ReadInt32(),
    };
}
