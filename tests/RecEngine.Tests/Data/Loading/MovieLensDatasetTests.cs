using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Data.Loading;

/// <summary>Golden figures of the MovieLens loaders on the real releases, read through <c>RECENGINE_DATA</c>.</summary>
[Trait("Category", "Dataset")]
public sealed class MovieLensDatasetTests
{
    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void Load100K_OriginalRelease_HasTheDocumentedCounts()
    {
        InteractionDataset dataset = MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K));

        Assert.Equal(100_000, dataset.Count);
        Assert.Equal(943, dataset.UserCount);
        Assert.Equal(1_682, dataset.ItemCount);
        Assert.Equal(943, dataset.CountActiveUsers());
        Assert.Equal(1_682, dataset.Catalog.DescribedCount);
        Assert.Equal(0, dataset.Catalog.TagCount);
    }

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void Load100K_OriginalRelease_FirstInteractionIsTheFirstLineOfUData()
    {
        InteractionDataset dataset = MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K));

        Assert.Equal("196", dataset.Users.GetId(dataset.UserIndices[0]));
        Assert.Equal("242", dataset.Items.GetId(dataset.ItemIndices[0]));
        Assert.Equal(3f, dataset.Values[0]);
        Assert.Equal(881_250_949_000L, dataset.Timestamps[0]);
        Assert.Equal(EventKind.Rating, dataset.Kinds[0]);
        Assert.Equal(0, dataset.UserIndices[0]);
        Assert.Equal(0, dataset.ItemIndices[0]);
    }

    [DatasetFact(DatasetPaths.MovieLens100K)]
    public void Load100K_OriginalRelease_HasTitlesGenresAndYears()
    {
        InteractionDataset dataset = MovieLens.Load100K(DatasetPaths.Require(DatasetPaths.MovieLens100K));

        ItemAttributes toyStory = Attributes(dataset, "1");
        Assert.Equal("Toy Story (1995)", toyStory.Title);
        Assert.Equal(["Animation", "Children's", "Comedy"], toyStory.Categories);
        Assert.Equal(1995f, toyStory.Numeric[MovieLens.YearAttribute]);

        // u.item is ISO-8859-1.
        Assert.Equal("Misérables, Les (1995)", Attributes(dataset, "543").Title);

        // Every title ends in its year except "unknown" (item 267) and item 1412, which ends in "(1995) (V)".
        int withYear = 0;
        for (int item = 0; item < dataset.ItemCount; item++)
        {
            withYear += dataset.Catalog[item].Numeric.ContainsKey(MovieLens.YearAttribute) ? 1 : 0;
        }

        Assert.Equal(1_680, withYear);
    }

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void LoadLatest_Small_HasTheDocumentedCounts()
    {
        InteractionDataset dataset = MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall));

        Assert.Equal(100_836, dataset.Count);
        Assert.Equal(610, dataset.UserCount);
        Assert.Equal(9_724, dataset.ItemCount);
        Assert.Equal(9_724, dataset.Catalog.DescribedCount);

        // tags.csv has 3,683 rows; 21 of them tag movies that nobody rated, which are not items by default.
        Assert.Equal(3_662, dataset.Catalog.TagCount);
        Assert.Equal(181, Attributes(dataset, "296").Tags.Count);
    }

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void LoadLatest_SmallWithUnratedItems_HasTheWholeCatalogueAndEveryTag()
    {
        InteractionDataset dataset = MovieLens.LoadLatest(
            DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall), new MovieLensLoadOptions { IncludeUnratedItems = true });

        Assert.Equal(100_836, dataset.Count);
        Assert.Equal(9_742, dataset.ItemCount);
        Assert.Equal(9_724, dataset.CountActiveItems());
        Assert.Equal(3_683, dataset.Catalog.TagCount);
    }

    [DatasetFact(DatasetPaths.MovieLensLatestSmall)]
    public void LoadLatest_Small_ReadsQuotedTitlesHalfStarsAndTags()
    {
        InteractionDataset dataset = MovieLens.LoadLatest(DatasetPaths.Require(DatasetPaths.MovieLensLatestSmall));

        Assert.Equal(new Interaction("1", "1", 4f, DateTimeOffset.FromUnixTimeMilliseconds(964_982_703_000)), dataset[0]);

        ItemAttributes president = Attributes(dataset, "11");
        Assert.Equal("American President, The (1995)", president.Title);
        Assert.Equal(["Comedy", "Drama", "Romance"], president.Categories);
        Assert.Equal(["politics", "president"], president.Tags);
        Assert.Equal("11'09\"01 - September 11 (2002)", Attributes(dataset, "7789").Title);

        int halfStars = 0;
        int withoutGenres = 0;
        int withYear = 0;
        foreach (float value in dataset.Values)
        {
            halfStars += value % 1f == 0.5f ? 1 : 0;
        }

        for (int item = 0; item < dataset.ItemCount; item++)
        {
            withoutGenres += dataset.Catalog[item].Categories.Count == 0 ? 1 : 0;
            withYear += dataset.Catalog[item].Numeric.ContainsKey(MovieLens.YearAttribute) ? 1 : 0;
        }

        Assert.Equal(30_398, halfStars);
        Assert.Equal(34, withoutGenres);
        Assert.Equal(9_711, withYear);
    }

    private static ItemAttributes Attributes(InteractionDataset dataset, string itemId)
    {
        Assert.True(dataset.Items.TryGetIndex(itemId, out int index), $"item {itemId} is not in the dataset");
        return dataset.Catalog[index];
    }
}
