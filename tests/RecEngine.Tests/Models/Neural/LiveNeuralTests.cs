using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Neural;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Neural;

/// <summary>The neural scorer live in an engine: the online step follows users in real time.</summary>
public sealed class LiveNeuralTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(InteractionDataset All, InteractionDataset Start, Interaction[] Events)> Stream = new(() => EventStreams.TimeOrdered(200, 120, 6_000));

    private static RecommendationEngineOptions Options(bool online)
    {
        var options = new RecommendationEngineOptions();
        options.Models.Add(EngineModel.Neural(
            new NeuralOptions { EmbeddingSize = 8, HiddenLayers = [16], Epochs = 3, DegreeOfParallelism = 2 },
            new NeuralOnlineOptions { Enabled = online }));
        return options;
    }

    private static Interaction Click(string user, string item) => new(user, item, 1f, DateTimeOffset.UtcNow, EventKind.Click);

    [Fact]
    public async Task WithTheOnlineStep_ANewUserIsPersonalisedAfterAFewClicks_AndWithoutItStaysOnTheFallback()
    {
        InteractionDataset all = Stream.Value.All;
        string[] clicked = [.. Enumerable.Range(0, 4).Select(i => all.Items.GetId(i * 7))];
        foreach (bool online in new[] { true, false })
        {
            await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(online), Stream.Value.Start);
            IRecommender mlp = engine.Recommender;
            Assert.False(mlp.IsKnownUser("fresh"));
            IReadOnlyList<ScoredItem> fallback = mlp.Recommend("fresh", 10);

            await engine.SubmitAsync(clicked.Select(item => Click("fresh", item))).AsTask().WaitAsync(Timeout);
            await engine.FlushAsync().WaitAsync(Timeout);

            Assert.Equal(online, mlp.IsKnownUser("fresh"));
            IReadOnlyList<ScoredItem> after = mlp.Recommend("fresh", 10);
            Assert.DoesNotContain(after, r => clicked.Contains(r.ItemId));
            if (online)
            {
                Assert.NotEqual(fallback.Select(r => r.ItemId).Where(id => !clicked.Contains(id)).Take(5), after.Select(r => r.ItemId).Take(5));
            }
        }
    }

    [Fact]
    public async Task OneStep_RaisesTheScoreOfTheEventsPair_AndANegativeEventLowersIt()
    {
        InteractionDataset start = Stream.Value.Start;
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(Options(online: true), start);
        IRecommender mlp = engine.Recommender;
        // The most active starting user: a user the network has seen (a ReLU network may give an unseen user's
        // random embedding a constant output, with no gradient to follow).
        string user = start.Users.GetId(start.UserIndices.ToArray().GroupBy(u => u).OrderByDescending(g => g.Count()).First().Key);
        string item = start.Items.GetId(50);
        var score = new float[1];

        mlp.Score(user, [item], score);
        float before = score[0];
        SubmitResult submitted = await engine.SubmitAsync(Click(user, item));
        Assert.True(submitted.Accepted, submitted.Reason.ToString());
        await engine.FlushAsync().WaitAsync(Timeout);
        mlp.Score(user, [item], score);
        float raised = score[0];

        // A negative value makes a negative weight: the pair becomes a negative example.
        Assert.True((await engine.SubmitAsync(new Interaction(user, item, -1f, DateTimeOffset.UtcNow, EventKind.Click))).Accepted);
        await engine.FlushAsync().WaitAsync(Timeout);
        mlp.Score(user, [item], score);

        Assert.True(raised > before, $"{before} -> {raised}, applied {engine.Counters.Applied}, user {user}, item {item}");
        Assert.True(score[0] < raised, $"{raised} -> {score[0]}");
    }
}
