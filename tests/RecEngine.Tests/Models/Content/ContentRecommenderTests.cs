using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Evaluation;
using RecEngine.Models.Content;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Content;

public sealed class ContentRecommenderTests
{
    private static ItemAttributes Item(string[] categories, string? title = null, string[]? tags = null, float? year = null) => new()
    {
        Title = title,
        Categories = categories,
        Tags = tags ?? [],
        Numeric = year is float y ? new Dictionary<string, float> { ["year"] = y } : new Dictionary<string, float>(),
    };

    /// <summary>A catalog of six movies; users a and b interact with some, item "fresh" has no interaction.</summary>
    private static InteractionDataset Catalog()
    {
        var builder = new InteractionDatasetBuilder();
        builder.SetItemAttributes("space1", Item(["SciFi"], "Star Voyage", ["space", "robots"]));
        builder.SetItemAttributes("space2", Item(["SciFi", "Action"], "Star Voyage II", ["space"]));
        builder.SetItemAttributes("love1", Item(["Romance"], "Paris Love", ["paris"]));
        builder.SetItemAttributes("love2", Item(["Romance", "Comedy"], "Love Again"));
        builder.SetItemAttributes("fresh", Item(["SciFi"], "Robots of Space", ["robots"]));
        builder.SetItemAttributes("bare", ItemAttributes.Empty);
        builder.Add("a", "space1", 1, 1000);
        builder.Add("a", "space2", 1, 2000);
        builder.Add("b", "love1", 1, 3000);
        builder.Add("b", "love2", 1, 4000);
        builder.Add("c", "bare", 1, 5000);
        return builder.Build();
    }

    [Fact]
    public void Tokenizer_SplitsLowercasesAndDropsShortNumericAndStopWords()
    {
        var tokens = new List<string>();
        new TextTokenizer(2, removeStopWords: true).Tokenize("Shawshank Redemption, The (1994) a-B Ünïcode x", tokens);
        Assert.Equal(["shawshank", "redemption", "ünïcode"], tokens);

        tokens.Clear();
        new TextTokenizer(1, removeStopWords: false).Tokenize("The x 7b", tokens);
        Assert.Equal(["the", "x", "7b"], tokens);
    }

    [Fact]
    public void Vectors_FollowTheDefinition()
    {
        // Categories only: item 0 = {X}, item 1 = {X, Y}: cosine 1/√2.
        var builder = new InteractionDatasetBuilder();
        builder.SetItemAttributes("p", Item(["X"]));
        builder.SetItemAttributes("q", Item(["X", "Y"]));
        builder.SetItemAttributes("r", Item(["Z"], tags: ["moon"]));
        var space = FeatureSpace.Build(builder.Build().Catalog, new ContentOptions());
        Assert.Equal(3, space.CategoryCount);
        Assert.Equal(1, space.TokenCount);

        var indices = new List<int>();
        var values = new List<float>();
        space.Vectorize(Item(["X", "Y"]), indices, values);
        Assert.Equal([0, 1], indices);
        Assert.Equal(1 / MathF.Sqrt(2), values[0], 6);

        // Category block and a one-token text block, both unit length with weight 1: (1/√2, 1/√2) overall.
        indices.Clear();
        values.Clear();
        space.Vectorize(Item(["Z"], tags: ["Moon", "unknown"]), indices, values);
        Assert.Equal([2, 3], indices);
        Assert.Equal(1 / MathF.Sqrt(2), values[1], 6);

        // Numeric: years 1990 and 2010 standardise to -1 and +1, scaled by 1/3 and the weight 0.5.
        builder.SetItemAttributes("s", Item([], year: 1990));
        builder.SetItemAttributes("t", Item([], year: 2010));
        var withYears = FeatureSpace.Build(builder.Build().Catalog, new ContentOptions());
        indices.Clear();
        values.Clear();
        withYears.Vectorize(Item(["X"], year: 2010), indices, values);
        double numeric = 0.5 / 3;
        Assert.Equal(1 / Math.Sqrt(1 + (numeric * numeric)), values[0], 6);
        Assert.Equal(numeric / Math.Sqrt(1 + (numeric * numeric)), values[^1], 6);
    }

    [Fact]
    public void Recommend_ReachesItemsWithoutInteractions_ByTheProfile()
    {
        var model = new ContentRecommender();
        model.Fit(Catalog());

        // a likes two space movies; "fresh" (no interaction at all) shares their category and tokens.
        Assert.Equal("fresh", model.Recommend("a", 1)[0].ItemId);
        IReadOnlyList<ScoredItem> forB = model.Recommend("b", 3);
        Assert.NotEqual("fresh", forB[0].ItemId);

        // c only has an item without attributes: no profile, the popularity fallback.
        Assert.False(model.IsKnownUser("c"));
    }

    [Fact]
    public void SimilarItems_WorksForABrandNewItemKnownOnlyByItsAttributes()
    {
        var model = new ContentRecommender();
        model.Fit(Catalog());

        IReadOnlyList<ScoredItem> similar = model.SimilarItems(Item(["Romance"], "Love in Paris", ["paris"]), 2);
        Assert.Equal(["love1", "love2"], similar.Select(s => s.ItemId));
        Assert.True(similar[0].Score > similar[1].Score);

        // The same as asking for an existing item with those attributes, bar the item itself.
        IReadOnlyList<ScoredItem> existing = model.SimilarItems("space1", 2);
        Assert.Equal(["fresh", "space2"], existing.Select(s => s.ItemId).OrderBy(s => s));

        // Nothing known: the popularity fallback.
        Assert.Equal(2, model.SimilarItems(Item(["Western"], "Zzz"), 2).Count);
        Assert.Throws<ArgumentNullException>(() => model.SimilarItems((ItemAttributes)null!, 2));
    }

    [Fact]
    public void Profiles_IncrementalEventsEqualARebuild()
    {
        InteractionDataset data = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 60, ItemCount = 80, InteractionCount = 900 });
        var space = FeatureSpace.Build(data.Catalog, new ContentOptions());
        SparseRows items = ContentRecommender.ItemVectors(data.Catalog, space, CancellationToken.None);

        // Profiles of the first 600 interactions, then the remaining 300 applied one by one.
        int[] firstRows = [.. Enumerable.Range(0, 600)];
        var start = InteractionMatrix.Build(data.Subset(firstRows), MatrixValues.Weight, DuplicatePolicy.Sum);
        var profiles = ContentProfiles.Build(start, items, space.Count);
        for (int r = 600; r < data.Count; r++)
        {
            profiles.Apply(data.UserIndices[r], data.ItemIndices[r], data.Weights[r]);
        }

        var rebuilt = ContentProfiles.Build(InteractionMatrix.Build(data, MatrixValues.Weight, DuplicatePolicy.Sum), items, space.Count);
        for (int u = 0; u < data.UserCount; u++)
        {
            Assert.Equal(rebuilt.IndicesOf(u).ToArray(), profiles.IndicesOf(u).ToArray());
            for (int f = 0; f < rebuilt.ValuesOf(u).Length; f++)
            {
                float expected = rebuilt.ValuesOf(u)[f];
                Assert.True(Math.Abs(expected - profiles.ValuesOf(u)[f]) <= 1e-5 * Math.Max(1, Math.Abs(expected)), $"user {u}, feature {f}");
            }
        }

        Assert.Equal("weight", Assert.Throws<ArgumentOutOfRangeException>(() => profiles.Apply(0, 0, float.NaN)).ParamName);
        Assert.Equal("item", Assert.Throws<ArgumentOutOfRangeException>(() => profiles.Apply(0, data.ItemCount, 1f)).ParamName);
    }

    [Fact]
    public void ColdItems_SyntheticCatalog_RankAboveRandomForTheirUsers()
    {
        InteractionDataset data = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 400, ItemCount = 500, InteractionCount = 20_000 });
        var split = DatasetSplit.ColdItems(data, 0.1, seed: 3);
        var model = new ContentRecommender();
        model.Fit(split.Train);
        double auc = ColdStart.MeanAuc(model, split);
        Assert.True(auc > 0.75, $"mean AUC {auc:F3}");
    }

    [Fact]
    public void Options_Validate_NameTheBadProperty()
    {
        Assert.Equal("TextWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new ContentRecommender(new ContentOptions { TextWeight = -1 })).ParamName);
        Assert.Equal("CategoryWeight", Assert.Throws<ArgumentOutOfRangeException>(() => new ContentRecommender(new ContentOptions { CategoryWeight = 0, TextWeight = 0, NumericWeight = 0 })).ParamName);
        Assert.Equal("MinimumTokenLength", Assert.Throws<ArgumentOutOfRangeException>(() => new ContentRecommender(new ContentOptions { MinimumTokenLength = 0 })).ParamName);
        Assert.Equal("MinimumDocumentFrequency", Assert.Throws<ArgumentOutOfRangeException>(() => new ContentRecommender(new ContentOptions { MinimumDocumentFrequency = 0 })).ParamName);
    }
}
