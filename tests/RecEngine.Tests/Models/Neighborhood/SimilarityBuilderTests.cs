using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Data;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Tests.Models.Neighborhood;

public sealed class SimilarityBuilderTests
{
    /// <summary>The measures straight from their definitions, in double, over a dense matrix with NaN for missing.</summary>
    private static double? Reference(float[,] m, int i, int j, SimilarityMeasure measure, double shrinkage)
    {
        int columns = m.GetLength(1);
        bool Has(int row, int c) => !float.IsNaN(m[row, c]);
        double RowMean(int row) => Enumerable.Range(0, columns).Where(c => Has(row, c)).Average(c => (double)m[row, c]);
        double ColumnMean(int c) => Enumerable.Range(0, m.GetLength(0)).Where(r => Has(r, c)).Average(r => (double)m[r, c]);
        int[] common = Enumerable.Range(0, columns).Where(c => Has(i, c) && Has(j, c)).ToArray();
        if (common.Length == 0)
        {
            return null;
        }

        double similarity;
        switch (measure)
        {
            case SimilarityMeasure.Cosine:
                double Norm(int row) => Math.Sqrt(Enumerable.Range(0, columns).Where(c => Has(row, c)).Sum(c => (double)m[row, c] * m[row, c]));
                similarity = common.Sum(c => (double)m[i, c] * m[j, c]) / (Norm(i) * Norm(j));
                break;
            case SimilarityMeasure.DotProduct:
                similarity = common.Sum(c => (double)m[i, c] * m[j, c]);
                break;
            case SimilarityMeasure.Jaccard:
                int union = Enumerable.Range(0, columns).Count(c => Has(i, c) || Has(j, c));
                similarity = common.Length / (double)union;
                break;
            case SimilarityMeasure.Pearson:
            {
                double mi = RowMean(i), mj = RowMean(j);
                similarity = common.Sum(c => (m[i, c] - mi) * (m[j, c] - mj))
                    / Math.Sqrt(common.Sum(c => (m[i, c] - mi) * (m[i, c] - mi)) * common.Sum(c => (m[j, c] - mj) * (m[j, c] - mj)));
                break;
            }

            default:
            {
                double Centred(int row, int c) => m[row, c] - ColumnMean(c);
                similarity = common.Sum(c => Centred(i, c) * Centred(j, c))
                    / Math.Sqrt(common.Sum(c => Centred(i, c) * Centred(i, c)) * common.Sum(c => Centred(j, c) * Centred(j, c)));
                break;
            }
        }

        similarity *= shrinkage > 0 ? common.Length / (common.Length + shrinkage) : 1;
        return double.IsFinite(similarity) && (float)similarity > 0 ? similarity : null;
    }

    private static readonly Gen<(float[,] M, SimilarityMeasure Measure, float Shrinkage, int K)> Cases =
        from rows in Gen.Choose(0, 14)
        from columns in Gen.Choose(1, 12)
        from cells in Gen.ArrayOf(Gen.Frequency((2, Gen.Choose(1, 5).Select(v => (float)v)), (3, Gen.Constant(float.NaN))), rows * columns)
        from measure in Gen.Elements(Enum.GetValues<SimilarityMeasure>())
        from shrinkage in Gen.Elements(0f, 0f, 2.5f, 10f)
        from k in Gen.Choose(1, 6)
        select (ToDense(cells, rows, columns), measure, shrinkage, k);

    private static float[,] ToDense(float[] cells, int rows, int columns)
    {
        var m = new float[rows, columns];
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                m[r, c] = cells[(r * columns) + c];
            }
        }

        return m;
    }

    private const double Noise = 1e-5;

    /// <summary>Equal within 1e-5, relative for magnitudes above 1 (dot products are not bounded).</summary>
    private static bool Close(double expected, float actual) => Math.Abs(expected - actual) <= 1e-5 * Math.Max(1, Math.Abs(expected));

    [Property(MaxTest = 300)]
    public Property Build_EqualsTheDefinitions_Meets_Specification() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(c.M);
            NeighborGraph graph = SimilarityBuilder.Build(rows, transposed, c.Measure, c.Shrinkage, c.K, degreeOfParallelism: 2, CancellationToken.None);
            for (int i = 0; i < rows.Count; i++)
            {
                // The reference's K best, similarity descending. Pairs whose exact similarity is 0 (a zero
                // correlation) come out of either computation as rounding noise of either sign, so only similarities
                // above Noise are compared as lists; every kept neighbour must match its own reference value.
                double[] expected = Enumerable.Range(0, rows.Count).Where(j => j != i)
                    .Select(j => Reference(c.M, i, j, c.Measure, c.Shrinkage)).OfType<double>()
                    .OrderByDescending(s => s).Take(c.K).Where(s => s > Noise).ToArray();
                ReadOnlySpan<int> neighbors = graph.NeighborsOf(i);
                ReadOnlySpan<float> similarities = graph.SimilaritiesOf(i);
                int substantive = 0;
                for (int n = 0; n < neighbors.Length; n++)
                {
                    double own = Reference(c.M, i, neighbors[n], c.Measure, c.Shrinkage) ?? 0;
                    bool ordered = n == 0 || similarities[n] < similarities[n - 1] || (similarities[n] == similarities[n - 1] && neighbors[n] > neighbors[n - 1]);
                    if (!Close(own, similarities[n]) || !ordered)
                    {
                        return false;
                    }

                    if (similarities[n] > Noise)
                    {
                        if (substantive >= expected.Length || !Close(expected[substantive], similarities[n]))
                        {
                            return false;
                        }

                        substantive++;
                    }
                }

                if (substantive != expected.Length)
                {
                    return false;
                }
            }

            return true;
        });

    [Fact]
    public void Build_HandExample_CosineAndJaccard()
    {
        // Items (rows) over three users; NaN = no interaction.
        float[,] m =
        {
            { 1, 1, float.NaN },
            { 1, float.NaN, 1 },
            { float.NaN, float.NaN, 1 },
        };
        (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(m);
        NeighborGraph cosine = SimilarityBuilder.Build(rows, transposed, SimilarityMeasure.Cosine, 0f, 5, 1, CancellationToken.None);

        // cos(0,1) = 1 / (√2 √2) = 0.5; cos(1,2) = 1 / (√2 · 1) ≈ 0.7071; items 0 and 2 share no user.
        Assert.Equal([1], cosine.NeighborsOf(0).ToArray());
        Assert.Equal(0.5f, cosine.SimilaritiesOf(0)[0], 6);
        Assert.Equal([2, 0], cosine.NeighborsOf(1).ToArray());
        Assert.Equal(1 / MathF.Sqrt(2), cosine.SimilaritiesOf(1)[0], 6);

        // Jaccard(0,1) = 1/3, (1,2) = 1/2; with shrinkage β = 1 each shares one user: × 1/2.
        NeighborGraph jaccard = SimilarityBuilder.Build(rows, transposed, SimilarityMeasure.Jaccard, 1f, 1, 1, CancellationToken.None);
        Assert.Equal([2], jaccard.NeighborsOf(1).ToArray());
        Assert.Equal(0.25f, jaccard.SimilaritiesOf(1)[0], 6);
    }

    [Fact]
    public void Build_SameResultForAnyThreadCount()
    {
        var random = new Random(3);
        var m = new float[60, 40];
        for (int r = 0; r < 60; r++)
        {
            for (int c = 0; c < 40; c++)
            {
                m[r, c] = random.NextDouble() < 0.3 ? random.Next(1, 6) : float.NaN;
            }
        }

        (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(m);
        foreach (SimilarityMeasure measure in Enum.GetValues<SimilarityMeasure>())
        {
            NeighborGraph one = SimilarityBuilder.Build(rows, transposed, measure, 5f, 7, 1, CancellationToken.None);
            NeighborGraph three = SimilarityBuilder.Build(rows, transposed, measure, 5f, 7, 3, CancellationToken.None);
            for (int i = 0; i < rows.Count; i++)
            {
                Assert.Equal(one.NeighborsOf(i).ToArray(), three.NeighborsOf(i).ToArray());
                Assert.Equal(one.SimilaritiesOf(i).ToArray(), three.SimilaritiesOf(i).ToArray());
            }
        }
    }
}
