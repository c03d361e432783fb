using System.Buffers;
using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Content;

/// <summary>
/// Content-based recommendation from item attributes: items are unit vectors over their categories, title and
/// tags (TF-IDF) and numeric attributes (<see cref="ContentOptions"/> weighs the blocks); two items are as similar
/// as their vectors' cosine; a user's profile is the weighted mean of the vectors of the items they interacted with,
/// and an item's score is its cosine with the profile. The answer to cold start: items with no interaction at all
/// are recommended as soon as they have attributes, and <see cref="SimilarItems(ItemAttributes, int, RecommendOptions?)"/>
/// works for an item known only by its attributes.
/// </summary>
/// <remarks>
/// <para>
/// Fit builds the vocabularies from every described item of the dataset's <see cref="ItemCatalog"/> (including
/// items without interactions), the items' vectors (contiguous sparse rows) and the users' profiles. Memory is
/// O(nnz of the item vectors + nnz of the profiles). Recommend and SimilarItems score the whole catalog: O(nnz of
/// the item vectors) per call, with pooled buffers. Users whose profile is empty (no interaction with a described
/// item) and items without attributes get the popularity fallback.
/// </para>
/// <para>Thread safety: see <see cref="RecommenderBase"/>.</para>
/// </remarks>
public sealed class ContentRecommender : RecommenderBase
{
    private readonly ContentOptions _options;

    /// <summary>Creates the recommender.</summary>
    /// <param name="options">Options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    public ContentRecommender(ContentOptions? options = null)
    {
        _options = options ?? new ContentOptions();
        _options.Validate();
    }

    /// <inheritdoc/>
    public override string Name => "content";

    /// <summary>
    /// The items most similar to an item described only by <paramref name="attributes"/> (for example one not yet
    /// in the catalog), by cosine of the content vectors, best first.
    /// </summary>
    /// <param name="attributes">The item's attributes; categories and tokens unknown to the fitted model are ignored.</param>
    /// <param name="count">The number of items wanted; at least 1.</param>
    /// <param name="options">Filters; <see langword="null"/> for none.</param>
    /// <returns>Up to <paramref name="count"/> items; the popularity fallback when no attribute is known to the model.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="attributes"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is less than 1.</exception>
    /// <exception cref="InvalidOperationException">The model has not been fitted.</exception>
    public IReadOnlyList<ScoredItem> SimilarItems(ItemAttributes attributes, int count, RecommendOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var model = (ContentModel)Current;
        var indices = new List<int>();
        var values = new List<float>();
        model.Space.Vectorize(attributes, indices, values);
        var result = new ScoredItem[Math.Min(count, model.Context.ItemCount)];
        options ??= RecommendOptions.Default;
        if (indices.Count == 0)
        {
            int popular = Popular(model, result, options, excludedItem: -1);
            return popular == result.Length ? result : result[..popular];
        }

        float[] buffer = ArrayPool<float>.Shared.Rent(model.Context.ItemCount);
        try
        {
            Span<float> scores = buffer.AsSpan(0, model.Context.ItemCount);
            model.ScoreAgainst(indices.ToArray(), values.ToArray(), scores);
            int written = SelectScores(model, scores, result, options);
            return written == result.Length ? result : result[..written];
        }
        finally
        {
            ArrayPool<float>.Shared.Return(buffer);
        }
    }

    private protected override TrainedModel Train(InteractionDataset dataset, FitContext context, IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        var space = FeatureSpace.Build(dataset.Catalog, _options);
        SparseRows items = ItemVectors(dataset.Catalog, space, cancellationToken);
        DuplicatePolicy duplicates = _options.Values == MatrixValues.Weight ? DuplicatePolicy.Sum : DuplicatePolicy.LastWins;
        var matrix = InteractionMatrix.Build(dataset, _options.Values, duplicates);
        var profiles = ContentProfiles.Build(matrix, items, space.Count);
        progress?.Report(new TrainingProgress("profiles", 1, 1, double.NaN));
        return new ContentModel(context, space, items, profiles);
    }

    /// <summary>The unit vector of every item of the catalog, as contiguous sparse rows.</summary>
    internal static SparseRows ItemVectors(ItemCatalog catalog, FeatureSpace space, CancellationToken cancellationToken)
    {
        var offsets = new int[catalog.Count + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int item = 0; item < catalog.Count; item++)
        {
            if ((item & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            if (catalog.HasAttributes(item))
            {
                space.Vectorize(catalog[item], indices, values);
            }

            offsets[item + 1] = indices.Count;
        }

        return new SparseRows(offsets, [.. indices], [.. values]);
    }

    /// <summary>The kind under which model files store this recommender.</summary>
    internal const string Kind = "content";

    /// <inheritdoc/>
    internal override string StateKind => Kind;

    /// <inheritdoc/>
    internal override void WriteState(StateWriter writer, TrainedModel model)
    {
        var trained = (ContentModel)model;
        _options.Write(writer);
        trained.Space.Write(writer);
        writer.WriteRows(trained.Items);
        int users = trained.Context.UserCount;
        var offsets = new int[users + 1];
        for (int user = 0; user < users; user++)
        {
            offsets[user + 1] = checked(offsets[user] + trained.Profiles.IndicesOf(user).Length);
        }

        var features = new int[offsets[^1]];
        var sums = new float[offsets[^1]];
        for (int user = 0; user < users; user++)
        {
            trained.Profiles.IndicesOf(user).CopyTo(features.AsSpan(offsets[user]));
            trained.Profiles.ValuesOf(user).CopyTo(sums.AsSpan(offsets[user]));
        }

        writer.WriteRows(new SparseRows(offsets, features, sums));
    }

    /// <summary>Reads a recommender written by <see cref="WriteState"/>.</summary>
    internal static ContentRecommender ReadState(StateReader reader, FitContext context)
    {
        var recommender = new ContentRecommender(ContentOptions.Read(reader));
        var space = FeatureSpace.Read(reader, recommender._options);
        SparseRows items = reader.ReadRows(context.ItemCount, space.Count, "item feature");
        SparseRows profiles = reader.ReadRows(context.UserCount, space.Count, "profile feature");
        recommender.Restore(new ContentModel(context, space, items, new SparseProfiles(profiles)));
        return recommender;
    }

    internal sealed class ContentModel(FitContext context, FeatureSpace space, SparseRows items, ProfileView profiles) : TrainedModel(context)
    {
        public FeatureSpace Space => space;

        public SparseRows Items => items;

        public ProfileView Profiles => profiles;

        public override bool CanPersonalize(int user) => Norm(profiles.ValuesOf(user)) > 0;

        public override void ScoreAll(int user, Span<float> scores) =>
            ScoreAgainst(profiles.IndicesOf(user), profiles.ValuesOf(user), scores);

        public override bool TrySimilarTo(int item, Span<float> scores)
        {
            if (items.IndicesOf(item).IsEmpty)
            {
                return false;
            }

            ScoreAgainst(items.IndicesOf(item), items.ValuesOf(item), scores);
            return true;
        }

        /// <summary>The cosine of every item's vector with the sparse vector (<paramref name="indices"/>, <paramref name="values"/>); 0 for a zero vector.</summary>
        public void ScoreAgainst(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, Span<float> scores)
        {
            double norm = Norm(values);
            float[] buffer = ArrayPool<float>.Shared.Rent(space.Count);
            Span<float> dense = buffer.AsSpan(0, space.Count);
            try
            {
                dense.Clear();
                float scale = norm > 0 ? (float)(1 / norm) : 0f;
                for (int f = 0; f < indices.Length; f++)
                {
                    dense[indices[f]] = values[f] * scale;
                }

                int[] offsets = items.Offsets;
                int[] features = items.Indices;
                float[] weights = items.Values;
                for (int item = 0; item < scores.Length; item++)
                {
                    float dot = 0;
                    for (int e = offsets[item]; e < offsets[item + 1]; e++)
                    {
                        dot += weights[e] * dense[features[e]];
                    }

                    scores[item] = dot;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        private static double Norm(ReadOnlySpan<float> values)
        {
            double sum = 0;
            foreach (float v in values)
            {
                sum += (double)v * v;
            }

            return Math.Sqrt(sum);
        }
    }
}
