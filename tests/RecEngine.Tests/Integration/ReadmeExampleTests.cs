using RecEngine.Data;
using RecEngine.Models.Factorization;

namespace RecEngine.Tests.Integration;

/// <summary>The README's code example, kept compiling and behaving as the README says.</summary>
public sealed class ReadmeExampleTests
{
    [Fact]
    public void ReadmeExample_RecommendsFiltersAndExplains()
    {
        var builder = new InteractionDatasetBuilder();
        long now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        builder.Add("alice", "espresso-beans", 1f, now, EventKind.Purchase);
        builder.Add("alice", "grinder", 1f, now, EventKind.View);
        string[] catalog = ["espresso-beans", "grinder", "milk-frother", "kettle", "tea", "mug"];
        for (int u = 0; u < 30; u++)
        {
            // Coffee people buy the first four items, tea people the last three.
            string[] basket = u % 2 == 0 ? catalog[..4] : catalog[3..];
            foreach (string item in basket)
            {
                builder.Add($"user{u}", item, 1f, now, EventKind.Purchase);
            }
        }

        InteractionDataset events = builder.Build();
        var model = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 2 });
        model.Fit(events);

        var inStock = new HashSet<string> { "grinder", "milk-frother", "kettle" };
        IReadOnlyList<ScoredItem> top = model.Recommend("alice", 10, new RecommendOptions { Filter = inStock.Contains });
        // Unseen and in stock: milk-frother and kettle only; the coffee item ranks first.
        Assert.Equal(["milk-frother", "kettle"], top.Select(t => t.ItemId));

        var buffer = new ScoredItem[10];
        int written = model.Recommend("alice", buffer);
        Assert.Equal(4, written);

        Explanation? why = model.Explain("alice", top[0].ItemId);
        Assert.NotNull(why);
        Assert.Equal(["espresso-beans", "grinder"], why.Contributions.Select(c => c.ItemId).Order());
        IReadOnlyList<ScoredItem> similar = model.SimilarItems("grinder", 5);
        Assert.Equal(5, similar.Count);
        Assert.Equal(4, model.Recommend("stranger", 4).Count);
    }
}
