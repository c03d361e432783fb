using RecEngine.Data;
using RecEngine.Persistence;
namespace RecEngine.Models.Neighborhood;

/// <summary>
/// At most K neighbours per row with their similarities, best first (ties by lower index), in three contiguous
/// arrays: memory O(rows · K), never O(rows²).
/// </summary>
internal sealed class NeighborGraph
{
    private readonly int[] _offsets;
    private readonly int[] _neighbors;
    private readonly float[] _similarities;

    public NeighborGraph(int[] offsets, int[] neighbors, float[] similarities)
    {
        _offsets = offsets;
        _neighbors = neighbors;
        _similarities = similarities;
    }

    /// <summary>Number of rows.</summary>
    public int Count => _offsets.Length - 1;

    /// <summary>Total number of stored neighbours.</summary>
    public int NeighborCount => _neighbors.Length;

    /// <summary>The neighbours of <paramref name="row"/>, best first.</summary>
    public ReadOnlySpan<int> NeighborsOf(int row) => _neighbors.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>The similarities of <paramref name="row"/>'s neighbours, in the order of <see cref="NeighborsOf"/>.</summary>
    public ReadOnlySpan<float> SimilaritiesOf(int row) => _similarities.AsSpan(_offsets[row], _offsets[row + 1] - _offsets[row]);

    /// <summary>
    /// Writes <paramref name="row"/>'s similarities into <paramref name="scores"/> (indexed by row, NaN for rows
    /// that are not neighbours); returns <see langword="false"/>, writing nothing, when it has no neighbours.
    /// </summary>
    public bool TryFill(int row, Span<float> scores)
    {
        ReadOnlySpan<int> neighbors = NeighborsOf(row);
        if (neighbors.IsEmpty)
        {
            return false;
        }

        scores.Fill(float.NaN);
        ReadOnlySpan<float> similarities = SimilaritiesOf(row);
        for (int n = 0; n < neighbors.Length; n++)
        {
            scores[neighbors[n]] = similarities[n];
        }

        return true;
    }

    /// <summary>Writes the graph into saved state.</summary>
    public void Write(StateWriter writer) => writer.WriteRows(new(_offsets, _neighbors, _similarities));

    /// <summary>Reads a graph of <paramref name="rows"/> rows written by <see cref="Write"/>; neighbours must be rows, never the row itself.</summary>
    public static NeighborGraph Read(StateReader reader, int rows, string what)
    {
        SparseRows graph = reader.ReadRows(rows, rows, what, ascending: false);
        for (int row = 0; row < rows; row++)
        {
            if (graph.IndicesOf(row).Contains(row))
            {
                throw reader.Invalid($"lists {what} {row} as its own neighbour.");
            }
        }

        return new NeighborGraph(graph.Offsets, graph.Indices, graph.Values);
    }
}
