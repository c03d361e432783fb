using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using RecEngine.Data;
using RecEngine.Models.Content;
using RecEngine.Models.Neighborhood;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.DependencyInjection;

/// <summary>
/// The user-kNN and content models added through the builder: each serves what an engine given the same options
/// directly serves, and their invalid options fail the host's start.
/// </summary>
public sealed class ModelFamilyRegistrationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<(InteractionDataset All, InteractionDataset Start, Interaction[] Events)> Stream = new(() => EventStreams.TimeOrdered(150, 120, 4_000));

    [Fact]
    public async Task UserKnnAndContent_AreAddedByName_ServeWhatAnEngineWithTheSameOptionsServes_AndTheirOptionsReachTheModels()
    {
        static void Narrow(NeighborhoodOptions knn) => knn.Neighbors = 2;
        static void Wide(NeighborhoodOptions knn) => knn.Neighbors = 40;
        static void Text(ContentOptions content) => content.CategoryWeight = 0f;
        await using ServiceProvider services = new ServiceCollection()
            .AddRecEngine(engine => engine
                .AddUserKnn("narrow", Narrow)
                .AddUserKnn("wide", Wide)
                .AddContent("content")
                .AddContent("text-only", Text)
                .StartFrom(_ => Stream.Value.Start))
            .BuildServiceProvider();
        var direct = new RecommendationEngineOptions();
        direct.Models.Add(EngineModel.UserKnn(new NeighborhoodOptions { Neighbors = 2 }, "narrow"));
        direct.Models.Add(EngineModel.UserKnn(new NeighborhoodOptions { Neighbors = 40 }, "wide"));
        direct.Models.Add(EngineModel.Content(new ContentOptions(), "content"));
        direct.Models.Add(EngineModel.Content(new ContentOptions { CategoryWeight = 0f }, "text-only"));
        await using RecommendationEngine reference = await RecommendationEngine.StartAsync(direct, Stream.Value.Start).WaitAsync(Timeout);
        InteractionDataset start = Stream.Value.Start;
        string[] users = [.. Enumerable.Range(0, start.Count).Select(r => start[r].UserId).Distinct().Take(40)];
        string[] items = [.. Enumerable.Range(0, start.Count).Select(r => start[r].ItemId).Distinct().Take(40)];

        int differentNeighbourhoods = 0, differentContent = 0;
        foreach (string model in (string[])["narrow", "wide", "content", "text-only"])
        {
            IRecommender injected = services.GetRequiredKeyedService<IRecommender>(model);
            IRecommender expected = reference.GetRecommender(model);
            Assert.Equal(model, injected.Name);
            foreach (string user in users)
            {
                IReadOnlyList<ScoredItem> served = injected.Recommend(user, 10);
                Assert.NotEmpty(served);
                Assert.Equal(expected.Recommend(user, 10), served);
            }

            foreach (string item in items)
            {
                Assert.Equal(expected.SimilarItems(item, 10), injected.SimilarItems(item, 10));
            }
        }

        IRecommender narrow = services.GetRequiredKeyedService<IRecommender>("narrow"), wide = services.GetRequiredKeyedService<IRecommender>("wide");
        IRecommender content = services.GetRequiredKeyedService<IRecommender>("content"), text = services.GetRequiredKeyedService<IRecommender>("text-only");
        foreach (string user in users)
        {
            differentNeighbourhoods += narrow.Recommend(user, 10).SequenceEqual(wide.Recommend(user, 10)) ? 0 : 1;
        }

        foreach (string item in items)
        {
            differentContent += content.SimilarItems(item, 10).SequenceEqual(text.SimilarItems(item, 10)) ? 0 : 1;
        }

        Assert.True(differentNeighbourhoods > 0, "two and forty neighbours served the same lists to every user");
        Assert.True(differentContent > 0, "with and without the category weight the content model served the same similar items");
    }

    [Fact]
    public async Task InvalidUserKnnAndContentOptions_FailTheHostStart_NamingTheModelAndTheOption()
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Services.AddRecEngine(engine => engine
            .AddUserKnn("people", knn => knn.Neighbors = 0)
            .AddContent("content", content => content.MinimumTokenLength = -1));
        using IHost host = builder.Build();

        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Model 'people'", error.Message, StringComparison.Ordinal);
        Assert.Contains("Neighbors", error.Message, StringComparison.Ordinal);
        Assert.Contains("Model 'content'", error.Message, StringComparison.Ordinal);
        Assert.Contains("MinimumTokenLength", error.Message, StringComparison.Ordinal);
        Assert.False(host.Services.GetRequiredService<RecommendationEngineProvider>().IsStarted);
    }
}
