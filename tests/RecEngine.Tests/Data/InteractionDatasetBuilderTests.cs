using RecEngine.Data;

namespace RecEngine.Tests.Data;

public sealed class InteractionDatasetBuilderTests
{
    [Fact]
    public void Build_StoresColumnsAndResolvesWeights()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("u1", "i1", 1f, 1_000, EventKind.View)
            .Add("u2", "i1", 1f, 2_000, EventKind.Purchase)
            .Add("u1", "i2", 4f, 3_000, EventKind.Rating);
        InteractionDataset data = builder.Build();

        Assert.Equal(3, data.Count);
        Assert.Equal(2, data.UserCount);
        Assert.Equal(2, data.ItemCount);
        Assert.Equal([0, 1, 0], data.UserIndices.ToArray());
        Assert.Equal([0, 0, 1], data.ItemIndices.ToArray());
        // Default weights: view 1, purchase 8, rating 1 x value.
        Assert.Equal([1f, 8f, 4f], data.Weights.ToArray());
        Assert.Equal(new Interaction("u1", "i2", 4f, DateTimeOffset.FromUnixTimeMilliseconds(3_000), EventKind.Rating), data[2]);
    }

    [Fact]
    public void Add_InvalidInteraction_ThrowsAndLeavesBuilderUnchanged()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("u1", "i1", 1f, 0);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add("u2", "i2", float.NaN, 0)).ParamName);
        Assert.Equal("kind", Assert.Throws<ArgumentException>(() => builder.Add("u2", "i2", 1f, 0, new EventKind("wishlist"))).ParamName);
        Assert.Equal("userId", Assert.Throws<ArgumentException>(() => builder.Add("", "i2", 1f, 0)).ParamName);
        Assert.Equal("itemId", Assert.Throws<ArgumentNullException>(() => builder.Add("u2", null!, 1f, 0)).ParamName);

        InteractionDataset data = builder.Build();
        Assert.Equal(1, data.Count);
        Assert.Equal(1, data.UserCount);
        Assert.Equal(1, data.ItemCount);
    }

    [Fact]
    public void Add_ValueWhoseWeightOverflows_IsRefusedNamingTheValue_AndLeavesBuilderUnchanged()
    {
        // A purchase weighs 8: 8 x 1e38 is past float.MaxValue (about 3.4e38), though the value itself is finite.
        var builder = new InteractionDatasetBuilder();
        builder.Add("u1", "i1", 1e38f, 0, EventKind.View);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add("u2", "i1", 1e38f, 0, EventKind.Purchase));

        Assert.Equal("value", error.ParamName);
        Assert.Equal(1e38f, error.ActualValue);
        Assert.Contains($"times the value {1e38f}, overflows to {float.PositiveInfinity}.", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, builder.Build().Count);
    }

    [Fact]
    public void Add_ValuesWhoseSumWouldOverflow_AreRefusedAtTheFirstOnePastTheBound_SoSummedDuplicatesStayFinite()
    {
        // Each 3e38 is finite; two of the same user and item would sum to infinity in the interaction matrix.
        var builder = new InteractionDatasetBuilder();
        builder.Add("u1", "i1", 3e38f, 0).Add("u2", "i2", -1f, 0);

        ArgumentOutOfRangeException error = Assert.Throws<ArgumentOutOfRangeException>(() => builder.Add("u1", "i1", 3e38f, 1));

        Assert.Equal(3e38f, error.ActualValue);
        Assert.Contains("add up to more than", error.Message, StringComparison.Ordinal);
        InteractionDataset data = builder.Add("u1", "i1", 4e37f, 1).Build();
        var matrix = InteractionMatrix.Build(data);
        Assert.Equal(3.4e38f, matrix.RowValues(0)[0]);
    }

    [Fact]
    public void CustomKind_WithConfiguredWeight_IsAccepted()
    {
        var weights = new EventWeights().Set(new EventKind("wishlist"), 3f);
        InteractionDataset data = new InteractionDatasetBuilder(weights).Add("u", "i", 2f, 0, new EventKind("wishlist")).Build();
        Assert.Equal(6f, data.Weights[0]);
    }

    [Fact]
    public void SetItemAttributes_RegistersItemWithoutInteractions()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("u", "i1", 1f, 0);
        builder.SetItemAttributes("i2", new ItemAttributes { Title = "Two", Categories = ["c"] });
        InteractionDataset data = builder.Build();
        Assert.Equal(2, data.ItemCount);
        Assert.Equal(1, data.CountActiveItems());
        Assert.Equal("Two", data.Catalog[1].Title);
        Assert.False(data.Catalog.HasAttributes(0));
        Assert.Same(ItemAttributes.Empty, data.Catalog[0]);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    [InlineData(float.NegativeInfinity)]
    public void SetItemAttributes_NonFiniteNumericAttribute_ThrowsNamingItAndLeavesTheBuilderUnchanged(float value)
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("u", "i1", 1f, 0);
        var attributes = new ItemAttributes { Numeric = new Dictionary<string, float> { ["year"] = 1995f, ["price"] = value } };

        ArgumentException error = Assert.Throws<ArgumentException>(() => builder.SetItemAttributes("i2", attributes));

        Assert.Equal("attributes", error.ParamName);
        Assert.Contains("'price'", error.Message);
        Assert.Contains("'i2'", error.Message);
        Assert.Contains(value.ToString(System.Globalization.CultureInfo.CurrentCulture), error.Message);
        InteractionDataset data = builder.Build();
        Assert.Equal(1, data.ItemCount);
        Assert.False(builder.TryGetItemAttributes("i2", out _));
    }

    [Fact]
    public void SetItemAttributes_NullCategoryOrTag_ThrowsNamingThePosition()
    {
        var builder = new InteractionDatasetBuilder();

        ArgumentException category = Assert.Throws<ArgumentException>(
            () => builder.SetItemAttributes("i", new ItemAttributes { Categories = ["a", null!] }));
        ArgumentException tag = Assert.Throws<ArgumentException>(
            () => builder.SetItemAttributes("i", new ItemAttributes { Tags = [null!] }));

        Assert.Contains("category at position 1 of item 'i'", category.Message);
        Assert.Contains("tag at position 0 of item 'i'", tag.Message);
        Assert.Equal(0, builder.Build().ItemCount);
    }

    [Fact]
    public void SetItemAttributes_NullCollection_ThrowsNamingIt()
    {
        var builder = new InteractionDatasetBuilder();

        ArgumentException categories = Assert.Throws<ArgumentException>(() => builder.SetItemAttributes("i", new ItemAttributes { Categories = null! }));
        ArgumentException numeric = Assert.Throws<ArgumentException>(() => builder.SetItemAttributes("i", new ItemAttributes { Numeric = null! }));

        Assert.Contains("null Categories collection", categories.Message);
        Assert.Contains("null Numeric collection", numeric.Message);
        Assert.Equal(0, builder.Build().ItemCount);
    }

    [Fact]
    public void SetItemAttributes_KeepsACopy_LaterChangesToTheGivenListsDoNotReachTheDataset()
    {
        var categories = new List<string> { "drama" };
        var numeric = new Dictionary<string, float> { ["year"] = 1995f };
        var builder = new InteractionDatasetBuilder();
        builder.SetItemAttributes("i", new ItemAttributes { Categories = categories, Numeric = numeric });

        categories.Add("comedy");
        numeric["year"] = float.NaN;
        InteractionDataset data = builder.Build();

        Assert.Equal(["drama"], data.Catalog[0].Categories);
        Assert.Equal(1995f, data.Catalog[0].Numeric["year"]);
    }

    [Fact]
    public void Build_IsASnapshot_LaterAddsDoNotChangeIt()
    {
        var builder = new InteractionDatasetBuilder();
        builder.Add("u", "i1", 1f, 0);
        InteractionDataset first = builder.Build();
        builder.Add("v", "i2", 1f, 0);
        Assert.Equal(1, first.Count);
        Assert.Equal(1, first.UserCount);
        Assert.Equal(2, builder.Build().UserCount);
    }

    [Fact]
    public void Subset_SharesMapsAndCounts()
    {
        InteractionDataset data = new InteractionDatasetBuilder()
            .Add("u1", "i1", 1f, 0).Add("u2", "i2", 1f, 1).Add("u3", "i3", 1f, 2).Build();
        InteractionDataset part = data.Subset([2, 0]);
        Assert.Same(data.Users, part.Users);
        Assert.Equal(3, part.ItemCount);
        Assert.Equal([2, 0], part.UserIndices.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => data.Subset([3]));
    }

    [Fact]
    public void EmptyAttributes_HaveEmptyCollectionsNotNull()
    {
        Assert.NotNull(ItemAttributes.Empty.Numeric);
        Assert.Empty(ItemAttributes.Empty.Numeric);
        Assert.Empty(ItemAttributes.Empty.Categories);
        Assert.Empty(ItemAttributes.Empty.Tags);
    }
}
