using RecEngine.Evaluation;

namespace RecEngine.Tests.Evaluation;

public sealed class RatingMetricsTests
{
    [Fact]
    public void Rmse_ThreePredictions_MatchesHandComputedValue()
    {
        // Errors [1, 0, -2]: RMSE = sqrt((1 + 0 + 4) / 3) = sqrt(5/3).
        Assert.Equal(1.2909944487358056, RatingMetrics.Rmse([3f, 4f, 1f], [2f, 4f, 3f]), 12);
    }

    [Fact]
    public void Mae_ThreePredictions_MatchesHandComputedValue()
    {
        // Errors [1, 0, -2]: MAE = (1 + 0 + 2) / 3 = 1.
        Assert.Equal(1.0, RatingMetrics.Mae([3f, 4f, 1f], [2f, 4f, 3f]), 12);
    }

    [Fact]
    public void RatingMetrics_PerfectPredictions_AreZero()
    {
        Assert.Equal(0.0, RatingMetrics.Rmse([1.5f, 4f], [1.5f, 4f]));
        Assert.Equal(0.0, RatingMetrics.Mae([1.5f, 4f], [1.5f, 4f]));
    }

    [Fact]
    public void RatingMetrics_Empty_AreNaN()
    {
        Assert.True(double.IsNaN(RatingMetrics.Rmse([], [])));
        Assert.True(double.IsNaN(RatingMetrics.Mae([], [])));
    }

    [Fact]
    public void RatingMetrics_DifferentLengths_ThrowNamingActual()
    {
        Assert.Equal("actual", Assert.Throws<ArgumentException>(() => RatingMetrics.Rmse([1f], [1f, 2f])).ParamName);
        Assert.Equal("actual", Assert.Throws<ArgumentException>(() => RatingMetrics.Mae([1f, 2f], [1f])).ParamName);
    }
}
