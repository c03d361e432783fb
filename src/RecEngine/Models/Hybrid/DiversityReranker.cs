using System.Buffers;
using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Hybrid;

/// <summary>
/// Diversifies any recommender's lists by maximal marginal relevance (Carbonell and Goldstein 1998, "The use of MMR,
/// diversity-based reranking"): from the inner model's top <c>M</c> candidates, it picks one item at a time, each
/// maximising <c>λ · rel(i) − (1 − λ) · max_{j picked} sim(i, j)</c>.
/// </summary>
/// <remarks>
/// <para>
/// <c>rel</c> is the inner model's score scaled to [0, 1] over the candidates (min-max); <c>sim</c> is the item
/// similarity of <c>similarity</c> (for example the cosine of ALS factors or of content vectors), a model fitted with
/// this one; pairs it has no similarity for count as 0. λ = 1 keeps the inner order; lower values trade relevance for
/// variety. The score of a recommended item is its marginal value when it was picked. Filters and seen-item
/// exclusion apply to the candidates, through the inner model.
/// </para>
/// <para>
/// <c>Score</c>, <c>SimilarItems</c> and <c>IsKnownUser</c> are the inner model's (diversity is a property of a list,
/// not of an item). A top-N call costs the inner model's top-M plus M similarity rows of the catalog.
/// </para>
/// </remarks>
public sealed class DiversityReranker : IRecommender
{
    private readonly IRecommender _inner;
    private readonly RecommenderBase _similarity;
    private readonly double _tradeoff;
    private readonly int _candidateCount;

    /// <summary>Creates the re-ranker.</summary>
    /// <param name="inner">The recommender whose lists are diversified.</param>
    /// <param name="similarity">The RecEngine model whose item similarity measures redundancy; may be <paramref name="inner"/>.</param>
    /// <param name="tradeoff">λ in [0, 1]: 1 is pure relevance.</param>
    /// <param name="candidateCount">M, the candidates taken from the inner model (at least the list length asked for).</param>
    /// <exception cref="ArgumentNullException">A model is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">λ is outside [0, 1] or M below 1.</exception>
    public DiversityReranker(IRecommender inner, RecommenderBase similarity, double tradeoff = 0.7, int candidateCount = 50)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(similarity);
        if (!(tradeoff is >= 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(tradeoff), tradeoff, "The trade-off must be in [0, 1].");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(candidateCount, 1);
        _inner = inner;
        _similarity = similarity;
        _tradeoff = tradeoff;
        _candidateCount = candidateCount;
    }

    /// <inheritdoc/>
    public string Name => $"{_inner.Name}-mmr";

    /// <summary>The kind under which model files store this re-ranker.</summary>
    internal const string Kind = "mmr";

    /// <summary>The recommender whose lists are diversified.</summary>
    internal IRecommender Inner => _inner;

    /// <summary>The model whose item similarity measures redundancy.</summary>
    internal RecommenderBase Similarity => _similarity;

    /// <summary>
    /// Writes λ, M, the inner model as a nested model, whether the similarity model is the inner one, and (when it
    /// is not) the similarity model, each with its current state.
    /// </summary>
    internal void WriteState(StateWriter writer)
    {
        writer.Write(_tradeoff);
        writer.Write(_candidateCount);
        ModelFile.WritePart(writer, _inner, null, null);
        bool same = ReferenceEquals(_inner, _similarity);
        writer.Write(same);
        if (!same)
        {
            ModelFile.WritePart(writer, _similarity, null, (_inner as RecommenderBase)?.TrainedOrNull?.Context);
        }
    }

    /// <summary>Reads a re-ranker written by <see cref="WriteState"/>.</summary>
    internal static DiversityReranker ReadState(StateReader reader)
    {
        double tradeoff = reader.ReadDouble();
        int candidateCount = reader.ReadInt32();
        IRecommender inner = ModelFile.ReadPart(reader, null);
        RecommenderBase similarity;
        if (reader.ReadBoolean())
        {
            similarity = inner as RecommenderBase ?? throw reader.Invalid($"has a diversity re-ranker whose similarity model is its inner {inner.GetType().Name}, which cannot be one.");
        }
        else
        {
            similarity = ModelFile.ReadPart(reader, (inner as RecommenderBase)?.TrainedOrNull?.Context) as RecommenderBase
                ?? throw reader.Invalid("has a diversity re-ranker whose similarity model is another diversity re-ranker.");
        }

        // The constructor checks λ and M; its ArgumentOutOfRangeException becomes InvalidDataException.
        return new DiversityReranker(inner, similarity, tradeoff, candidateCount);
    }

    /// <inheritdoc/>
    public bool IsFitted => _inner.IsFitted && _similarity.IsFitted;

    /// <inheritdoc/>
    /// <remarks>Fits the inner model, and the similarity model when it is another instance.</remarks>
    public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        _inner.Fit(dataset, progress, cancellationToken);
        if (!ReferenceEquals(_inner, _similarity))
        {
            _similarity.Fit(dataset, progress, cancellationToken);
        }
    }

    /// <inheritdoc/>
    public bool IsKnownUser(string userId) => _inner.IsKnownUser(userId);

    /// <inheritdoc/>
    public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var result = new ScoredItem[count];
        int written = Recommend(userId, result, options);
        return written == count ? result : result[..written];
    }

    /// <inheritdoc/>
    public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(userId);
        if (destination.IsEmpty)
        {
            throw new ArgumentException("The destination must have room for at least one item.", nameof(destination));
        }

        TrainedModel similarity = _similarity.TrainedOrNull ?? throw new InvalidOperationException($"The '{_similarity.Name}' similarity model must be fitted before it is used.");
        int m = Math.Max(_candidateCount, destination.Length);
        ScoredItem[] candidateBuffer = ArrayPool<ScoredItem>.Shared.Rent(m);
        try
        {
            Span<ScoredItem> candidates = candidateBuffer.AsSpan(0, _inner.Recommend(userId, candidateBuffer.AsSpan(0, m), options));
            return Select(candidates, similarity, destination);
        }
        finally
        {
            ArrayPool<ScoredItem>.Shared.Return(candidateBuffer, clearArray: true);
        }
    }

    /// <inheritdoc/>
    public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores) => _inner.Score(userId, itemIds, scores);

    /// <inheritdoc/>
    public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null) => _inner.SimilarItems(itemId, destination, options);

    /// <inheritdoc/>
    public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null) => _inner.SimilarItems(itemId, count, options);

    /// <summary>Greedy MMR over <paramref name="candidates"/> into <paramref name="destination"/>; returns the count written.</summary>
    private int Select(ReadOnlySpan<ScoredItem> candidates, TrainedModel similarity, Span<ScoredItem> destination)
    {
        int m = candidates.Length;
        int n = similarity.Context.ItemCount;
        int want = Math.Min(destination.Length, m);
        float[] relevance = ArrayPool<float>.Shared.Rent(m);
        float[] redundancy = ArrayPool<float>.Shared.Rent(m);
        int[] indices = ArrayPool<int>.Shared.Rent(m);
        bool[] picked = ArrayPool<bool>.Shared.Rent(m);
        float[] row = ArrayPool<float>.Shared.Rent(Math.Max(n, 1));
        try
        {
            float low = float.PositiveInfinity, high = float.NegativeInfinity;
            for (int c = 0; c < m; c++)
            {
                low = Math.Min(low, candidates[c].Score);
                high = Math.Max(high, candidates[c].Score);
                indices[c] = similarity.Context.TrainedItemIndex(candidates[c].ItemId);
                redundancy[c] = 0f;
                picked[c] = false;
            }

            float range = high - low;
            for (int c = 0; c < m; c++)
            {
                relevance[c] = range > 0 && float.IsFinite(range) ? (candidates[c].Score - low) / range : 1f;
            }

            float lambda = (float)_tradeoff;
            for (int position = 0; position < want; position++)
            {
                int best = -1;
                float bestValue = float.NegativeInfinity;
                for (int c = 0; c < m; c++)
                {
                    float value = (lambda * relevance[c]) - ((1 - lambda) * redundancy[c]);
                    if (!picked[c] && (best < 0 || value > bestValue))
                    {
                        (best, bestValue) = (c, value);
                    }
                }

                picked[best] = true;
                destination[position] = new ScoredItem(candidates[best].ItemId, bestValue);

                // The new pick's similarity to every other candidate raises their redundancy.
                if (indices[best] >= 0 && similarity.TrySimilarTo(indices[best], row.AsSpan(0, n)))
                {
                    for (int c = 0; c < m; c++)
                    {
                        float s = indices[c] >= 0 ? row[indices[c]] : 0f;
                        if (float.IsFinite(s) && s > redundancy[c])
                        {
                            redundancy[c] = s;
                        }
                    }
                }
            }

            return want;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(relevance);
            ArrayPool<float>.Shared.Return(redundancy);
            ArrayPool<int>.Shared.Return(indices);
            ArrayPool<bool>.Shared.Return(picked);
            ArrayPool<float>.Shared.Return(row);
        }
    }
}
