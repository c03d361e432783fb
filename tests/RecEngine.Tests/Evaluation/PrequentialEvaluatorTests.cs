using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Ingest;

namespace RecEngine.Tests.Evaluation;

public sealed class PrequentialEvaluatorTests
{
    /// <summary>Recommends a fixed list per user and logs every call, in order, with the events it learns.</summary>
    private sealed class ScriptedModel(Dictionary<string, string[]> lists, List<string> log) : IRecommender, IEventApplier
    {
        public string Name => "scripted";

        public bool IsFitted => true;

        public void Fit(InteractionDataset dataset, IProgress<TrainingProgress>? progress = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public bool IsKnownUser(string userId) => lists.ContainsKey(userId);

        public int Recommend(string userId, Span<ScoredItem> destination, RecommendOptions? options = null)
        {
            log.Add($"ask {userId}");
            string[] list = lists.GetValueOrDefault(userId) ?? [];
            int count = Math.Min(list.Length, destination.Length);
            for (int i = 0; i < count; i++)
            {
                destination[i] = new ScoredItem(list[i], count - i);
            }

            return count;
        }

        public IReadOnlyList<ScoredItem> Recommend(string userId, int count, RecommendOptions? options = null) => throw new NotSupportedException();

        public void Score(string userId, ReadOnlySpan<string> itemIds, Span<float> scores) => throw new NotSupportedException();

        public int SimilarItems(string itemId, Span<ScoredItem> destination, RecommendOptions? options = null) => throw new NotSupportedException();

        public IReadOnlyList<ScoredItem> SimilarItems(string itemId, int count, RecommendOptions? options = null) => throw new NotSupportedException();

        public void Apply(ReadOnlySpan<WeightedEvent> batch)
        {
            foreach (WeightedEvent e in batch)
            {
                log.Add($"learn {e.Event.UserId} {e.Event.ItemId} #{e.Sequence}");
            }
        }
    }

    [Fact]
    public void Run_ScoresEachEventBeforeLearningIt_WithTheStandardMetrics()
    {
        // Rows out of time order: the replay sorts them (t = 3, 1, 2, 4), ties by row.
        var builder = new InteractionDatasetBuilder();
        builder.Add("a", "x", 1f, 3_000);
        builder.Add("a", "y", 1f, 1_000);
        builder.Add("b", "z", 1f, 2_000);
        builder.Add("b", "w", 1f, 4_000);
        InteractionDataset stream = builder.Build();

        var log = new List<string>();
        var lists = new Dictionary<string, string[]> { ["a"] = ["x", "y", "q"], ["b"] = ["q", "q2", "q3"] };
        var model = new ScriptedModel(lists, log);
        IReadOnlyList<PrequentialModelResult> results = PrequentialEvaluator.Run(stream, [new PrequentialModel("m", model, model)], k: 2, windows: 2);

        // a/y (t=1): y at rank 1 -> hit, gain 1/log2(3). b/z (t=2): miss. a/x (t=3): rank 0 -> gain 1. b/w: miss.
        PrequentialModelResult result = Assert.Single(results);
        Assert.Equal(2 / 4.0, result.HitRate, 12);
        Assert.Equal((1 + (1 / Math.Log2(3))) / 4, result.Ndcg, 12);
        Assert.Equal([(2L, 0.5), (4L, 0.5)], result.Curve);
        Assert.Equal(
            ["ask a", "learn a y #1", "ask b", "learn b z #2", "ask a", "learn a x #3", "ask b", "learn b w #4"],
            log);

        // A static model (no updates) is only asked.
        log.Clear();
        PrequentialEvaluator.Run(stream, [new PrequentialModel("static", model, null)], k: 2);
        Assert.All(log, entry => Assert.StartsWith("ask", entry, StringComparison.Ordinal));
    }

    [Fact]
    public void Run_BadArguments_Throw()
    {
        var stream = new InteractionDatasetBuilder().Add("a", "x", 1f, 0).Build();
        var model = new ScriptedModel([], []);
        Assert.Equal("models", Assert.Throws<ArgumentException>(() => PrequentialEvaluator.Run(stream, [])).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => PrequentialEvaluator.Run(stream, [new PrequentialModel("m", model, null)], k: 0)).ParamName);
    }
}
