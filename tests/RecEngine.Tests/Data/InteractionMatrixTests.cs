using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;

namespace RecEngine.Tests.Data;

public sealed class InteractionMatrixTests
{
    private static InteractionDataset Sample() => new InteractionDatasetBuilder()
        .Add("u0", "i2", 3f, 10)
        .Add("u0", "i0", 1f, 20)
        .Add("u1", "i1", 2f, 5)
        .Add("u0", "i2", 5f, 5)   // older duplicate of (u0, i2): LastWins keeps 3, Sum gives 8
        .Build();

    [Fact]
    public void Build_Sum_MergesDuplicatesAndSortsColumns()
    {
        var m = InteractionMatrix.Build(Sample(), MatrixValues.Value, DuplicatePolicy.Sum);
        Assert.Equal(2, m.Rows);
        Assert.Equal(3, m.Columns);
        Assert.Equal([0, 2, 3], m.RowOffsets.ToArray());
        // u0 row: items i2 (index 0) and i0 (index 1): i2 first appeared first, so it has index 0.
        Assert.Equal([0, 1, 2], m.ColumnIndices.ToArray());
        Assert.Equal([8f, 1f, 2f], m.Values.ToArray());
    }

    [Fact]
    public void Build_LastWins_KeepsLatestByTimestamp()
    {
        var m = InteractionMatrix.Build(Sample(), MatrixValues.Value, DuplicatePolicy.LastWins);
        Assert.Equal([3f, 1f, 2f], m.Values.ToArray());
    }

    [Fact]
    public void Build_LastWins_EqualTimestamps_LaterAddedWins()
    {
        InteractionDataset data = new InteractionDatasetBuilder().Add("u", "i", 1f, 7).Add("u", "i", 2f, 7).Build();
        Assert.Equal([2f], InteractionMatrix.Build(data, MatrixValues.Value, DuplicatePolicy.LastWins).Values.ToArray());
    }

    [Fact]
    public void Build_One_CountsEachInteraction()
    {
        var m = InteractionMatrix.Build(Sample(), MatrixValues.One, DuplicatePolicy.Sum);
        Assert.Equal([2f, 1f, 1f], m.Values.ToArray());
    }

    [Fact]
    public void Transpose_ListsUsersPerItem()
    {
        var m = InteractionMatrix.Build(Sample(), MatrixValues.Value);
        Assert.Equal([0], m.ColumnRows(0).ToArray());
        Assert.Equal([8f], m.ColumnValuesOf(0).ToArray());
        Assert.Equal([1], m.ColumnRows(2).ToArray());
        Assert.True(m.Contains(0, 1));
        Assert.False(m.Contains(1, 0));
    }

    [Property(MaxTest = 200)]
    public Property Build_EqualsDictionaryReference_Meets_Specification()
    {
        Gen<(int User, int Item, int Value, int Time)[]> cases = Gen.ArrayOf(
            from u in Gen.Choose(0, 6)
            from i in Gen.Choose(0, 6)
            from v in Gen.Choose(-3, 5)
            from t in Gen.Choose(0, 4)
            select (u, i, v, t));
        return Prop.ForAll(cases.ToArbitrary(), Arb.From(Gen.Elements(DuplicatePolicy.Sum, DuplicatePolicy.LastWins)), (rows, policy) =>
        {
            var builder = new InteractionDatasetBuilder();
            foreach (var r in rows)
            {
                builder.Add($"u{r.User}", $"i{r.Item}", r.Value, r.Time);
            }

            InteractionDataset data = builder.Build();
            var expected = new Dictionary<(int, int), (float Value, long Time)>();
            for (int k = 0; k < data.Count; k++)
            {
                var key = (data.UserIndices[k], data.ItemIndices[k]);
                float v = data.Values[k];
                long t = data.Timestamps[k];
                if (!expected.TryGetValue(key, out var old))
                {
                    expected[key] = (v, t);
                }
                else if (policy == DuplicatePolicy.Sum)
                {
                    expected[key] = (old.Value + v, t);
                }
                else if (t >= old.Time)
                {
                    expected[key] = (v, t);
                }
            }

            var m = InteractionMatrix.Build(data, MatrixValues.Value, policy);
            var actual = new Dictionary<(int, int), float>();
            for (int u = 0; u < m.Rows; u++)
            {
                var columns = m.RowColumns(u);
                for (int k = 0; k < columns.Length; k++)
                {
                    if (k > 0 && columns[k] <= columns[k - 1])
                    {
                        return false;
                    }

                    actual[(u, columns[k])] = m.RowValues(u)[k];
                }
            }

            int cscCount = 0;
            for (int i = 0; i < m.Columns; i++)
            {
                var users = m.ColumnRows(i);
                for (int k = 0; k < users.Length; k++)
                {
                    cscCount++;
                    if (!actual.TryGetValue((users[k], i), out float v) || v != m.ColumnValuesOf(i)[k])
                    {
                        return false;
                    }
                }
            }

            return actual.Count == expected.Count && cscCount == actual.Count
                && expected.All(e => actual.TryGetValue(e.Key, out float v) && v == e.Value.Value);
        });
    }
}
