using RecEngine.Data;

namespace RecEngine.Models.Neighborhood;

/// <summary>Applies a <see cref="NeighborWeighting"/> to a sparse matrix, in both orientations.</summary>
internal static class RowWeighting
{
    /// <summary>
    /// The weighted matrix: <paramref name="rows"/> are the documents, <paramref name="transposed"/> the same entries
    /// by column (term). Returns the inputs unchanged for <see cref="NeighborWeighting.None"/>; otherwise new value
    /// arrays sharing the index arrays.
    /// </summary>
    public static (SparseRows Rows, SparseRows Transposed) Apply(SparseRows rows, SparseRows transposed, NeighborWeighting weighting, double k1, double b)
    {
        if (weighting == NeighborWeighting.None)
        {
            return (rows, transposed);
        }

        // idf_c = ln(N / (1 + n_c)) over the N rows.
        double documents = rows.Count;
        var idf = new double[transposed.Count];
        for (int c = 0; c < idf.Length; c++)
        {
            idf[c] = Math.Log(documents / (1 + transposed.Offsets[c + 1] - transposed.Offsets[c]));
        }

        var lengthNorm = new double[rows.Count];
        if (weighting == NeighborWeighting.Bm25)
        {
            double total = 0;
            for (int r = 0; r < rows.Count; r++)
            {
                double sum = 0;
                foreach (float v in rows.ValuesOf(r))
                {
                    sum += v;
                }

                lengthNorm[r] = sum;
                total += sum;
            }

            double mean = rows.Count == 0 ? 0 : total / rows.Count;
            for (int r = 0; r < rows.Count; r++)
            {
                lengthNorm[r] = (1 - b) + (mean > 0 ? b * lengthNorm[r] / mean : 0);
            }
        }

        float Weigh(float x, int row, int column) => weighting == NeighborWeighting.Bm25
            ? (float)(x * (k1 + 1) / ((k1 * lengthNorm[row]) + x) * idf[column])
            : (float)(Math.Sqrt(x) * idf[column]);

        var rowValues = new float[rows.Values.Length];
        for (int r = 0; r < rows.Count; r++)
        {
            for (int e = rows.Offsets[r]; e < rows.Offsets[r + 1]; e++)
            {
                rowValues[e] = Weigh(rows.Values[e], r, rows.Indices[e]);
            }
        }

        var transposedValues = new float[transposed.Values.Length];
        for (int c = 0; c < transposed.Count; c++)
        {
            for (int e = transposed.Offsets[c]; e < transposed.Offsets[c + 1]; e++)
            {
                transposedValues[e] = Weigh(transposed.Values[e], transposed.Indices[e], c);
            }
        }

        return (rows with { Values = rowValues }, transposed with { Values = transposedValues });
    }
}
