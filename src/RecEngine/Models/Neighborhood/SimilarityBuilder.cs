using RecEngine.Data;
using RecEngine.Kernels;

namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Builds the K-nearest-neighbour graph of the rows of a sparse matrix (items over users, or users over items) by
/// a sparse product: for row i, every entry (i, u) walks the transposed row u and accumulates, for each row j met,
/// the statistics of the pair over their common entries. Rows run in parallel, each thread with its own dense
/// accumulators, so the inner loop allocates nothing and results do not depend on the thread count.
/// </summary>
/// <remarks>
/// Cost O(Σ_u n_u²) for the product plus O(m log m) per row for its m co-occurring rows. Only neighbours with a
/// positive, finite similarity are kept; significance shrinkage multiplies a similarity by n / (n + β), where n
/// is the number of common entries.
/// </remarks>
internal static class SimilarityBuilder
{
    public static NeighborGraph Build(
        SparseRows rows, SparseRows transposed, SimilarityMeasure measure, float shrinkage, int neighbors,
        int degreeOfParallelism, CancellationToken cancellationToken)
    {
        int count = rows.Count;
        PairInputs inputs = PairInputs.Create(rows, transposed, measure);
        int k = Math.Min(neighbors, Math.Max(count - 1, 0));
        var found = new int[count];
        var neighborBuffer = new int[(long)count * k];
        var similarityBuffer = new float[(long)count * k];
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = degreeOfParallelism, CancellationToken = cancellationToken };
        Parallel.For(
            0,
            count,
            parallel,
            () => new Accumulators(count),
            (row, _, scratch) =>
            {
                found[row] = scratch.Neighbors(
                    row, rows, transposed, inputs, measure, shrinkage,
                    neighborBuffer.AsSpan(row * k, k), similarityBuffer.AsSpan(row * k, k));
                return scratch;
            },
            _ => { });

        var offsets = new int[count + 1];
        for (int row = 0; row < count; row++)
        {
            offsets[row + 1] = offsets[row] + found[row];
        }

        var neighborIndices = new int[offsets[count]];
        var similarities = new float[offsets[count]];
        for (int row = 0; row < count; row++)
        {
            neighborBuffer.AsSpan(row * k, found[row]).CopyTo(neighborIndices.AsSpan(offsets[row]));
            similarityBuffer.AsSpan(row * k, found[row]).CopyTo(similarities.AsSpan(offsets[row]));
        }

        return new NeighborGraph(offsets, neighborIndices, similarities);
    }

    /// <summary>
    /// The per-entry values each measure multiplies, aligned with the entries of both orientations, and the
    /// per-row quantities its denominator needs.
    /// </summary>
    private sealed class PairInputs
    {
        /// <summary>Values of <c>rows</c>' entries as the measure uses them (raw, or centred).</summary>
        public required float[] RowValues { get; init; }

        /// <summary>Values of <c>transposed</c>' entries as the measure uses them.</summary>
        public required float[] TransposedValues { get; init; }

        /// <summary>Cosine: each row's full norm; Jaccard: each row's entry count.</summary>
        public required double[] RowTotals { get; init; }

        public static PairInputs Create(SparseRows rows, SparseRows transposed, SimilarityMeasure measure)
        {
            int count = rows.Count;
            float[] rowValues = rows.Values;
            float[] transposedValues = transposed.Values;
            var totals = new double[count];
            switch (measure)
            {
                case SimilarityMeasure.Cosine:
                    for (int row = 0; row < count; row++)
                    {
                        double sum = 0;
                        foreach (float v in rows.ValuesOf(row))
                        {
                            sum += (double)v * v;
                        }

                        totals[row] = Math.Sqrt(sum);
                    }

                    break;
                case SimilarityMeasure.Jaccard:
                    for (int row = 0; row < count; row++)
                    {
                        totals[row] = rows.Offsets[row + 1] - rows.Offsets[row];
                    }

                    break;
                case SimilarityMeasure.Pearson:
                {
                    // Centre every entry by its row's mean.
                    double[] means = Means(rows);
                    rowValues = Centre(rows, means, byRow: true);
                    transposedValues = Centre(transposed, means, byRow: false);
                    break;
                }

                case SimilarityMeasure.AdjustedCosine:
                {
                    // Centre every entry by its column's mean (the mean of the transposed row).
                    double[] means = Means(transposed);
                    rowValues = Centre(rows, means, byRow: false);
                    transposedValues = Centre(transposed, means, byRow: true);
                    break;
                }

                default:
                    throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown similarity measure.");
            }

            return new PairInputs { RowValues = rowValues, TransposedValues = transposedValues, RowTotals = totals };
        }

        private static double[] Means(SparseRows matrix)
        {
            var means = new double[matrix.Count];
            for (int row = 0; row < matrix.Count; row++)
            {
                ReadOnlySpan<float> values = matrix.ValuesOf(row);
                double sum = 0;
                foreach (float v in values)
                {
                    sum += v;
                }

                means[row] = values.Length == 0 ? 0 : sum / values.Length;
            }

            return means;
        }

        /// <summary>
        /// A copy of <paramref name="matrix"/>'s values minus a mean per entry: the mean of the entry's own row
        /// (<paramref name="byRow"/>) or of its column index.
        /// </summary>
        private static float[] Centre(SparseRows matrix, double[] means, bool byRow)
        {
            var centred = new float[matrix.Values.Length];
            for (int row = 0; row < matrix.Count; row++)
            {
                for (int e = matrix.Offsets[row]; e < matrix.Offsets[row + 1]; e++)
                {
                    centred[e] = (float)(matrix.Values[e] - means[byRow ? row : matrix.Indices[e]]);
                }
            }

            return centred;
        }
    }

    /// <summary>One thread's dense per-row accumulators and the list of rows touched.</summary>
    private sealed class Accumulators(int count)
    {
        private readonly int[] _common = new int[count];
        private readonly double[] _products = new double[count];
        private readonly double[] _ownSquares = new double[count];
        private readonly double[] _otherSquares = new double[count];
        private readonly int[] _touched = new int[count];
        private readonly float[] _similarities = new float[count];

        public int Neighbors(
            int row, SparseRows rows, SparseRows transposed, PairInputs inputs, SimilarityMeasure measure, float shrinkage,
            Span<int> topIndices, Span<float> topScores)
        {
            int touched = 0;
            for (int e = rows.Offsets[row]; e < rows.Offsets[row + 1]; e++)
            {
                int column = rows.Indices[e];
                double own = inputs.RowValues[e];
                for (int t = transposed.Offsets[column]; t < transposed.Offsets[column + 1]; t++)
                {
                    int other = transposed.Indices[t];
                    if (other == row)
                    {
                        continue;
                    }

                    if (_common[other] == 0)
                    {
                        _touched[touched++] = other;
                    }

                    double value = inputs.TransposedValues[t];
                    _common[other]++;
                    _products[other] += own * value;
                    _ownSquares[other] += own * own;
                    _otherSquares[other] += value * value;
                }
            }

            Span<int> candidates = _touched.AsSpan(0, touched);
            candidates.Sort();
            for (int c = 0; c < candidates.Length; c++)
            {
                int other = candidates[c];
                int n = _common[other];
                double similarity = measure switch
                {
                    SimilarityMeasure.Cosine => _products[other] / (inputs.RowTotals[row] * inputs.RowTotals[other]),
                    SimilarityMeasure.Jaccard => n / (inputs.RowTotals[row] + inputs.RowTotals[other] - n),
                    _ => _products[other] / Math.Sqrt(_ownSquares[other] * _otherSquares[other]),
                };
                if (shrinkage > 0)
                {
                    similarity *= n / (n + (double)shrinkage);
                }

                float value = (float)similarity;
                _similarities[c] = float.IsFinite(value) && value > 0f ? value : float.NaN;
                _common[other] = 0;
                _products[other] = 0;
                _ownSquares[other] = 0;
                _otherSquares[other] = 0;
            }

            int size = 0;
            var all = default(AcceptAll);
            TopK.Add(_similarities.AsSpan(0, candidates.Length), candidates, topIndices, topScores, ref size, ref all);
            return TopK.Complete(topIndices, topScores, size);
        }
    }
}
