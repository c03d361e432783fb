using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Engine;

/// <summary>The caps on users and items (<see cref="IngestOptions.MaxUsers"/>, <see cref="IngestOptions.MaxItems"/>).</summary>
public sealed class IngestLimitsTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly DateTimeOffset At = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static InteractionDataset Start() => new InteractionDatasetBuilder()
        .Add("u1", "i1", 1f, At.ToUnixTimeMilliseconds(), EventKind.Click)
        .Add("u2", "i2", 1f, At.ToUnixTimeMilliseconds(), EventKind.Click)
        .Build();

    private static Task<RecommendationEngine> Engine(int? maxUsers, int? maxItems)
    {
        var options = new RecommendationEngineOptions { Ingest = { MaxUsers = maxUsers, MaxItems = maxItems } };
        options.Models.Add(EngineModel.Popularity());
        return RecommendationEngine.StartAsync(options, Start());
    }

    private static Interaction Click(string user, string item) => new(user, item, 1f, At, EventKind.Click);

    [Fact]
    public async Task MaxUsers_ANewUserPastTheCapIsRejected_KnownUsersAndNewItemsAreNot()
    {
        await using RecommendationEngine engine = await Engine(maxUsers: 3, maxItems: null).WaitAsync(Timeout);

        SubmitResult third = await engine.SubmitAsync(Click("u3", "i1"));
        SubmitResult fourth = await engine.SubmitAsync(Click("u4", "i1"));
        SubmitResult known = await engine.SubmitAsync(Click("u1", "i-new"));
        SubmitResult thirdAgain = await engine.SubmitAsync(Click("u3", "i2"));
        await engine.FlushAsync().WaitAsync(Timeout);

        Assert.True(third.Accepted);
        Assert.Equal(SubmitResult.Rejected(EventRejectionReason.TooManyUsers), fourth);
        Assert.True(known.Accepted);
        Assert.True(thirdAgain.Accepted);
        Assert.Equal(3, engine.Counters.Applied);
        Assert.Equal(1, engine.Counters.RejectedFor(EventRejectionReason.TooManyUsers));
    }

    [Fact]
    public async Task MaxItems_ANewItemPastTheCapIsRejected_KnownItemsAreNot()
    {
        await using RecommendationEngine engine = await Engine(maxUsers: 3, maxItems: 2).WaitAsync(Timeout);

        SubmitResult newItem = await engine.SubmitAsync(Click("u1", "i3"));
        SubmitResult knownItem = await engine.SubmitAsync(Click("u3", "i1"));
        await engine.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(SubmitResult.Rejected(EventRejectionReason.TooManyItems), newItem);
        Assert.True(knownItem.Accepted);
        Assert.Equal(1, engine.Counters.Applied);
        Assert.Equal(1, engine.Counters.RejectedFor(EventRejectionReason.TooManyItems));
    }

    [Fact]
    public async Task MaxUsers_AnErasedUserGivesTheirPlaceBack()
    {
        await using RecommendationEngine engine = await Engine(maxUsers: 2, maxItems: null).WaitAsync(Timeout);
        Assert.Equal(SubmitResult.Rejected(EventRejectionReason.TooManyUsers), await engine.SubmitAsync(Click("u3", "i1")));

        await engine.ForgetUserAsync("u2").WaitAsync(Timeout);

        Assert.True((await engine.SubmitAsync(Click("u3", "i1"))).Accepted);
        Assert.Equal(SubmitResult.Rejected(EventRejectionReason.TooManyUsers), await engine.SubmitAsync(Click("u4", "i1")));
    }

    [Fact]
    public async Task MaxUsers_ManyConcurrentNewUsers_AdmitExactlyTheCap()
    {
        await using RecommendationEngine engine = await Engine(maxUsers: 52, maxItems: null).WaitAsync(Timeout);

        SubmitResult[] results = await Task.WhenAll(Enumerable.Range(0, 400).Select(u => Task.Run(async () => await engine.SubmitAsync(Click($"new-{u}", "i1")))))
            .WaitAsync(Timeout);
        await engine.FlushAsync().WaitAsync(Timeout);

        Assert.Equal(50, results.Count(r => r.Accepted));
        Assert.All(results.Where(r => !r.Accepted), r => Assert.Equal(EventRejectionReason.TooManyUsers, r.Reason));
        Assert.Equal(50, engine.Counters.Applied);
    }

    [Theory]
    [InlineData(0, null, "MaxUsers")]
    [InlineData(-5, null, "MaxUsers")]
    [InlineData(null, 0, "MaxItems")]
    public void Validate_ACapBelowOne_ThrowsNamingTheOption(int? maxUsers, int? maxItems, string name)
    {
        var options = new IngestOptions { MaxUsers = maxUsers, MaxItems = maxItems };

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(options.Validate);

        Assert.Equal(name, error.ParamName);
    }
}
