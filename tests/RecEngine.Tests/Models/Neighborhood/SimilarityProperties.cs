using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Models.Neighborhood;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Models.Neighborhood;

/// <summary>
/// Every similarity measure is symmetric (sim(a, b) and sim(b, a) are the same number, bit for bit, since both rows
/// evaluate the pair in one orientation) and stays within its bounds — [−1, 1] for cosine, adjusted cosine and
/// Pearson, [0, 1] for Jaccard, with or without shrinkage — for any values, fractional and negative included; for
/// item-item and user-user graphs alike; and <c>SimilarItems</c> serves an item's neighbours, never the item itself.
/// </summary>
public sealed class SimilarityProperties
{
    // Small integers (exact ties and zero correlations), fractions that do not round-trip through binary, negatives.
    private static readonly Gen<float> Values = Gen.Frequency(
        (2, Gen.Choose(1, 5).Select(v => (float)v)),
        (2, Gen.Choose(-300, 900).Select(v => v / 97f)),
        (1, Gen.Choose(1, 3).Select(v => v / 3f)));

    private sealed record Case(float[,] Matrix, SimilarityMeasure Measure, float Shrinkage)
    {
        public override string ToString() => $"{Measure} shrinkage {Shrinkage}: {Matrix.GetLength(0)}x{Matrix.GetLength(1)} "
            + string.Join(" ", Enumerable.Range(0, Matrix.Length).Select(e => Matrix[e / Matrix.GetLength(1), e % Matrix.GetLength(1)]));
    }

    private static readonly Gen<Case> Cases =
        from rows in Gen.Choose(1, 12)
        from columns in Gen.Choose(1, 10)
        from cells in Gen.ArrayOf(Gen.Frequency((2, Values), (3, Gen.Constant(float.NaN))), rows * columns)
        from measure in Gen.Elements(Enum.GetValues<SimilarityMeasure>())
        from shrinkage in Gen.Elements(0f, 0f, 1f, 7.5f)
        select new Case(Dense(cells, rows, columns), measure, shrinkage);

    private static float[,] Dense(float[] cells, int rows, int columns)
    {
        var m = new float[rows, columns];
        for (int e = 0; e < cells.Length; e++)
        {
            m[e / columns, e % columns] = cells[e];
        }

        return m;
    }

    /// <summary>The documented range of a measure; the plain dot product is not normalised and has none.</summary>
    private static (double Low, double High) Bounds(SimilarityMeasure measure) => measure switch
    {
        SimilarityMeasure.Jaccard => (0, 1),
        SimilarityMeasure.DotProduct => (double.NegativeInfinity, double.PositiveInfinity),
        _ => (-1, 1),
    };

    /// <summary>Every row's neighbours are known to the other row with the same similarity, within bounds, never the row itself.</summary>
    private static void AssertSymmetricAndBounded(NeighborGraph graph, SimilarityMeasure measure, string what)
    {
        (double low, double high) = Bounds(measure);
        for (int a = 0; a < graph.Count; a++)
        {
            ReadOnlySpan<int> neighbors = graph.NeighborsOf(a);
            ReadOnlySpan<float> similarities = graph.SimilaritiesOf(a);
            for (int n = 0; n < neighbors.Length; n++)
            {
                int b = neighbors[n];
                Assert.True(b != a, $"{what} {a} is its own neighbour");
                Assert.True(similarities[n] >= low && similarities[n] <= high, $"{measure} sim({what} {a}, {b}) = {similarities[n]:R} is outside [{low}, {high}]");
                int back = graph.NeighborsOf(b).IndexOf(a);
                Assert.True(back >= 0, $"{measure}: {what} {b} is a neighbour of {a} but not the other way round");
                Assert.True(
                    BitConverter.SingleToInt32Bits(graph.SimilaritiesOf(b)[back]) == BitConverter.SingleToInt32Bits(similarities[n]),
                    $"{measure}: sim({a}, {b}) = {similarities[n]:R} but sim({b}, {a}) = {graph.SimilaritiesOf(b)[back]:R}");
            }
        }
    }

    [Property(MaxTest = 400)]
    public Property Similarities_AreSymmetricAndWithinTheirBounds_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            // K = every other row, so no pair is cut from one side's list only.
            (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(c.Matrix);
            NeighborGraph graph = SimilarityBuilder.Build(rows, transposed, c.Measure, c.Shrinkage, rows.Count, degreeOfParallelism: 1, CancellationToken.None);
            AssertSymmetricAndBounded(graph, c.Measure, "row");
            return true;
        });

    private sealed record ModelCase(SmallDataset Data, NeighborhoodOptions Options)
    {
        public override string ToString() => $"{Options.Measure} {Options.Values} {Options.Weighting} shrinkage {Options.Shrinkage}: {Data}";
    }

    private static readonly Gen<ModelCase> ModelCases =
        from kind in Gen.Elements(SmallValues.Ratings, SmallValues.Events)
        from data in SmallDatasets.Of(kind)
        from measure in Gen.Elements(Enum.GetValues<SimilarityMeasure>())
        from values in Gen.Elements(Enum.GetValues<MatrixValues>())
        from weighting in Gen.Elements(Enum.GetValues<NeighborWeighting>())
        from shrinkage in Gen.Elements(0f, 2f)
        select new ModelCase(data, new NeighborhoodOptions
        {
            Measure = measure,
            Values = values,

            // Re-weighting needs non-negative values; dislikes make some weights negative.
            Weighting = values == MatrixValues.Weight && kind == SmallValues.Events ? NeighborWeighting.None : weighting,
            Shrinkage = shrinkage,
            Neighbors = 100,
            DegreeOfParallelism = 1,
        });

    [Property(MaxTest = 200)]
    public Property ItemItemAndUserUserSimilarities_AreSymmetricAndBounded_AndSimilarItemsServesThem_Meets_Specification() =>
        Prop.ForAll(ModelCases.ToArbitrary(), c =>
        {
            InteractionDataset data = c.Data.Build();
            AssertSymmetricAndBounded(NeighborhoodFit.Build(data, c.Options, itemBased: false, CancellationToken.None).Graph, c.Options.Measure, "user");
            NeighborGraph items = NeighborhoodFit.Build(data, c.Options, itemBased: true, CancellationToken.None).Graph;
            AssertSymmetricAndBounded(items, c.Options.Measure, "item");

            var model = new ItemKnnRecommender(c.Options);
            model.Fit(data);
            for (int item = 0; item < data.ItemCount; item++)
            {
                string id = data.Items.GetId(item);
                IReadOnlyList<ScoredItem> similar = model.SimilarItems(id, data.ItemCount + 1);
                Assert.DoesNotContain(similar, s => s.ItemId == id);
                if (!items.NeighborsOf(item).IsEmpty)
                {
                    // An item with neighbours is served exactly its neighbours (an item without falls back to popularity).
                    Assert.Equal(items.NeighborsOf(item).ToArray().Select(data.Items.GetId), similar.Select(s => s.ItemId));
                    Assert.Equal(items.SimilaritiesOf(item).ToArray(), similar.Select(s => s.Score));
                }
            }

            return true;
        });
}
