using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;
using RecEngine.Persistence;
using Xunit.Abstractions;

namespace RecEngine.Tests.Reliability;

/// <summary>
/// Fuzz-style tests of <see cref="ModelFile.Load(Stream)"/> for every model kind: damaged copies of a valid file, most
/// of them sealed again with a valid length and checksum so that the damage reaches the parser, and the body cut at
/// every region. Each either loads a model that serves consistently or is refused with an
/// <see cref="InvalidDataException"/>; no case allocates much more than its input, and the model saved first serves
/// exactly as before.
/// </summary>
public sealed class ModelFileFuzzTests(ITestOutputHelper output)
{
    /// <summary>Bytes a load may allocate beyond a fixed multiple of its input: buffers, maps, fallback lists.</summary>
    private const long AllocationAllowance = 2 << 20;

    /// <summary>A load may allocate this many times its input (derived arrays, such as orderings and norms).</summary>
    private const long AllocationFactor = 16;

    private static readonly Lazy<InteractionDataset> Ratings = new(() => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 40,
        ItemCount = 30,
        InteractionCount = 700,
        MinInteractionsPerUser = 5,
        Seed = 11,
    }));

    private static readonly Dictionary<string, Func<IRecommender>> Factories = new(StringComparer.Ordinal)
    {
        ["popularity"] = () => new PopularityRecommender(),
        ["popularity-decay"] = () => new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.FromDays(30), Values = MatrixValues.Weight }),
        ["baseline"] = () => new BaselineRatingPredictor(new BaselineOptions { Iterations = 3 }),
        ["item-knn"] = () => new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 8, Shrinkage = 10 }),
        ["item-knn-bm25"] = () => new ItemKnnRecommender(new NeighborhoodOptions { Measure = SimilarityMeasure.DotProduct, Weighting = NeighborWeighting.Bm25, NormalizeSimilarities = true, DegreeOfParallelism = 1 }),
        ["user-knn"] = () => new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 8, Measure = SimilarityMeasure.Jaccard }),
        ["implicit-als"] = () => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 4, Iterations = 2, Seed = 3 }),
        ["explicit-als"] = () => new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 3, Iterations = 2, RatingRange = (1f, 5f) }),
        ["content"] = () => new ContentRecommender(new ContentOptions { NumericWeight = 0.25f }),
        ["neural"] = () => new NeuralRecommender(new NeuralOptions { EmbeddingSize = 4, HiddenLayers = [5], Epochs = 1, DegreeOfParallelism = 1 }),
        ["hybrid"] = () => new HybridRecommender([(new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 8 }), 0.6), (new PopularityRecommender(), 0.4)]),
        ["rerank"] = () => new RerankingRecommender(new PopularityRecommender(), new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 8 }), candidateCount: 10),
        ["mmr"] = () =>
        {
            var knn = new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 8 });
            return new DiversityReranker(knn, knn, tradeoff: 0.6, candidateCount: 12);
        },
        ["nested"] = () => new DiversityReranker(
            new RerankingRecommender(new HybridRecommender([(new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 8 }), 0.7), (new PopularityRecommender(), 0.3)]), new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 3, Iterations = 1 }), candidateCount: 10),
            new ContentRecommender(),
            tradeoff: 0.5,
            candidateCount: 15),
    };

    public static TheoryData<string> Models => [.. Factories.Keys];

    [Theory]
    [MemberData(nameof(Models))]
    public void DamagedModelFiles_LoadAConsistentModelOrThrowInvalidDataException_WithoutAHugeAllocation(string model)
    {
        IRecommender fitted = Factories[model]();
        fitted.Fit(Ratings.Value);
        using var saved = new MemoryStream();
        ModelFile.Save(fitted, saved);
        byte[] valid = saved.ToArray();
        List<IReadOnlyList<ScoredItem>> before = Serve(fitted);
        int bodyLength = valid.Length - 20;
        int modelSeed = 1 + Array.IndexOf([.. Factories.Keys], model);

        var tally = new FuzzTally($"Model file '{model}' ({valid.Length} bytes)", typeof(InvalidDataException));
        long worstAllocation = 0;
        var cases = new List<(int Seed, string Description, byte[] Input)>();

        // The body cut at every region (every byte of the first 64 and the last 16, then 100 cuts spread over the rest),
        // sealed again so the parser sees a short state.
        var cuts = new SortedSet<int>(Enumerable.Range(0, Math.Min(64, bodyLength)).Concat(Enumerable.Range(Math.Max(0, bodyLength - 16), Math.Min(16, bodyLength))));
        for (int c = 0; c < 100; c++)
        {
            cuts.Add((int)((long)bodyLength * c / 100));
        }

        foreach (int cut in cuts)
        {
            cases.Add((-cut, $"body cut at {cut} of {bodyLength} bytes, resealed", Mutations.TruncateBody(valid, cut)));
        }

        for (int i = 0; i < 500; i++)
        {
            int seed = (modelSeed * 100_000) + i;
            var random = new Random(seed);
            if (i % 25 == 0)
            {
                cases.Add((seed, "random bytes", Mutations.RandomBytes(random, 100)));
            }
            else
            {
                byte[] damaged = Mutations.MutateFrame(valid, random, out string what);
                cases.Add((seed, what, damaged));
            }
        }

        foreach ((int seed, string description, byte[] input) in cases)
        {
            tally.Run(seed, description, () =>
            {
                long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                IRecommender loaded;
                try
                {
                    loaded = ModelFile.Load(new MemoryStream(input, writable: false));
                }
                finally
                {
                    long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
                    worstAllocation = Math.Max(worstAllocation, allocated);
                    Assert.True(allocated <= (AllocationFactor * input.Length) + AllocationAllowance, $"allocated {allocated} bytes for {input.Length} bytes of input");
                }

                CheckServesConsistently(loaded);
            });
        }

        // The model saved first is untouched by every failed and successful load.
        Assert.True(SameLists(before, Serve(fitted)), "the model saved first serves differently after the fuzz run");
        Assert.True(tally.Refused > tally.Cases / 2, tally.ToString());
        output.WriteLine($"{tally}; largest allocation of one load {worstAllocation:N0} bytes");
    }

    /// <summary>Top-10 of the first users and an unknown one, then similar items of the first items.</summary>
    private static List<IReadOnlyList<ScoredItem>> Serve(IRecommender recommender)
    {
        InteractionDataset data = Ratings.Value;
        var lists = new List<IReadOnlyList<ScoredItem>>();
        foreach (int user in (int[])[0, 1, 2, 17, 39])
        {
            lists.Add(recommender.Recommend(data.Users.GetId(user), 10));
        }

        lists.Add(recommender.Recommend("no-such-user", 10));
        foreach (int item in (int[])[0, 1, 29])
        {
            lists.Add(recommender.SimilarItems(data.Items.GetId(item), 10));
        }

        return lists;
    }

    private static bool SameLists(List<IReadOnlyList<ScoredItem>> expected, List<IReadOnlyList<ScoredItem>> actual) =>
        expected.Count == actual.Count && expected.Zip(actual).All(pair => pair.First.SequenceEqual(pair.Second));

    /// <summary>
    /// What a loaded model must do whatever the file held: serve every known and unknown user and item, with lists of at
    /// most the count asked for, without duplicates, with no NaN score, in descending order of score.
    /// </summary>
    internal static void CheckServesConsistently(IRecommender loaded)
    {
        Assert.True(loaded.IsFitted);
        InteractionDataset data = Ratings.Value;
        string[] users = [.. Enumerable.Range(0, 8).Select(u => data.Users.GetId(u)), "no-such-user"];
        string[] items = [.. Enumerable.Range(0, 8).Select(i => data.Items.GetId(i)), "no-such-item"];
        var scores = new float[items.Length];
        foreach (string user in users)
        {
            CheckList(loaded.Recommend(user, 10), 10, $"user '{user}'");
            loaded.Score(user, items, scores);
            Assert.All(scores, score => Assert.False(float.IsNaN(score), $"a NaN score for user '{user}'"));
        }

        foreach (string item in items)
        {
            IReadOnlyList<ScoredItem> similar = loaded.SimilarItems(item, 10);
            CheckList(similar, 10, $"item '{item}'");
            Assert.DoesNotContain(similar, s => s.ItemId == item);
        }
    }

    private static void CheckList(IReadOnlyList<ScoredItem> list, int count, string what)
    {
        Assert.True(list.Count <= count, $"{what}: {list.Count} items for {count} asked");
        Assert.Equal(list.Count, list.Select(s => s.ItemId).Distinct(StringComparer.Ordinal).Count());
        for (int i = 0; i < list.Count; i++)
        {
            Assert.False(float.IsNaN(list[i].Score), $"{what}: a NaN score at {i}");
            Assert.True(i == 0 || list[i - 1].Score >= list[i].Score, $"{what}: scores out of order at {i}");
        }
    }
}
