using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Models.Popularity;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Popularity;

/// <summary>
/// The popularity model and, through it, the shared <see cref="IRecommender"/> contract of <see cref="RecommenderBase"/>.
/// </summary>
public sealed class PopularityRecommenderTests
{
    // Counts: i1 = 3, i2 = 3, i3 = 1, i4 = 1, i5 = 0 (catalogue only). Indices follow first appearance:
    // i1 0, i2 1, i3 2, i4 3, i5 4, so the popularity order is i1, i2 (tie, lower index), i3, i4 (tie), i5.
    private static InteractionDataset Shop()
    {
        var builder = new InteractionDatasetBuilder();
        (string User, string Item)[] events = [("a", "i1"), ("a", "i2"), ("b", "i1"), ("b", "i3"), ("c", "i1"), ("c", "i2"), ("c", "i4"), ("d", "i2")];
        long t = 0;
        foreach (var (user, item) in events)
        {
            builder.Add(user, item, 1f, t++, EventKind.View);
        }

        builder.SetItemAttributes("i5", new ItemAttributes { Title = "new" });
        return builder.Build();
    }

    private static PopularityRecommender Fitted()
    {
        var model = new PopularityRecommender();
        model.Fit(Shop());
        return model;
    }

    private static string[] Ids(IReadOnlyList<ScoredItem> items) => items.Select(s => s.ItemId).ToArray();

    [Fact]
    public void Recommend_KnownUser_MostPopularUnseenBestFirst()
    {
        var result = Fitted().Recommend("b", 2);
        Assert.Equal(["i2", "i4"], Ids(result));
        Assert.Equal([3f, 1f], result.Select(s => s.Score).ToArray());
    }

    [Fact]
    public void Recommend_CountAboveEligible_ReturnsEveryEligibleItem()
    {
        Assert.Equal(["i2", "i4", "i5"], Ids(Fitted().Recommend("b", 100)));
    }

    [Fact]
    public void Recommend_Filter_DoesNotEatIntoCount()
    {
        var options = new RecommendOptions { Filter = id => id != "i3" };
        // a has seen i1, i2; i3 is filtered, so the two results are i4 and i5.
        Assert.Equal(["i4", "i5"], Ids(Fitted().Recommend("a", 2, options)));
    }

    [Fact]
    public void Recommend_ExclusionSetAndSeenIncluded()
    {
        var options = new RecommendOptions { ExcludeSeen = false, Exclude = new HashSet<string> { "i2", "unknown" } };
        Assert.Equal(["i1", "i3", "i4"], Ids(Fitted().Recommend("a", 3, options)));
    }

    [Fact]
    public void Recommend_UnknownUser_FallsBackToPopularity()
    {
        var model = Fitted();
        Assert.False(model.IsKnownUser("stranger"));
        Assert.True(model.IsKnownUser("a"));
        Assert.Equal(["i1", "i2", "i3"], Ids(model.Recommend("stranger", 3)));
        Assert.Equal(["i2", "i3"], Ids(model.Recommend("stranger", 2, new RecommendOptions { Filter = id => id != "i1" })));
    }

    [Fact]
    public void Recommend_InvalidArguments_ThrowNamingTheArgument()
    {
        var model = Fitted();
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => model.Recommend("a", 0)).ParamName);
        Assert.Equal("count", Assert.Throws<ArgumentOutOfRangeException>(() => model.Recommend("a", -5)).ParamName);
        Assert.Equal("userId", Assert.Throws<ArgumentNullException>(() => model.Recommend(null!, 3)).ParamName);
        Assert.Equal("destination", Assert.Throws<ArgumentException>(() => model.Recommend("a", Span<ScoredItem>.Empty)).ParamName);
        Assert.Equal("itemId", Assert.Throws<ArgumentNullException>(() => model.SimilarItems(null!, 3)).ParamName);
    }

    [Fact]
    public void Recommend_HugeCount_IsCappedByCatalog()
    {
        Assert.Equal(5, Fitted().Recommend("stranger", int.MaxValue).Count);
    }

    [Fact]
    public void Recommend_BeforeFit_ThrowsInvalidOperation()
    {
        var model = new PopularityRecommender();
        Assert.False(model.IsFitted);
        Assert.Throws<InvalidOperationException>(() => model.Recommend("a", 3));
    }

    [Fact]
    public void Score_KnownAndUnknownItems()
    {
        var scores = new float[3];
        Fitted().Score("a", ["i3", "nope", "i1"], scores);
        Assert.Equal([1f, float.NegativeInfinity, 3f], scores);
        Assert.Equal("scores", Assert.Throws<ArgumentException>(() => Fitted().Score("a", ["i1", "i2"], new float[1])).ParamName);
    }

    [Fact]
    public void SimilarItems_NeverReturnsTheQueryItem()
    {
        var model = Fitted();
        Assert.Equal(["i2", "i3"], Ids(model.SimilarItems("i1", 2)));
        Assert.Equal(["i1", "i2"], Ids(model.SimilarItems("unknown", 2)));
    }

    [Fact]
    public void HalfLife_RecentInteractionsWeighMore()
    {
        // "old" has two interactions 10 days before the latest; "new" one interaction at the latest time.
        // With a one-day half-life: old = 2 * 2^-10 ~ 0.002, new = 1.
        long day = (long)TimeSpan.FromDays(1).TotalMilliseconds;
        InteractionDataset data = new InteractionDatasetBuilder()
            .Add("u1", "old", 1f, 0).Add("u2", "old", 1f, 0).Add("u3", "new", 1f, 10 * day).Build();
        var plain = new PopularityRecommender();
        plain.Fit(data);
        var decayed = new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.FromDays(1) });
        decayed.Fit(data);

        Assert.Equal(["old", "new"], Ids(plain.Recommend("x", 2)));
        var result = decayed.Recommend("x", 2);
        Assert.Equal(["new", "old"], Ids(result));
        Assert.Equal(2.0 * Math.Pow(2, -10), result[1].Score, 6);
        Assert.Equal("popularity-decay", decayed.Name);
    }

    [Fact]
    public void Options_NonPositiveHalfLife_Throws()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.Zero }));
        Assert.Equal("HalfLife", error.ParamName);
    }

    [Fact]
    public void Recommend_SpanOverload_AllocatesNothingAfterWarmUp()
    {
        var model = Fitted();
        var destination = new ScoredItem[3];
        var options = new RecommendOptions { Filter = id => id.Length > 0 };
        model.Recommend("b", destination, options);
        model.Recommend("stranger", destination, options);

        SteadyAllocation.AssertNone(() =>
        {
            for (int i = 0; i < 100; i++)
            {
                model.Recommend("b", destination, options);
                model.Recommend("stranger", destination, options);
            }
        });
    }

    [Fact]
    public void Fit_Cancelled_KeepsPreviousState()
    {
        var model = Fitted();
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => model.Fit(Shop(), cancellationToken: cancelled.Token));
        Assert.Equal(["i2", "i4"], Ids(model.Recommend("b", 2)));
    }

    [Property(MaxTest = 150)]
    public Property Recommend_Contract_Meets_Specification()
    {
        Gen<(int User, int Item)[]> events = Gen.ArrayOf(
            from u in Gen.Choose(0, 8)
            from i in Gen.Choose(0, 12)
            select (u, i));
        Gen<(int User, int Count, int FilterModulus, bool ExcludeSeen)> requests =
            from u in Gen.Choose(0, 10)
            from count in Gen.Choose(1, 15)
            from modulus in Gen.Choose(1, 4)
            from excludeSeen in Gen.Elements(true, false)
            select (u, count, modulus, excludeSeen);
        return Prop.ForAll(events.ToArbitrary(), requests.ToArbitrary(), (rows, request) =>
        {
            var builder = new InteractionDatasetBuilder();
            long t = 0;
            foreach (var (u, i) in rows)
            {
                builder.Add($"u{u}", $"i{i}", 1f, t++);
            }

            InteractionDataset data = builder.Build();
            if (data.ItemCount == 0)
            {
                return true;
            }

            var model = new PopularityRecommender();
            model.Fit(data);
            string user = $"u{request.User}";
            var seen = rows.Where(r => $"u{r.User}" == user).Select(r => $"i{r.Item}").ToHashSet();
            Func<string, bool> filter = id => request.FilterModulus == 1 || int.Parse(id[1..], System.Globalization.CultureInfo.InvariantCulture) % request.FilterModulus != 0;
            var options = new RecommendOptions { ExcludeSeen = request.ExcludeSeen, Filter = filter };
            var result = model.Recommend(user, request.Count, options);

            int eligible = Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId)
                .Count(id => filter(id) && !(request.ExcludeSeen && seen.Contains(id)));
            bool sorted = result.Zip(result.Skip(1)).All(p => p.First.Score >= p.Second.Score);
            return result.Count == Math.Min(request.Count, eligible)
                && result.Select(r => r.ItemId).Distinct().Count() == result.Count
                && result.All(r => filter(r.ItemId) && !float.IsNaN(r.Score))
                && (!request.ExcludeSeen || result.All(r => !seen.Contains(r.ItemId)))
                && sorted;
        });
    }
}
