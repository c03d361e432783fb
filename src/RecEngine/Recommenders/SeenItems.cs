using RecEngine.Data;

namespace RecEngine;

/// <summary>Which items each user has seen, as one ascending row of item indices per user: what top-N excludes.</summary>
internal abstract class SeenItems
{
    /// <summary>The items <paramref name="user"/> has seen, ascending; empty for a user beyond the rows.</summary>
    public abstract ReadOnlySpan<int> RowColumns(int user);

    /// <summary>How many items <paramref name="user"/> has seen.</summary>
    public int RowLength(int user) => RowColumns(user).Length;

    /// <summary>The rows of a training matrix.</summary>
    public static SeenItems Of(InteractionMatrix matrix) => new MatrixRows(matrix);

    /// <summary>Rows given as sparse rows (their values are not used).</summary>
    public static SeenItems Of(SparseRows rows) => new Rows(rows);

    private sealed class MatrixRows(InteractionMatrix matrix) : SeenItems
    {
        public override ReadOnlySpan<int> RowColumns(int user) => (uint)user < (uint)matrix.Rows ? matrix.RowColumns(user) : default;
    }

    private sealed class Rows(SparseRows rows) : SeenItems
    {
        public override ReadOnlySpan<int> RowColumns(int user) => (uint)user < (uint)rows.Count ? rows.IndicesOf(user) : default;
    }
}
