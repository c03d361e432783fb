using RecEngine.Data.Synthetic;

namespace RecEngine.Tests.Data.Synthetic;

public sealed class SyntheticDatasetOptionsTests
{
    public static TheoryData<string, Action<SyntheticDatasetOptions>> InvalidSettings => new()
    {
        { nameof(SyntheticDatasetOptions.UserCount), o => o.UserCount = 0 },
        { nameof(SyntheticDatasetOptions.ItemCount), o => o.ItemCount = -1 },
        { nameof(SyntheticDatasetOptions.Feedback), o => o.Feedback = (SyntheticFeedback)7 },
        { nameof(SyntheticDatasetOptions.InteractionCount), o => o.InteractionCount = o.UserCount - 1 },
        { nameof(SyntheticDatasetOptions.InteractionCount), o => o.InteractionCount = (o.UserCount * 900) + 1 },
        { nameof(SyntheticDatasetOptions.ClusterCount), o => o.ClusterCount = 0 },
        { nameof(SyntheticDatasetOptions.ClusterCount), o => o.ClusterCount = o.ItemCount + 1 },
        { nameof(SyntheticDatasetOptions.ClusterCount), o => o.ClusterCount = 1001 },
        { nameof(SyntheticDatasetOptions.TasteConcentration), o => o.TasteConcentration = 0 },
        { nameof(SyntheticDatasetOptions.TasteConcentration), o => o.TasteConcentration = double.PositiveInfinity },
        { nameof(SyntheticDatasetOptions.LatentDimensions), o => o.LatentDimensions = -1 },
        { nameof(SyntheticDatasetOptions.LatentDimensions), o => o.LatentDimensions = 65 },
        { nameof(SyntheticDatasetOptions.ItemPopularityExponent), o => o.ItemPopularityExponent = -0.1 },
        { nameof(SyntheticDatasetOptions.ItemPopularityExponent), o => o.ItemPopularityExponent = double.NaN },
        { nameof(SyntheticDatasetOptions.UserActivityExponent), o => o.UserActivityExponent = 0 },
        { nameof(SyntheticDatasetOptions.MinInteractionsPerUser), o => o.MinInteractionsPerUser = 0 },
        { nameof(SyntheticDatasetOptions.Stickiness), o => o.Stickiness = 1.5 },
        { nameof(SyntheticDatasetOptions.Stickiness), o => o.Stickiness = double.NaN },
        { nameof(SyntheticDatasetOptions.RepeatProbability), o => o.RepeatProbability = -0.5 },
        { nameof(SyntheticDatasetOptions.SecondCategoryProbability), o => o.SecondCategoryProbability = 1.01 },
        { nameof(SyntheticDatasetOptions.RatingNoise), o => o.RatingNoise = -1 },
        { nameof(SyntheticDatasetOptions.ArrivalWindow), o => o.ArrivalWindow = TimeSpan.FromSeconds(-1) },
        { nameof(SyntheticDatasetOptions.ArrivalWindow), o => o.ArrivalWindow = TimeSpan.FromDays(40_000) },
        { nameof(SyntheticDatasetOptions.MeanGap), o => o.MeanGap = TimeSpan.Zero },
        { nameof(SyntheticDatasetOptions.MeanGap), o => o.MeanGap = TimeSpan.FromDays(366) },
        { nameof(SyntheticDatasetOptions.MaxDegreeOfParallelism), o => o.MaxDegreeOfParallelism = 0 },
        { nameof(SyntheticDatasetOptions.MaxDegreeOfParallelism), o => o.MaxDegreeOfParallelism = -2 },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public void Validate_OutOfRange_ThrowsNamingTheProperty(string property, Action<SyntheticDatasetOptions> configure)
    {
        var options = new SyntheticDatasetOptions();
        configure(options);

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(property, exception.ParamName);
    }

    [Fact]
    public void Validate_RatingsBeyondSixtyPercentOfTheCatalogue_ThrowsWithTheLimit()
    {
        var options = new SyntheticDatasetOptions { UserCount = 10, ItemCount = 100, InteractionCount = 601 };

        var exception = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);
        Assert.Equal(nameof(SyntheticDatasetOptions.InteractionCount), exception.ParamName);
        Assert.Contains("at most 600", exception.Message, StringComparison.Ordinal);

        options.InteractionCount = 600;
        options.Validate();
        options.InteractionCount = 601;
        options.Feedback = SyntheticFeedback.ImplicitEvents;
        options.Validate();
    }

    [Fact]
    public void Defaults_AreTheSmallShapeAndValid()
    {
        var options = new SyntheticDatasetOptions();
        options.Validate();

        Assert.Equal((2_000, 1_500, 100_000), (options.UserCount, options.ItemCount, options.InteractionCount));
        Assert.Equal(SyntheticFeedback.Ratings, options.Feedback);
        Assert.Equal(20, options.ClusterCount);
        Assert.Equal(20, options.MinInteractionsPerUser);
        SyntheticDatasetOptions small = SyntheticDatasetOptions.SmallShape();
        Assert.Equal((options.UserCount, options.ItemCount, options.InteractionCount, options.Seed), (small.UserCount, small.ItemCount, small.InteractionCount, small.Seed));
    }

    [Fact]
    public void Presets_HaveTheDocumentedShapes()
    {
        SyntheticDatasetOptions movieLens = SyntheticDatasetOptions.MovieLens1MShape();
        SyntheticDatasetOptions large = SyntheticDatasetOptions.LargeShape();
        movieLens.Validate();
        large.Validate();

        Assert.Equal((6_040, 3_706, 1_000_209), (movieLens.UserCount, movieLens.ItemCount, movieLens.InteractionCount));
        Assert.Equal((100_000, 20_000, 10_000_000), (large.UserCount, large.ItemCount, large.InteractionCount));
        Assert.NotSame(SyntheticDatasetOptions.LargeShape(), large);
    }
}
