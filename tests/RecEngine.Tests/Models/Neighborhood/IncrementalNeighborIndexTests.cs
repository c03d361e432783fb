using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Tests.Models.Neighborhood;

public sealed class IncrementalNeighborIndexTests
{
    /// <summary>The matrix as the test keeps it: a map from (row, column) to value, and its shape.</summary>
    private sealed class Reference(int rows, int columns)
    {
        public Dictionary<(int Row, int Column), float> Entries { get; } = [];

        public int Rows { get; private set; } = rows;

        public int Columns { get; private set; } = columns;

        public void Apply(int row, int column, float value, DuplicatePolicy policy)
        {
            Rows = Math.Max(Rows, row + 1);
            Columns = Math.Max(Columns, column + 1);
            Entries[(row, column)] = policy == DuplicatePolicy.Sum && Entries.TryGetValue((row, column), out float old) ? old + value : value;
        }

        public (SparseRows Rows, SparseRows Transposed) Sparse() =>
            (SparseMatrices.Orient(Rows, Columns, At), SparseMatrices.Orient(Columns, Rows, (c, r) => At(r, c)));

        private float At(int row, int column) => Entries.TryGetValue((row, column), out float v) ? v : float.NaN;
    }

    private sealed record Case(
        SimilarityMeasure Measure, float Shrinkage, int K, int Slack, DuplicatePolicy Policy,
        int Rows, int Columns, (int Row, int Column, float Value)[] Initial, (int Row, int Column, float Value)[] Events);

    // Values: small integers (ties and exact zeros are common) and arbitrary decimals (rounding matters).
    private static readonly Gen<float> Values = Gen.OneOf(
        Gen.Choose(1, 5).Select(v => (float)v),
        Gen.Choose(-300, 900).Select(v => v / 97f));

    private static readonly Gen<Case> Cases =
        from measure in Gen.Elements(Enum.GetValues<SimilarityMeasure>())
        from shrinkage in Gen.Elements(0f, 0f, 3f)
        from k in Gen.Choose(1, 5)
        from slack in Gen.Choose(0, 3)
        from policy in Gen.Elements(DuplicatePolicy.Sum, DuplicatePolicy.LastWins)
        from rows in Gen.Choose(0, 10)
        from columns in Gen.Choose(0, 8)
        from initial in Gen.ArrayOf(Entry(Math.Max(rows, 1), Math.Max(columns, 1)), rows * columns / 3)
        from events in Gen.ArrayOf(Entry(rows + 3, columns + 3), 1 + ((rows + columns) * 3))
        select new Case(measure, shrinkage, k, slack, policy, rows, columns, initial, events);

    private static Gen<(int, int, float)> Entry(int rows, int columns) =>
        from r in Gen.Choose(0, rows - 1)
        from c in Gen.Choose(0, columns - 1)
        from v in Values
        select (r, c, v);

    /// <summary>Every neighbour list and similarity of the index equals a batch build of the same data, bit for bit.</summary>
    private static bool SameAsBatch(IncrementalNeighborIndex index, Reference data, Case c, out string why)
    {
        (SparseRows rows, SparseRows transposed) = data.Sparse();
        NeighborGraph batch = SimilarityBuilder.Build(rows, transposed, c.Measure, c.Shrinkage, c.K, degreeOfParallelism: 1, CancellationToken.None);
        why = "";
        if (index.RowCount != data.Rows)
        {
            why = $"{index.RowCount} rows, expected {data.Rows}";
            return false;
        }

        for (int r = 0; r < data.Rows; r++)
        {
            if (!index.NeighborsOf(r).SequenceEqual(batch.NeighborsOf(r)) || !index.SimilaritiesOf(r).SequenceEqual(batch.SimilaritiesOf(r)))
            {
                why = $"row {r}: [{string.Join(", ", index.NeighborsOf(r).ToArray())}] / [{string.Join(", ", index.SimilaritiesOf(r).ToArray())}]"
                    + $" expected [{string.Join(", ", batch.NeighborsOf(r).ToArray())}] / [{string.Join(", ", batch.SimilaritiesOf(r).ToArray())}]";
                return false;
            }
        }

        return true;
    }

    [Property(MaxTest = 400)]
    public Property Apply_RandomEvents_EqualsFullRecomputeAfterEveryEvent() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var data = new Reference(c.Rows, c.Columns);
            foreach ((int row, int column, float value) in c.Initial)
            {
                data.Apply(row, column, value, c.Policy);
            }

            (SparseRows rows, SparseRows transposed) = data.Sparse();
            var index = IncrementalNeighborIndex.Build(rows, transposed, c.Measure, c.Shrinkage, c.K, c.Slack);
            if (!SameAsBatch(index, data, c, out string why))
            {
                return false.Label("after build: " + why);
            }

            for (int e = 0; e < c.Events.Length; e++)
            {
                (int row, int column, float value) = c.Events[e];
                index.Apply(row, column, value, c.Policy);
                data.Apply(row, column, value, c.Policy);
                if (!SameAsBatch(index, data, c, out why))
                {
                    return false.Label($"after event {e} ({row}, {column}, {value}): {why}");
                }
            }

            return true.ToProperty();
        });

    [Fact]
    public void Apply_LongSequenceOnALargerMatrix_EqualsFullRecompute()
    {
        // 300 events on 40 rows x 60 columns: lists fill, overflow their slack and are recomputed many times.
        var random = new Random(11);
        foreach (SimilarityMeasure measure in Enum.GetValues<SimilarityMeasure>())
        {
            var c = new Case(measure, 2f, 4, 2, DuplicatePolicy.Sum, 40, 60, [], []);
            var data = new Reference(40, 60);
            for (int n = 0; n < 500; n++)
            {
                data.Apply(random.Next(40), random.Next(60), random.Next(1, 6), DuplicatePolicy.Sum);
            }

            (SparseRows rows, SparseRows transposed) = data.Sparse();
            var index = IncrementalNeighborIndex.Build(rows, transposed, measure, c.Shrinkage, c.K, c.Slack);
            for (int n = 0; n < 300; n++)
            {
                // Skewed towards a few rows and columns so that hubs form.
                int row = random.NextDouble() < 0.5 ? random.Next(5) : random.Next(42);
                int column = random.NextDouble() < 0.5 ? random.Next(8) : random.Next(62);
                float value = random.Next(-20, 60) / 7f;
                index.Apply(row, column, value, DuplicatePolicy.Sum);
                data.Apply(row, column, value, DuplicatePolicy.Sum);
            }

            Assert.True(SameAsBatch(index, data, c, out string why), $"{measure}: {why}");
            Assert.True(index.PairCount > 0);
        }
    }

    [Fact]
    public void PairSums_Take48Bytes()
    {
        // The membership bits share the padding after the count: memory per pair is a documented figure.
        Assert.Equal(48, System.Runtime.CompilerServices.Unsafe.SizeOf<PairSums>());
    }

    [Fact]
    public void Apply_HandExample_Cosine()
    {
        // Rows are items, columns users. Item 0: users 0, 1; item 1: user 0. cos(0, 1) = 1 / (√2 · 1).
        float[,] m = { { 1, 1 }, { 1, float.NaN } };
        (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(m);
        var index = IncrementalNeighborIndex.Build(rows, transposed, SimilarityMeasure.Cosine, 0f, neighbors: 3, slack: 1);
        Assert.Equal(1 / MathF.Sqrt(2), index.SimilaritiesOf(1)[0], 6);

        // User 1 now also takes item 1 with value 3: cos = (1·1 + 1·3) / (√2 · √10).
        Assert.True(index.Apply(1, 1, 3f, DuplicatePolicy.LastWins));
        Assert.Equal(4 / MathF.Sqrt(20), index.SimilaritiesOf(0)[0], 6);
        Assert.Equal(4 / MathF.Sqrt(20), index.SimilaritiesOf(1)[0], 6);

        // A new item 2 taken by user 0 only: cos(2, 0) = 1 / √2, cos(2, 1) = 1 / √10; item 0 ranks it after item 1.
        Assert.True(index.Apply(2, 0, 1f, DuplicatePolicy.LastWins));
        Assert.Equal(3, index.RowCount);
        Assert.Equal([0, 1], index.NeighborsOf(2).ToArray());
        Assert.Equal([1, 2], index.NeighborsOf(0).ToArray());

        // The same value again changes nothing.
        Assert.False(index.Apply(2, 0, 1f, DuplicatePolicy.LastWins));
    }

    [Fact]
    public void Apply_BadInput_ThrowsAndLeavesTheIndexUnchanged()
    {
        float[,] m = { { 1, 2 }, { 3, float.NaN } };
        (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(m);
        var index = IncrementalNeighborIndex.Build(rows, transposed, SimilarityMeasure.Pearson, 0f, neighbors: 2, slack: 0);
        float before = index.SimilaritiesOf(0).Length == 0 ? float.NaN : index.SimilaritiesOf(0)[0];

        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => index.Apply(0, 1, float.NaN, DuplicatePolicy.Sum)).ParamName);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => index.Apply(0, 1, float.PositiveInfinity, DuplicatePolicy.Sum)).ParamName);
        Assert.Equal("row", Assert.Throws<ArgumentOutOfRangeException>(() => index.Apply(-1, 1, 1f, DuplicatePolicy.Sum)).ParamName);
        Assert.Equal("column", Assert.Throws<ArgumentOutOfRangeException>(() => index.Apply(0, -1, 1f, DuplicatePolicy.Sum)).ParamName);
        Assert.Equal("policy", Assert.Throws<ArgumentOutOfRangeException>(() => index.Apply(0, 1, 1f, (DuplicatePolicy)9)).ParamName);
        Assert.Equal(2, index.RowCount);
        Assert.Equal(2, index.ColumnCount);
        Assert.Equal(before, index.SimilaritiesOf(0).Length == 0 ? float.NaN : index.SimilaritiesOf(0)[0]);

        // A sum that overflows is refused too.
        (SparseRows big, SparseRows bigT) = SparseMatrices.FromDense(new float[,] { { 3e38f } });
        var huge = IncrementalNeighborIndex.Build(big, bigT, SimilarityMeasure.Cosine, 0f, neighbors: 1, slack: 0);
        Assert.Equal("value", Assert.Throws<ArgumentOutOfRangeException>(() => huge.Apply(0, 0, 3e38f, DuplicatePolicy.Sum)).ParamName);
    }
}
