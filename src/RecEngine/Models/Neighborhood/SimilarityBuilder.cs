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
/// finite similarity of at least <see cref="PairSimilarity.Minimum"/> are kept, computed by
/// <see cref="PairSimilarity"/> from the pair's sufficient statistics; significance shrinkage multiplies a similarity by n / (n + β), where n
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

    /// <summary>The per-entry values a measure sums, aligned with the entries of both orientations, and every row's sums.</summary>
    internal sealed class PairInputs
    {
        /// <summary>Pair values of <c>rows</c>' entries: raw, or centred by the column mean for adjusted cosine.</summary>
        public required double[] RowValues { get; init; }

        /// <summary>Pair values of <c>transposed</c>' entries.</summary>
        public required double[] TransposedValues { get; init; }

        /// <summary>Each row's count, Σ r and Σ r² over all its entries (raw values).</summary>
        public required RowSums[] Rows { get; init; }

        /// <summary>Whether the measure needs the squares and sums of the pair values, not only count and product.</summary>
        public required bool Moments { get; init; }

        public static PairInputs Create(SparseRows rows, SparseRows transposed, SimilarityMeasure measure)
        {
            if (!Enum.IsDefined(measure))
            {
                throw new ArgumentOutOfRangeException(nameof(measure), measure, "Unknown similarity measure.");
            }

            RowSums[] sums = Sums(rows);
            double[] rowValues, transposedValues;
            if (measure == SimilarityMeasure.AdjustedCosine)
            {
                // Centre every entry by its column's mean (the mean of the transposed row).
                double[] means = Array.ConvertAll(Sums(transposed), s => s.Mean);
                rowValues = Centre(rows, means, byRow: false);
                transposedValues = Centre(transposed, means, byRow: true);
            }
            else
            {
                rowValues = Array.ConvertAll(rows.Values, v => (double)v);
                transposedValues = Array.ConvertAll(transposed.Values, v => (double)v);
            }

            return new PairInputs
            {
                RowValues = rowValues,
                TransposedValues = transposedValues,
                Rows = sums,
                Moments = measure is SimilarityMeasure.Pearson or SimilarityMeasure.AdjustedCosine,
            };
        }

        /// <summary>The <see cref="RowSums"/> of every row of <paramref name="matrix"/>.</summary>
        public static RowSums[] Sums(SparseRows matrix)
        {
            var sums = new RowSums[matrix.Count];
            for (int row = 0; row < matrix.Count; row++)
            {
                foreach (float v in matrix.ValuesOf(row))
                {
                    sums[row].Update(0, v, isNew: true);
                }
            }

            return sums;
        }

        /// <summary>
        /// <paramref name="matrix"/>'s values minus a mean per entry: the mean of the entry's own row
        /// (<paramref name="byRow"/>) or of its column index.
        /// </summary>
        private static double[] Centre(SparseRows matrix, double[] means, bool byRow)
        {
            var centred = new double[matrix.Values.Length];
            for (int row = 0; row < matrix.Count; row++)
            {
                for (int e = matrix.Offsets[row]; e < matrix.Offsets[row + 1]; e++)
                {
                    centred[e] = matrix.Values[e] - means[byRow ? row : matrix.Indices[e]];
                }
            }

            return centred;
        }
    }

    /// <summary>
    /// One thread's dense pair accumulators: the sums of one row against every other row it shares an entry with,
    /// and the list of those rows.
    /// </summary>
    internal sealed class Accumulators(int count)
    {
        private readonly PairSums[] _sums = new PairSums[count];
        private readonly int[] _touched = new int[count];
        private readonly float[] _similarities = new float[count];

        /// <summary>
        /// Accumulates the sums of <paramref name="row"/> (the a side) against every row sharing an entry with it;
        /// returns those rows, ascending. Their sums stay readable through <see cref="Take"/>.
        /// </summary>
        public Span<int> Accumulate(int row, SparseRows rows, SparseRows transposed, PairInputs inputs)
        {
            int touched = 0;
            PairSums[] sums = _sums;
            double[] transposedValues = inputs.TransposedValues;
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

                    ref PairSums s = ref sums[other];
                    if (s.Count == 0)
                    {
                        _touched[touched++] = other;
                    }

                    double value = transposedValues[t];
                    if (inputs.Moments)
                    {
                        s.Add(own, value, 1);
                    }
                    else
                    {
                        s.Count++;
                        s.Product += PairSums.Quantize(own * value);
                    }
                }
            }

            Span<int> candidates = _touched.AsSpan(0, touched);
            candidates.Sort();
            return candidates;
        }

        /// <summary>Returns the sums accumulated against <paramref name="other"/> and clears them for the next row.</summary>
        public PairSums Take(int other)
        {
            PairSums s = _sums[other];
            _sums[other] = default;
            return s;
        }

        /// <summary>The K best neighbours of <paramref name="row"/> into the destinations, best first; returns how many.</summary>
        public int Neighbors(
            int row, SparseRows rows, SparseRows transposed, PairInputs inputs, SimilarityMeasure measure, float shrinkage,
            Span<int> topIndices, Span<float> topScores)
        {
            Span<int> candidates = Accumulate(row, rows, transposed, inputs);
            for (int c = 0; c < candidates.Length; c++)
            {
                PairSums s = Take(candidates[c]);
                _similarities[c] = PairSimilarity.Compute(measure, shrinkage, s, row, candidates[c], inputs.Rows);
            }

            int size = 0;
            var all = default(AcceptAll);
            TopK.Add(_similarities.AsSpan(0, candidates.Length), candidates, topIndices, topScores, ref size, ref all);
            return TopK.Complete(topIndices, topScores, size);
        }
    }
}
