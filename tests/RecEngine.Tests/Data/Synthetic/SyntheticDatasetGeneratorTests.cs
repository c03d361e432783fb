using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class SyntheticDatasetGeneratorTests(SyntheticDatasetFixture fixture) : IClassFixture<SyntheticDatasetFixture>
{
    private static SyntheticDatasetOptions Tiny(int seed = 7, SyntheticFeedback feedback = SyntheticFeedback.Ratings) => new()
    {
        Seed = seed,
        UserCount = 300,
        ItemCount = 400,
        InteractionCount = 12_000,
        Feedback = feedback,
    };

    [Fact]
    public void Generate_SameSeed_GivesIdenticalData()
    {
        InteractionDataset first = SyntheticDatasetGenerator.Generate(Tiny());
        InteractionDataset second = SyntheticDatasetGenerator.Generate(Tiny());

        AssertIdentical(first, second);
    }

    [Fact]
    public void Generate_SameSeedImplicitEvents_GivesIdenticalData()
    {
        InteractionDataset first = SyntheticDatasetGenerator.Generate(Tiny(feedback: SyntheticFeedback.ImplicitEvents));
        InteractionDataset second = SyntheticDatasetGenerator.Generate(Tiny(feedback: SyntheticFeedback.ImplicitEvents));

        AssertIdentical(first, second);
    }

    [Fact]
    public void Generate_DifferentSeed_GivesDifferentData()
    {
        InteractionDataset first = SyntheticDatasetGenerator.Generate(Tiny(seed: 7));
        InteractionDataset second = SyntheticDatasetGenerator.Generate(Tiny(seed: 8));

        Assert.False(first.ItemIndices.SequenceEqual(second.ItemIndices));
        Assert.False(first.Timestamps.SequenceEqual(second.Timestamps));
        int sameTitleCategory = Enumerable.Range(0, first.ItemCount)
            .Count(i => first.Catalog[i].Categories[0] == second.Catalog[i].Categories[0]);
        Assert.True(sameTitleCategory < first.ItemCount / 2, $"{sameTitleCategory} of {first.ItemCount} items kept their category.");
    }

    [Fact]
    public void Generate_OneThreadOrMany_GivesIdenticalData()
    {
        SyntheticDatasetOptions one = Tiny();
        one.MaxDegreeOfParallelism = 1;
        SyntheticDatasetOptions many = Tiny();
        many.MaxDegreeOfParallelism = 4;

        AssertIdentical(SyntheticDatasetGenerator.Generate(one), SyntheticDatasetGenerator.Generate(many));
    }

    [Fact]
    public void Generate_Default_HasExactShape()
    {
        InteractionDataset dataset = fixture.Ratings;
        var defaults = new SyntheticDatasetOptions();

        Assert.Equal(defaults.UserCount, dataset.UserCount);
        Assert.Equal(defaults.ItemCount, dataset.ItemCount);
        Assert.Equal(defaults.InteractionCount, dataset.Count);
        Assert.Equal(defaults.UserCount, dataset.CountActiveUsers());
        Assert.Equal(defaults.UserCount, dataset.Users.Count);
        Assert.Equal(defaults.ItemCount, dataset.Items.Count);
        Assert.Equal("u17", dataset.Users.GetId(17));
        Assert.Equal("i42", dataset.Items.GetId(42));
        Assert.True(dataset.Items.TryGetIndex("i1499", out int last));
        Assert.Equal(1499, last);
    }

    [Fact]
    public void Generate_NoOptions_UsesTheSmallShape()
    {
        InteractionDataset dataset = SyntheticDatasetGenerator.Generate();

        AssertIdentical(fixture.Ratings, dataset);
    }

    [Fact]
    public void Generate_Ratings_HasNoDuplicatePairs()
    {
        InteractionDataset dataset = fixture.Ratings;
        var pairs = new HashSet<long>();
        for (int k = 0; k < dataset.Count; k++)
        {
            Assert.True(pairs.Add(((long)dataset.UserIndices[k] * dataset.ItemCount) + dataset.ItemIndices[k]), $"Pair at {k} repeats.");
        }
    }

    [Fact]
    public void Generate_Ratings_AreWholeStarsFromOneToFive()
    {
        InteractionDataset dataset = fixture.Ratings;
        var histogram = new int[6];
        for (int k = 0; k < dataset.Count; k++)
        {
            float value = dataset.Values[k];
            Assert.Equal(MathF.Round(value), value);
            Assert.InRange(value, 1f, 5f);
            Assert.Equal(value, dataset.Weights[k]);
            Assert.Equal(EventKind.Rating, dataset.Kinds[k]);
            histogram[(int)value]++;
        }

        // Every star value is used: the scale is not collapsed onto a few values.
        Assert.All(histogram.Skip(1), count => Assert.True(count > dataset.Count / 50, $"Star histogram {string.Join(",", histogram)}."));
    }

    [Fact]
    public void Generate_Timestamps_StrictlyIncreasePerUser()
    {
        InteractionDataset dataset = fixture.Ratings;
        var last = new long[dataset.UserCount];
        Array.Fill(last, long.MinValue);
        for (int k = 0; k < dataset.Count; k++)
        {
            int user = dataset.UserIndices[k];
            Assert.True(dataset.Timestamps[k] > last[user], $"User {user} has a non-increasing timestamp at {k}.");
            last[user] = dataset.Timestamps[k];
        }
    }

    [Fact]
    public void Generate_Dataset_IsSortedByTimestampThenUser()
    {
        InteractionDataset dataset = fixture.Implicit;
        for (int k = 1; k < dataset.Count; k++)
        {
            long previous = dataset.Timestamps[k - 1];
            long current = dataset.Timestamps[k];
            Assert.True(
                previous < current || (previous == current && dataset.UserIndices[k - 1] < dataset.UserIndices[k]),
                $"Rows {k - 1} and {k} are out of order.");
        }
    }

    [Fact]
    public void Generate_Timestamps_SpreadUsersOverTheArrivalWindow()
    {
        InteractionDataset dataset = fixture.Ratings;
        var options = new SyntheticDatasetOptions();
        long start = options.StartTime.ToUnixTimeMilliseconds();
        var first = new long[dataset.UserCount];
        Array.Fill(first, long.MaxValue);
        for (int k = 0; k < dataset.Count; k++)
        {
            first[dataset.UserIndices[k]] = Math.Min(first[dataset.UserIndices[k]], dataset.Timestamps[k]);
        }

        double window = options.ArrivalWindow.TotalMilliseconds;
        Assert.All(first, t => Assert.InRange(t, start, start + (long)window));

        // Arrivals are uniform over the window: each quarter gets about a quarter of the users.
        int[] quarters = new int[4];
        foreach (long t in first)
        {
            quarters[(int)Math.Min(3, (t - start) / (window / 4))]++;
        }

        Assert.All(quarters, q => Assert.InRange(q, dataset.UserCount / 5, dataset.UserCount * 3 / 10));
    }

    [Fact]
    public void Generate_ItemPopularity_TopTenPercentHoldALargeShare()
    {
        Assert.True(TopItemShare(fixture.Ratings) >= 0.3, $"Top 10% of items hold {TopItemShare(fixture.Ratings):F3}.");
        Assert.True(TopItemShare(fixture.Implicit) >= 0.3, $"Top 10% of items hold {TopItemShare(fixture.Implicit):F3}.");
    }

    [Fact]
    public void Generate_ZeroPopularityExponent_SpreadsInteractionsEvenly()
    {
        SyntheticDatasetOptions options = Tiny();
        options.ItemPopularityExponent = 0;
        double share = TopItemShare(SyntheticDatasetGenerator.Generate(options));

        Assert.True(share < 0.25, $"Top 10% of items hold {share:F3} without a popularity law.");
    }

    [Fact]
    public void Generate_UserActivity_IsHeavyTailedAboveTheMinimum()
    {
        InteractionDataset dataset = fixture.Ratings;
        int[] counts = CountsPerUser(dataset);
        Array.Sort(counts);
        int minimum = new SyntheticDatasetOptions().MinInteractionsPerUser;

        Assert.Equal(minimum, counts[0]);
        Assert.True(counts[^1] >= 5 * counts[counts.Length / 2], $"Max {counts[^1]}, median {counts[counts.Length / 2]}.");
        double topShare = counts[^(counts.Length / 10)..].Sum() / (double)dataset.Count;
        Assert.True(topShare >= 0.25, $"Top 10% of users hold {topShare:F3}.");
    }

    [Fact]
    public void Generate_ShapeThatCannotAffordTheMinimum_ScalesItDown()
    {
        var options = new SyntheticDatasetOptions { UserCount = 100, ItemCount = 50, InteractionCount = 730, MinInteractionsPerUser = 20 };
        InteractionDataset dataset = SyntheticDatasetGenerator.Generate(options);
        int[] counts = CountsPerUser(dataset);

        Assert.Equal(730, dataset.Count);
        Assert.Equal(7, counts.Min());
        Assert.True(counts.Max() <= 30, $"A user rated {counts.Max()} of 50 items; the cap is 60%.");
    }

    [Fact]
    public void Generate_RatingsAtCapacity_GivesEveryUserTheCap()
    {
        var options = new SyntheticDatasetOptions { UserCount = 40, ItemCount = 50, InteractionCount = 40 * 30, ClusterCount = 5 };
        InteractionDataset dataset = SyntheticDatasetGenerator.Generate(options);

        Assert.All(CountsPerUser(dataset), count => Assert.Equal(30, count));
        Assert.Equal(dataset.Count, InteractionMatrix.Build(dataset).NonZeroCount);
    }

    [Fact]
    public void Generate_Attributes_DescribeEveryItem()
    {
        InteractionDataset dataset = fixture.Ratings;
        SyntheticTruth truth = fixture.RatingsTruth;

        Assert.Equal(dataset.ItemCount, dataset.Catalog.Count);
        Assert.Equal(dataset.ItemCount, dataset.Catalog.DescribedCount);
        int tagTotal = 0;
        for (int i = 0; i < dataset.ItemCount; i++)
        {
            ItemAttributes attributes = dataset.Catalog[i];
            Assert.Equal($"Item {i}", attributes.Title);
            Assert.Equal($"Category {truth.Items.MainClusters[i] + 1}", attributes.Categories[0]);
            Assert.Equal(truth.Items.SecondClusters[i] >= 0 ? 2 : 1, attributes.Categories.Count);
            Assert.InRange(attributes.Tags.Count, 1, 6);
            Assert.Equal(attributes.Tags.Count, attributes.Tags.Distinct().Count());
            Assert.True(attributes.Numeric["price"] > 0);
            Assert.InRange(attributes.Numeric["year"], 1900f, 2020f);
            tagTotal += attributes.Tags.Count;
        }

        Assert.Equal(tagTotal, dataset.Catalog.TagCount);
    }

    [Fact]
    public void Generate_SecondCategories_AppearAtTheConfiguredRate()
    {
        InteractionDataset dataset = fixture.Ratings;
        int withSecond = Enumerable.Range(0, dataset.ItemCount).Count(i => dataset.Catalog[i].Categories.Count == 2);

        // 15% of 1,500 items: 225 expected, standard deviation about 14.
        Assert.InRange(withSecond, 170, 280);
    }

    [Fact]
    public void Generate_HeldOutLastItem_SharesTheTopTrainingCategoryFarMoreOftenThanChance()
    {
        InteractionDataset dataset = fixture.Ratings;
        List<int>[] histories = SyntheticDatasetFixture.Histories(dataset);

        // Chance: the share of all interactions whose item carries a given category.
        var categoryShare = new Dictionary<string, double>();
        foreach (int item in dataset.ItemIndices)
        {
            foreach (string category in dataset.Catalog[item].Categories)
            {
                categoryShare[category] = categoryShare.GetValueOrDefault(category) + (1.0 / dataset.Count);
            }
        }

        int hits = 0;
        double chance = 0;
        foreach (List<int> history in histories)
        {
            var counts = new Dictionary<string, int>();
            foreach (int item in history.Take(history.Count - 1))
            {
                foreach (string category in dataset.Catalog[item].Categories)
                {
                    counts[category] = counts.GetValueOrDefault(category) + 1;
                }
            }

            string top = counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).First().Key;
            hits += dataset.Catalog[history[^1]].Categories.Contains(top) ? 1 : 0;
            chance += categoryShare[top];
        }

        double hitRate = hits / (double)histories.Length;
        double chanceRate = chance / histories.Length;
        Assert.True(hitRate >= 3 * chanceRate, $"Hit rate {hitRate:F3}, chance {chanceRate:F3}.");
    }

    [Fact]
    public void Generate_WithStickiness_LastItemFollowsThePreviousCategoryMoreThanTheProfilePredicts()
    {
        (double observed, double expected) = SameCategoryAsPrevious(fixture.Ratings);

        Assert.True(observed >= expected + 0.1, $"Observed {observed:F3}, profile predicts {expected:F3}.");
    }

    [Fact]
    public void Generate_WithoutStickiness_LastItemFollowsThePreviousCategoryNoMoreThanTheProfilePredicts()
    {
        var options = new SyntheticDatasetOptions { Stickiness = 0 };
        (double observed, double expected) = SameCategoryAsPrevious(SyntheticDatasetGenerator.Generate(options));

        Assert.True(observed < expected + 0.03, $"Observed {observed:F3}, profile predicts {expected:F3}.");
    }

    [Fact]
    public void Generate_Ratings_RiseWithAffinity()
    {
        InteractionDataset dataset = fixture.Ratings;
        SyntheticTruth truth = fixture.RatingsTruth;
        var affinity = new double[dataset.Count];
        var ratings = new double[dataset.Count];
        for (int k = 0; k < dataset.Count; k++)
        {
            affinity[k] = truth.Affinity(dataset.UserIndices[k], dataset.ItemIndices[k]);
            ratings[k] = dataset.Values[k];
        }

        double correlation = MathNet.Numerics.Statistics.Correlation.Pearson(affinity, ratings);
        Assert.True(correlation >= 0.5, $"Correlation {correlation:F3}.");
    }

    [Fact]
    public void Generate_Ratings_AreHigherInTheUsersFavouriteCluster()
    {
        InteractionDataset dataset = fixture.Ratings;
        SyntheticTruth truth = fixture.RatingsTruth;
        double favouriteSum = 0;
        double otherSum = 0;
        int favouriteCount = 0;
        int otherCount = 0;
        for (int k = 0; k < dataset.Count; k++)
        {
            int user = dataset.UserIndices[k];
            ReadOnlySpan<float> taste = truth.TasteOf(user);
            bool favourite = taste[truth.Items.MainClusters[dataset.ItemIndices[k]]] == truth.FavouriteTastes[user];
            if (favourite)
            {
                favouriteSum += dataset.Values[k];
                favouriteCount++;
            }
            else
            {
                otherSum += dataset.Values[k];
                otherCount++;
            }
        }

        Assert.True(favouriteSum / favouriteCount >= (otherSum / otherCount) + 0.5, $"Favourite {favouriteSum / favouriteCount:F2}, other {otherSum / otherCount:F2}.");
    }

    [Fact]
    public void Generate_ImplicitEvents_DeeperKindsGoToItemsWithHigherAffinity()
    {
        InteractionDataset dataset = fixture.Implicit;
        SyntheticTruth truth = fixture.ImplicitTruth;
        EventKind[] funnel = [EventKind.View, EventKind.Click, EventKind.AddToCart, EventKind.Purchase];
        var sums = new double[funnel.Length];
        var counts = new int[funnel.Length];
        for (int k = 0; k < dataset.Count; k++)
        {
            int depth = Array.IndexOf(funnel, dataset.Kinds[k]);
            Assert.True(depth >= 0, $"Unexpected kind {dataset.Kinds[k]}.");
            sums[depth] += truth.Affinity(dataset.UserIndices[k], dataset.ItemIndices[k]);
            counts[depth]++;
        }

        for (int depth = 1; depth < funnel.Length; depth++)
        {
            Assert.True(counts[depth] > dataset.Count / 50, $"Only {counts[depth]} {funnel[depth]} events.");
            Assert.True(
                sums[depth] / counts[depth] > (sums[depth - 1] / counts[depth - 1]) + 0.1,
                $"Mean affinity of {funnel[depth]} is not above that of {funnel[depth - 1]}.");
        }

        // Views are the commonest kind and purchases rarer than clicks, as in a funnel.
        Assert.True(counts[0] > counts[1] && counts[1] > counts[3], $"Kind counts {string.Join(",", counts)}.");
    }

    [Fact]
    public void Generate_ImplicitEvents_RepeatPairsAndWeighByKind()
    {
        InteractionDataset dataset = fixture.Implicit;
        var weights = new EventWeights();
        var pairs = new HashSet<long>();
        int repeats = 0;
        for (int k = 0; k < dataset.Count; k++)
        {
            Assert.Equal(1f, dataset.Values[k]);
            Assert.Equal(weights.WeightOf(dataset.Kinds[k], 1f), dataset.Weights[k]);
            repeats += pairs.Add(((long)dataset.UserIndices[k] * dataset.ItemCount) + dataset.ItemIndices[k]) ? 0 : 1;
        }

        // With the default repeat probability 0.3, about 30% of events return to a recent item.
        Assert.InRange(repeats / (double)dataset.Count, 0.2, 0.4);
    }

    [Fact]
    public void Generate_ConfiguredEventWeights_WeighTheEvents()
    {
        SyntheticDatasetOptions options = Tiny(feedback: SyntheticFeedback.ImplicitEvents);
        options.EventWeights = new EventWeights().Set(EventKind.Purchase, 100f);
        InteractionDataset dataset = SyntheticDatasetGenerator.Generate(options);

        int purchases = 0;
        for (int k = 0; k < dataset.Count; k++)
        {
            if (dataset.Kinds[k] == EventKind.Purchase)
            {
                Assert.Equal(100f, dataset.Weights[k]);
                purchases++;
            }
        }

        Assert.True(purchases > 0);
    }

    [Fact]
    public void Generate_Tags_AreSharedWithinClustersMoreThanAcross()
    {
        InteractionDataset dataset = fixture.Ratings;
        SyntheticTruth truth = fixture.RatingsTruth;
        int[] clusters = truth.Items.MainClusters;
        double within = 0;
        double across = 0;
        int withinPairs = 0;
        int acrossPairs = 0;
        for (int a = 0; a < 300; a++)
        {
            for (int b = a + 1; b < 300; b++)
            {
                int shared = dataset.Catalog[a].Tags.Intersect(dataset.Catalog[b].Tags).Count();
                if (clusters[a] == clusters[b])
                {
                    within += shared;
                    withinPairs++;
                }
                else
                {
                    across += shared;
                    acrossPairs++;
                }
            }
        }

        Assert.True(within / withinPairs >= 4 * (across / acrossPairs), $"Shared tags: within {within / withinPairs:F3}, across {across / acrossPairs:F3}.");
    }

    [Theory]
    [InlineData("price")]
    [InlineData("year")]
    public void Generate_NumericAttributes_DifferByCluster(string attribute)
    {
        InteractionDataset dataset = fixture.Ratings;
        int[] clusters = fixture.RatingsTruth.Items.MainClusters;
        int clusterCount = fixture.RatingsTruth.ClusterCount;

        // One-way analysis of variance on log(price) or year: the F statistic of the cluster means.
        var values = Enumerable.Range(0, dataset.ItemCount)
            .Select(i => (Cluster: clusters[i], Value: attribute == "price" ? Math.Log(dataset.Catalog[i].Numeric[attribute]) : dataset.Catalog[i].Numeric[attribute]))
            .ToArray();
        double grandMean = values.Average(v => v.Value);
        var groups = values.GroupBy(v => v.Cluster).ToArray();
        double between = groups.Sum(g => g.Count() * Math.Pow(g.Average(v => v.Value) - grandMean, 2)) / (clusterCount - 1);
        double within = groups.Sum(g => g.Sum(v => Math.Pow(v.Value - g.Average(w => w.Value), 2))) / (values.Length - clusterCount);

        Assert.True(between / within > 20, $"F = {between / within:F1}.");
    }

    [Fact]
    public void GenerateWithTruth_TruthMatchesTheData()
    {
        InteractionDataset dataset = fixture.Ratings;
        SyntheticTruth truth = fixture.RatingsTruth;

        Assert.Equal(CountsPerUser(dataset), truth.Activity);
        for (int u = 0; u < truth.UserCount; u++)
        {
            ReadOnlySpan<float> taste = truth.TasteOf(u);
            float sum = 0;
            foreach (float t in taste)
            {
                sum += t;
            }

            Assert.Equal(1f, sum, 1e-4f);
            Assert.Equal(truth.FavouriteTastes[u], taste.ToArray().Max());
        }

        // Tastes are sparse: the favourite cluster holds about half of a user's mixture on average.
        Assert.InRange(truth.FavouriteTastes.Average(), 0.35, 0.7);
    }

    [Property(MaxTest = 60)]
    public void Generate_AnySmallValidShape_MeetsSpecification(int seed, byte users, byte items, byte perUser, byte clusters, bool implicitEvents)
    {
        var options = new SyntheticDatasetOptions
        {
            Seed = seed,
            UserCount = 1 + (users % 40),
            ItemCount = 1 + (items % 60),
            Feedback = implicitEvents ? SyntheticFeedback.ImplicitEvents : SyntheticFeedback.Ratings,
            LatentDimensions = clusters % 3,
            MaxDegreeOfParallelism = 2,
        };
        options.ClusterCount = 1 + (clusters % options.ItemCount);
        options.InteractionCount = options.UserCount * (1 + (perUser % options.MaxInteractionsPerUser()));

        InteractionDataset dataset = SyntheticDatasetGenerator.Generate(options);

        Assert.Equal(options.InteractionCount, dataset.Count);
        Assert.Equal(options.UserCount, dataset.CountActiveUsers());
        Assert.Equal(options.ItemCount, dataset.Catalog.DescribedCount);
        var last = new Dictionary<int, long>();
        var pairs = new HashSet<(int, int)>();
        for (int k = 0; k < dataset.Count; k++)
        {
            int user = dataset.UserIndices[k];
            Assert.InRange(dataset.ItemIndices[k], 0, options.ItemCount - 1);
            Assert.True(!last.TryGetValue(user, out long previous) || dataset.Timestamps[k] > previous);
            last[user] = dataset.Timestamps[k];
            Assert.True(k == 0 || dataset.Timestamps[k - 1] <= dataset.Timestamps[k]);
            bool added = pairs.Add((user, dataset.ItemIndices[k]));
            Assert.True(added || implicitEvents, $"Rating pair repeats at {k}.");
        }
    }

    [Fact]
    public void Generate_InvalidOptions_Throws()
    {
        var options = new SyntheticDatasetOptions { Stickiness = 2 };

        Assert.Equal("Stickiness", Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticDatasetGenerator.Generate(options)).ParamName);
    }

    private static void AssertIdentical(InteractionDataset expected, InteractionDataset actual)
    {
        Assert.Equal(expected.UserCount, actual.UserCount);
        Assert.Equal(expected.ItemCount, actual.ItemCount);
        Assert.True(expected.UserIndices.SequenceEqual(actual.UserIndices));
        Assert.True(expected.ItemIndices.SequenceEqual(actual.ItemIndices));
        Assert.True(expected.Values.SequenceEqual(actual.Values));
        Assert.True(expected.Weights.SequenceEqual(actual.Weights));
        Assert.True(expected.Timestamps.SequenceEqual(actual.Timestamps));
        Assert.True(expected.Kinds.SequenceEqual(actual.Kinds));
        for (int i = 0; i < expected.ItemCount; i++)
        {
            ItemAttributes a = expected.Catalog[i];
            ItemAttributes b = actual.Catalog[i];
            Assert.Equal(a.Title, b.Title);
            Assert.Equal(a.Categories, b.Categories);
            Assert.Equal(a.Tags, b.Tags);
            Assert.Equal(a.Numeric.OrderBy(p => p.Key, StringComparer.Ordinal), b.Numeric.OrderBy(p => p.Key, StringComparer.Ordinal));
        }
    }

    private static int[] CountsPerUser(InteractionDataset dataset)
    {
        var counts = new int[dataset.UserCount];
        foreach (int user in dataset.UserIndices)
        {
            counts[user]++;
        }

        return counts;
    }

    private static double TopItemShare(InteractionDataset dataset)
    {
        var counts = new int[dataset.ItemCount];
        foreach (int item in dataset.ItemIndices)
        {
            counts[item]++;
        }

        Array.Sort(counts);
        return counts[^(dataset.ItemCount / 10)..].Sum() / (double)dataset.Count;
    }

    /// <summary>
    /// How often a user's last item has the main category of the item before it, against what the user's category
    /// frequencies (over all but the last item) predict if consecutive items were independent: the sum of squared
    /// frequencies, averaged over users.
    /// </summary>
    private static (double Observed, double Expected) SameCategoryAsPrevious(InteractionDataset dataset)
    {
        List<int>[] histories = SyntheticDatasetFixture.Histories(dataset);
        int same = 0;
        double expected = 0;
        int users = 0;
        foreach (List<int> history in histories)
        {
            if (history.Count < 3)
            {
                continue;
            }

            users++;
            string last = dataset.Catalog[history[^1]].Categories[0];
            string previous = dataset.Catalog[history[^2]].Categories[0];
            same += last == previous ? 1 : 0;
            int training = history.Count - 1;
            expected += history.Take(training)
                .GroupBy(item => dataset.Catalog[item].Categories[0], StringComparer.Ordinal)
                .Sum(g => Math.Pow(g.Count() / (double)training, 2));
        }

        return (same / (double)users, expected / users);
    }
}
