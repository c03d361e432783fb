using RecEngine.Data;

namespace RecEngine.Tests.Models.Neighborhood;

/// <summary>Sparse test matrices in both orientations.</summary>
internal static class SparseMatrices
{
    /// <summary>A sparse matrix from a dense one where NaN marks a missing entry, in both orientations.</summary>
    public static (SparseRows Rows, SparseRows Transposed) FromDense(float[,] dense)
    {
        int rows = dense.GetLength(0), columns = dense.GetLength(1);
        return (Orient(rows, columns, (r, c) => dense[r, c]), Orient(columns, rows, (r, c) => dense[c, r]));
    }

    public static SparseRows Orient(int rows, int columns, Func<int, int, float> at)
    {
        var offsets = new int[rows + 1];
        var indices = new List<int>();
        var values = new List<float>();
        for (int r = 0; r < rows; r++)
        {
            for (int c = 0; c < columns; c++)
            {
                if (!float.IsNaN(at(r, c)))
                {
                    indices.Add(c);
                    values.Add(at(r, c));
                }
            }

            offsets[r + 1] = indices.Count;
        }

        return new SparseRows(offsets, indices.ToArray(), values.ToArray());
    }
}
