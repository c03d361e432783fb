using RecEngine.Data;

namespace RecEngine.Evaluation;

/// <summary>
/// The row indices of a dataset grouped by user (CSR layout: one offsets array, one rows array), each group in
/// ascending row order. Built by one stable counting sort, O(rows + users). Immutable.
/// </summary>
internal sealed class RowsByUser
{
    private readonly int[] _offsets;
    private readonly int[] _rows;

    private RowsByUser(int[] offsets, int[] rows)
    {
        _offsets = offsets;
        _rows = rows;
    }

    /// <summary>Number of user slots (the dataset's user count).</summary>
    public int UserCount => _offsets.Length - 1;

    /// <summary>The rows of <paramref name="user"/>, ascending.</summary>
    public ReadOnlySpan<int> Rows(int user) => _rows.AsSpan(_offsets[user], _offsets[user + 1] - _offsets[user]);

    public static RowsByUser Build(InteractionDataset dataset)
    {
        ReadOnlySpan<int> users = dataset.UserIndices;
        var offsets = new int[dataset.UserCount + 1];
        foreach (int user in users)
        {
            offsets[user + 1]++;
        }

        for (int u = 0; u < dataset.UserCount; u++)
        {
            offsets[u + 1] += offsets[u];
        }

        var next = offsets.AsSpan(0, dataset.UserCount).ToArray();
        var rows = new int[users.Length];
        for (int row = 0; row < users.Length; row++)
        {
            rows[next[users[row]]++] = row;
        }

        return new RowsByUser(offsets, rows);
    }
}
