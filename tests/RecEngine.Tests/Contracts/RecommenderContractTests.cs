using RecEngine.Data;

namespace RecEngine.Tests.Contracts;

/// <summary>
/// The <see cref="IRecommender"/> contract, run against every model: derive a test class per model and
/// create it in <see cref="Create"/>.
/// </summary>
public abstract class RecommenderContractTests
{
    private const int Groups = 2;
    private const int GroupSize = 12;
    private const int Eligible = (Groups * GroupSize) - (GroupSize - 1);

    /// <summary>A fresh, unfitted model.</summary>
    protected abstract IRecommender Create();

    /// <summary>Whether the model personalises (popularity does not, so it skips the checkerboard).</summary>
    protected virtual bool Personalizes => true;

    /// <summary>Whether <c>SimilarItems</c> ranks every other item (false for neighbourhood models, which return their K neighbours).</summary>
    protected virtual bool RanksEveryItemAsSimilar => true;

    /// <summary>
    /// Checkerboard: user (g, j) interacted with every item of group g except item (g, j); groups share no items.
    /// Every personalising model must rank the withheld item of the user's own group first.
    /// </summary>
    protected static InteractionDataset Checkerboard()
    {
        var builder = new InteractionDatasetBuilder();
        long t = 0;
        for (int g = 0; g < Groups; g++)
        {
            for (int j = 0; j < GroupSize; j++)
            {
                for (int i = 0; i < GroupSize; i++)
                {
                    if (i != j)
                    {
                        builder.Add($"u{g}-{j}", $"i{g}-{i}", 1f, t++, EventKind.Rating);
                    }
                }
            }
        }

        return builder.Build();
    }

    private IRecommender Fitted()
    {
        IRecommender model = Create();
        model.Fit(Checkerboard());
        return model;
    }

    [Fact]
    public void Recommend_Checkerboard_WithheldItemOfOwnGroupRanksFirst()
    {
        if (!Personalizes)
        {
            return;
        }

        IRecommender model = Fitted();
        for (int g = 0; g < Groups; g++)
        {
            for (int j = 0; j < GroupSize; j++)
            {
                Assert.Equal($"i{g}-{j}", model.Recommend($"u{g}-{j}", 1)[0].ItemId);
            }
        }
    }

    [Fact]
    public void Recommend_ReturnsExactCountOfDistinctUnseenItemsBestFirst()
    {
        IRecommender model = Fitted();
        var result = model.Recommend("u0-0", Eligible);
        // 24 items, 11 seen: exactly 13 eligible.
        Assert.Equal(Eligible, result.Count);
        Assert.Equal(Eligible, result.Select(r => r.ItemId).Distinct().Count());
        Assert.DoesNotContain(result, r => r.ItemId.StartsWith("i0-", StringComparison.Ordinal) && r.ItemId != "i0-0");
        Assert.True(result.Zip(result.Skip(1)).All(p => p.First.Score >= p.Second.Score));
        Assert.All(result, r => Assert.False(float.IsNaN(r.Score)));
        Assert.Equal(Eligible, model.Recommend("u0-0", 100).Count);
    }

    [Fact]
    public void Recommend_AndSimilarItems_HugeCount_ReturnEveryEligibleItemOnce_WithoutAHugeAllocation()
    {
        IRecommender model = Fitted();
        long before = GC.GetAllocatedBytesForCurrentThread();

        IReadOnlyList<ScoredItem> all = model.Recommend("u0-0", int.MaxValue);
        IReadOnlyList<ScoredItem> unknown = model.Recommend("stranger", int.MaxValue);
        IReadOnlyList<ScoredItem> similar = model.SimilarItems("i0-0", int.MaxValue);

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20, "a huge count must not size an allocation");
        Assert.Equal(Eligible, all.Count);
        Assert.Equal(Groups * GroupSize, unknown.Count);
        Assert.Equal(similar.Count, similar.Select(r => r.ItemId).Distinct().Count());
        Assert.InRange(similar.Count, 1, (Groups * GroupSize) - 1);
    }

    [Fact]
    public void Recommend_FilterAndExclusions_DoNotEatIntoCount()
    {
        IRecommender model = Fitted();
        var options = new RecommendOptions { Filter = id => id != "i1-1", Exclude = new HashSet<string> { "i1-2" } };
        var result = model.Recommend("u0-0", 5, options);
        Assert.Equal(5, result.Count);
        Assert.DoesNotContain(result, r => r.ItemId is "i1-1" or "i1-2");
    }

    [Fact]
    public void Recommend_UnknownUser_GetsFallbackNotException()
    {
        IRecommender model = Fitted();
        Assert.False(model.IsKnownUser("stranger"));
        Assert.Equal(4, model.Recommend("stranger", 4).Count);
        Assert.Equal(3, model.SimilarItems("no-such-item", 3).Count);
    }

    [Fact]
    public void InvalidArguments_ThrowNamingTheArgument()
    {
        IRecommender model = Fitted();
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => model.Recommend("u0-0", 0)).ParamName);
        Assert.Equal("userId", Assert.Throws<ArgumentNullException>(() => model.Recommend(null!, 3)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => model.SimilarItems("i0-0", -1)).ParamName);
        Assert.Throws<ArgumentNullException>(() => model.Fit(null!));
    }

    [Fact]
    public void SimilarItems_NeverReturnsTheItemItself()
    {
        IRecommender model = Fitted();
        var similar = model.SimilarItems("i0-0", (Groups * GroupSize) - 1);
        if (RanksEveryItemAsSimilar)
        {
            Assert.Equal((Groups * GroupSize) - 1, similar.Count);
        }
        else
        {
            Assert.NotEmpty(similar);
        }

        Assert.DoesNotContain(similar, s => s.ItemId == "i0-0");
    }

    [Fact]
    public void Score_MatchesRecommendScores()
    {
        IRecommender model = Fitted();
        var top = model.Recommend("u1-3", 4);
        var scores = new float[top.Count];
        model.Score("u1-3", top.Select(t => t.ItemId).ToArray(), scores);
        for (int i = 0; i < top.Count; i++)
        {
            Assert.Equal(top[i].Score, scores[i], 4);
        }
    }

    [Fact]
    public async Task Recommend_WhileRefitting_AlwaysSeesACompleteModel()
    {
        IRecommender model = Fitted();
        InteractionDataset data = Checkerboard();
        using var stop = new CancellationTokenSource();
        int invalid = 0;
        Task reader = Task.Run(() =>
        {
            var destination = new ScoredItem[Eligible];
            while (!stop.IsCancellationRequested)
            {
                int n = model.Recommend("u0-0", destination);
                if (n != Eligible || destination.Take(n).Select(d => d.ItemId).Distinct().Count() != n)
                {
                    Interlocked.Increment(ref invalid);
                }
            }
        });
        for (int i = 0; i < 5; i++)
        {
            model.Fit(data);
        }

        await stop.CancelAsync();
        await reader.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, invalid);
    }
}
