using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Evaluation;

namespace RecEngine.Tests.Evaluation;

public sealed class DatasetSplitTests
{
    [Fact]
    public void LeaveLastOut_PicksEachUsersLatestInteraction()
    {
        InteractionDataset data = EvaluationData.Build(
            ("u1", "a", 1, 10), ("u1", "b", 2, 30), ("u1", "c", 3, 20),
            ("u2", "a", 4, 50), ("u2", "c", 5, 40),
            ("u3", "a", 6, 10));

        DatasetSplit split = DatasetSplit.LeaveLastOut(data);

        Assert.Equal([("u1", "b", 2f, 30L), ("u2", "a", 4f, 50L)], EvaluationData.Rows(split.Test));
        Assert.Equal([("u1", "a", 1f, 10L), ("u1", "c", 3f, 20L), ("u2", "c", 5f, 40L), ("u3", "a", 6f, 10L)], EvaluationData.Rows(split.Train));
    }

    [Fact]
    public void LeaveLastOut_UserWithOneInteraction_KeepsItInTraining()
    {
        InteractionDataset data = EvaluationData.Build(("solo", "a", 1, 10), ("u", "a", 2, 10), ("u", "b", 3, 20));

        DatasetSplit split = DatasetSplit.LeaveLastOut(data);

        Assert.Contains(("solo", "a", 1f, 10L), EvaluationData.Rows(split.Train));
        Assert.DoesNotContain(EvaluationData.Rows(split.Test), row => row.User == "solo");
    }

    [Theory]
    [InlineData("10", "9", "10")]
    [InlineData("9", "10", "10")]
    [InlineData("-1", "-10", "-1")]
    [InlineData("7", "07", "7")]
    public void LeaveLastOut_TiedTimestampsWithIntegerIds_BreaksTiesNumerically(string first, string second, string expected)
    {
        // "9" comes before "10" numerically (ordinally it would come after), so "10" is the last interaction;
        // -10 < -1 likewise. Equal numbers ("07" = "7") fall back to ordinal order, where "07" < "7".
        InteractionDataset data = EvaluationData.Build(("u", "1", 0, 1), ("u", first, 0, 5), ("u", second, 0, 5));

        DatasetSplit split = DatasetSplit.LeaveLastOut(data);

        Assert.Equal(expected, Assert.Single(EvaluationData.Rows(split.Test)).Item);
    }

    [Theory]
    [InlineData("item10", "item9", "item9")]
    [InlineData("b", "B", "b")]
    [InlineData("9", "x", "x")]
    [InlineData("10", "9x", "9x")]
    public void LeaveLastOut_TiedTimestampsWithOtherIds_BreaksTiesOrdinallyUnlessBothAreIntegers(string first, string second, string expected)
    {
        InteractionDataset data = EvaluationData.Build(("u", first, 0, 5), ("u", second, 0, 5));

        Assert.Equal(expected, Assert.Single(EvaluationData.Rows(DatasetSplit.LeaveLastOut(data).Test)).Item);
        Assert.Equal(expected, Assert.Single(EvaluationData.Rows(DatasetSplit.LeaveLastOut(EvaluationData.Build(("u", second, 0, 5), ("u", first, 0, 5))).Test)).Item);
    }

    [Fact]
    public void LeaveLastOut_CyclicMixedIdTie_HoldsOutTheOrdinallyLastItem()
    {
        // Pairwise "9" < "10" (numbers), "10" < "1a" and "1a" < "9" (ordinal): no maximum, so ordinal order decides.
        InteractionDataset data = EvaluationData.Build(("u", "1a", 0, 5), ("u", "9", 0, 5), ("u", "10", 0, 5));

        Assert.Equal("9", Assert.Single(EvaluationData.Rows(DatasetSplit.LeaveLastOut(data).Test)).Item);
    }

    [Fact]
    public void Splits_ShareTheSourceIdMapsCountsAndCatalog()
    {
        var builder = new InteractionDatasetBuilder()
            .Add("u1", "a", 1, 1).Add("u1", "b", 1, 2).Add("u2", "a", 1, 3).Add("u2", "c", 1, 4)
            .SetItemAttributes("unrated", new ItemAttributes { Tags = ["tag"] });
        InteractionDataset data = builder.Build();

        DatasetSplit[] splits =
        [
            DatasetSplit.LeaveLastOut(data),
            DatasetSplit.RandomHoldout(data, 0.5, seed: 1),
            DatasetSplit.TemporalByCutoff(data, DateTimeOffset.FromUnixTimeMilliseconds(2)),
            DatasetSplit.TemporalByFraction(data, 0.5),
            .. DatasetSplit.KFold(data, 2, seed: 1),
        ];

        foreach (DatasetSplit split in splits)
        {
            foreach (InteractionDataset part in new[] { split.Train, split.Test })
            {
                Assert.Same(data.Users, part.Users);
                Assert.Same(data.Items, part.Items);
                Assert.Same(data.Catalog, part.Catalog);
                Assert.Equal(data.UserCount, part.UserCount);
                Assert.Equal(4, part.ItemCount);
            }
        }
    }

    [Theory]
    [InlineData(0.2, 10, 2)]
    [InlineData(0.25, 10, 3)]
    [InlineData(0.5, 3, 2)]
    public void RandomHoldout_TestSize_IsCeilingOfFractionTimesCount(double testFraction, int count, int expectedTestCount)
    {
        InteractionDataset data = EvaluationData.FromCodes(Enumerable.Range(0, count).ToArray());

        DatasetSplit split = DatasetSplit.RandomHoldout(data, testFraction, seed: 7);

        Assert.Equal(expectedTestCount, split.Test.Count);
        Assert.Equal(count - expectedTestCount, split.Train.Count);
    }

    [Fact]
    public void RandomSplits_FixedSeed_GiveTheRecordedRows()
    {
        // The permutation of 10 rows for seed 42 is [8, 3, 6, 5, 4, 0, 9, 2, 1, 7] (SplitMix64 from state 42,
        // Durstenfeld's shuffle with Lemire's bounded integers). Holdout takes
        // the first ceil(0.3 * 10) = 3 positions, fold 0 of 3 the first 4. These rows must not change between releases.
        InteractionDataset data = EvaluationData.FromCodes(Enumerable.Range(0, 10).ToArray());

        Assert.Equal([3f, 6f, 8f], DatasetSplit.RandomHoldout(data, 0.3, seed: 42).Test.Values.ToArray());
        Assert.Equal([3f, 5f, 6f, 8f], DatasetSplit.KFold(data, 3, seed: 42)[0].Test.Values.ToArray());
    }

    [Fact]
    public void TemporalByCutoff_InteractionsAtTheCutoff_GoToTraining()
    {
        InteractionDataset data = EvaluationData.Build(("u1", "a", 1, 10), ("u1", "b", 2, 20), ("u2", "a", 3, 20), ("u2", "b", 4, 21));

        DatasetSplit split = DatasetSplit.TemporalByCutoff(data, DateTimeOffset.FromUnixTimeMilliseconds(20));

        Assert.Equal([1f, 2f, 3f], split.Train.Values.ToArray());
        Assert.Equal([4f], split.Test.Values.ToArray());
    }

    [Fact]
    public void TemporalByCutoff_ColdStartUsers_AreKeptByDefaultAndDroppedWhenSkipped()
    {
        // u2 first appears after the cutoff.
        InteractionDataset data = EvaluationData.Build(("u1", "a", 1, 10), ("u1", "b", 2, 30), ("u2", "a", 3, 40));
        DateTimeOffset cutoff = DateTimeOffset.FromUnixTimeMilliseconds(20);

        DatasetSplit kept = DatasetSplit.TemporalByCutoff(data, cutoff);
        DatasetSplit skipped = DatasetSplit.TemporalByCutoff(data, cutoff, ColdStartUsers.Skip);

        Assert.Equal([2f, 3f], kept.Test.Values.ToArray());
        Assert.Equal([2f], skipped.Test.Values.ToArray());
        Assert.Equal([1f], skipped.Train.Values.ToArray());
    }

    [Fact]
    public void TemporalByFraction_TiesAtTheCutoff_AllGoToTraining()
    {
        // Timestamps [1, 2, 3, 3, 3, 4], train fraction 0.5: m = floor(0.5 * 6) = 3, cutoff = 3rd earliest = 3.
        InteractionDataset data = EvaluationData.Build(
            ("u", "a", 0, 3), ("u", "b", 1, 1), ("u", "c", 2, 4), ("u", "d", 3, 3), ("u", "e", 4, 2), ("u", "f", 5, 3));

        DatasetSplit split = DatasetSplit.TemporalByFraction(data, 0.5);

        Assert.Equal([0f, 1f, 3f, 4f, 5f], split.Train.Values.ToArray());
        Assert.Equal([2f], split.Test.Values.ToArray());
    }

    [Fact]
    public void TemporalByFraction_DistinctTimestamps_TrainsOnTheEarliestShare()
    {
        InteractionDataset data = EvaluationData.Build(
            Enumerable.Range(0, 10).Select(t => ("u", $"i{t}", (float)t, (long)(9 - t))).ToArray());

        DatasetSplit split = DatasetSplit.TemporalByFraction(data, 0.8);

        // floor(0.8 * 10) = 8 earliest timestamps 0..7, which are rows 2..9.
        Assert.Equal([2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f], split.Train.Values.ToArray());
        Assert.Equal([0f, 1f], split.Test.Values.ToArray());
    }

    [Fact]
    public void KFold_TenRowsThreeFolds_HasScikitLearnFoldSizes()
    {
        InteractionDataset data = EvaluationData.FromCodes(Enumerable.Range(0, 10).ToArray());

        IReadOnlyList<DatasetSplit> folds = DatasetSplit.KFold(data, 3, seed: 3);

        Assert.Equal([4, 3, 3], folds.Select(f => f.Test.Count));
        Assert.Equal([6, 7, 7], folds.Select(f => f.Train.Count));
    }

    [Fact]
    public void Splits_InvalidArguments_ThrowNamingTheParameter()
    {
        InteractionDataset data = EvaluationData.FromCodes([1, 2, 3, 4]);
        Assert.Equal("testFraction", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.RandomHoldout(data, 0.0, 1)).ParamName);
        Assert.Equal("testFraction", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.RandomHoldout(data, 1.0, 1)).ParamName);
        Assert.Equal("testFraction", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.RandomHoldout(data, double.NaN, 1)).ParamName);
        Assert.Equal("trainFraction", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.TemporalByFraction(data, 1.5)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.KFold(data, 1, 1)).ParamName);
        Assert.Equal("k", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.KFold(data, 5, 1)).ParamName);
        Assert.Equal("coldStartUsers", Assert.Throws<ArgumentOutOfRangeException>(() => DatasetSplit.TemporalByCutoff(data, DateTimeOffset.UnixEpoch, (ColdStartUsers)7)).ParamName);
        Assert.Equal("dataset", Assert.Throws<ArgumentNullException>(() => DatasetSplit.LeaveLastOut(null!)).ParamName);
    }

    [Fact]
    public void Constructor_DatasetsWithDifferentIdMaps_Throws()
    {
        InteractionDataset a = EvaluationData.FromCodes([1, 2]);
        InteractionDataset b = EvaluationData.FromCodes([1, 2]);

        Assert.Equal("test", Assert.Throws<ArgumentException>(() => new DatasetSplit(a, b)).ParamName);
    }

    [Property]
    public bool LeaveLastOut_PartitionsTheDataAndHoldsOutOneLatestRowPerUser(int[] codes)
    {
        InteractionDataset data = EvaluationData.FromCodes(codes);
        DatasetSplit split = DatasetSplit.LeaveLastOut(data);
        if (!IsPartition(data, split))
        {
            return false;
        }

        var rowsByUser = EvaluationData.Rows(data).GroupBy(r => r.User).ToDictionary(g => g.Key, g => g.ToArray());
        var test = EvaluationData.Rows(split.Test);
        return rowsByUser.All(pair =>
        {
            var held = test.Where(r => r.User == pair.Key).ToArray();
            return pair.Value.Length < 2
                ? held.Length == 0
                : held.Length == 1 && held[0].Time == pair.Value.Max(r => r.Time);
        });
    }

    [Property]
    public bool RandomHoldout_PartitionsTheDataAndIsDeterministicForASeed(int[] codes, int seed)
    {
        InteractionDataset data = EvaluationData.FromCodes(codes);
        DatasetSplit first = DatasetSplit.RandomHoldout(data, 0.3, seed);
        DatasetSplit second = DatasetSplit.RandomHoldout(data, 0.3, seed);
        return IsPartition(data, first)
            && first.Test.Count == (int)Math.Ceiling(0.3 * codes.Length)
            && first.Test.Values.SequenceEqual(second.Test.Values)
            && first.Train.Values.SequenceEqual(second.Train.Values);
    }

    [Property]
    public bool Temporal_PartitionsTheDataWithNoTestRowBeforeATrainingRow(int[] codes, int cutoff)
    {
        InteractionDataset data = EvaluationData.FromCodes(codes);
        DatasetSplit byCutoff = DatasetSplit.TemporalByCutoff(data, DateTimeOffset.FromUnixTimeMilliseconds(cutoff & 3));
        DatasetSplit byFraction = DatasetSplit.TemporalByFraction(data, 0.7);
        return new[] { byCutoff, byFraction }.All(split =>
            IsPartition(data, split)
            && (split.Train.Count == 0 || split.Test.Count == 0 || split.Train.Timestamps.ToArray().Max() < split.Test.Timestamps.ToArray().Min()));
    }

    [Property]
    public bool KFold_PutsEveryInteractionInExactlyOneTestFold(int[] codes, int seed)
    {
        InteractionDataset data = EvaluationData.FromCodes(codes);
        if (data.Count < 3)
        {
            return true;
        }

        IReadOnlyList<DatasetSplit> folds = DatasetSplit.KFold(data, 3, seed);
        IReadOnlyList<DatasetSplit> again = DatasetSplit.KFold(data, 3, seed);
        float[] allTest = folds.SelectMany(f => f.Test.Values.ToArray()).Order().ToArray();
        return allTest.SequenceEqual(EvaluationData.SortedValues(data))
            && folds.All(f => IsPartition(data, f))
            && folds.Select(f => f.Test.Count).Max() - folds.Select(f => f.Test.Count).Min() <= 1
            && folds.Zip(again).All(p => p.First.Test.Values.SequenceEqual(p.Second.Test.Values));
    }

    /// <summary>Train and test together hold every row exactly once, each in the source's order.</summary>
    private static bool IsPartition(InteractionDataset data, DatasetSplit split)
    {
        float[] train = split.Train.Values.ToArray();
        float[] test = split.Test.Values.ToArray();
        var source = EvaluationData.Rows(data);
        return train.Concat(test).Order().SequenceEqual(EvaluationData.SortedValues(data))
            && train.SequenceEqual(train.Order()) && test.SequenceEqual(test.Order())
            && EvaluationData.Rows(split.Train).Concat(EvaluationData.Rows(split.Test)).All(r => source[(int)r.Value] == r);
    }
}
