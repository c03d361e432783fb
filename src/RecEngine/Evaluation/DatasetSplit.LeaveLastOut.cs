using System.Globalization;
using RecEngine.Data;

namespace RecEngine.Evaluation;

public sealed partial class DatasetSplit
{
    /// <summary>
    /// Leave-last-out (leave-one-out by time): each user's latest interaction is the test set, everything else is
    /// the training set. The protocol of He et al. 2017 (Neural Collaborative Filtering) and most sequential
    /// recommendation papers.
    /// </summary>
    /// <param name="dataset">The interactions to split.</param>
    /// <returns>A split whose test set holds at most one interaction per user, and which partitions the rows exactly.</returns>
    /// <remarks>
    /// <para>
    /// A user's interactions are ordered by timestamp; ties are broken by item id — numerically when both ids parse
    /// as integers (so <c>"9"</c> comes before <c>"10"</c>), otherwise in ordinal string order — and the last one
    /// is held out. Ids that are numerically equal but spelled differently (<c>"7"</c> and <c>"07"</c>) fall back to
    /// ordinal order, and rows with the same timestamp and the same item id to their order in the dataset (the later
    /// row is held out). The pairwise rule can be cyclic when numeric and non-numeric ids share a user's latest
    /// timestamp (<c>"9" &lt; "10" &lt; "1a" &lt; "9"</c>); only then the latest item in plain ordinal order is held out.
    /// </para>
    /// <para>
    /// <b>Users with fewer than 2 interactions keep everything in training</b> and are not in the test set: holding
    /// out their only interaction would leave the model nothing to learn about them.
    /// </para>
    /// <para>
    /// Earlier interactions with the held-out item stay in training; with seen items excluded from
    /// recommendations (the full protocol) the item then cannot be hit, so deduplicate repeated interactions first
    /// when the data has them. O(n) time and memory.
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    public static DatasetSplit LeaveLastOut(InteractionDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var byUser = RowsByUser.Build(dataset);
        var inTest = new bool[dataset.Count];
        for (int user = 0; user < byUser.UserCount; user++)
        {
            ReadOnlySpan<int> rows = byUser.Rows(user);
            if (rows.Length >= 2)
            {
                inTest[LatestRow(dataset, rows)] = true;
            }
        }

        return FromMask(dataset, inTest);
    }

    /// <summary>The row that comes last under the leave-last-out order (see <see cref="LeaveLastOut"/>).</summary>
    private static int LatestRow(InteractionDataset dataset, ReadOnlySpan<int> rows)
    {
        ReadOnlySpan<long> timestamps = dataset.Timestamps;
        long latest = long.MinValue;
        foreach (int row in rows)
        {
            latest = Math.Max(latest, timestamps[row]);
        }

        // Rows ascend, so ">= 0" keeps the later of two rows with the same item.
        int best = -1;
        foreach (int row in rows)
        {
            if (timestamps[row] == latest && (best < 0 || CompareItems(dataset, row, best, numeric: true) >= 0))
            {
                best = row;
            }
        }

        foreach (int row in rows)
        {
            if (timestamps[row] == latest && CompareItems(dataset, best, row, numeric: true) < 0)
            {
                // The pairwise rule has no maximum among these ids: use the total ordinal order instead.
                best = -1;
                foreach (int candidate in rows)
                {
                    if (timestamps[candidate] == latest && (best < 0 || CompareItems(dataset, candidate, best, numeric: false) >= 0))
                    {
                        best = candidate;
                    }
                }

                break;
            }
        }

        return best;
    }

    private static int CompareItems(InteractionDataset dataset, int rowA, int rowB, bool numeric)
    {
        int itemA = dataset.ItemIndices[rowA];
        int itemB = dataset.ItemIndices[rowB];
        if (itemA == itemB)
        {
            return 0;
        }

        string idA = dataset.Items.GetId(itemA);
        string idB = dataset.Items.GetId(itemB);
        return numeric ? CompareItemIds(idA, idB) : string.CompareOrdinal(idA, idB);
    }

    /// <summary>Numeric order when both ids parse as integers (ordinal among equal numbers), else ordinal order.</summary>
    internal static int CompareItemIds(string a, string b)
    {
        const NumberStyles Integer = NumberStyles.AllowLeadingSign;
        if (long.TryParse(a, Integer, CultureInfo.InvariantCulture, out long x) &&
            long.TryParse(b, Integer, CultureInfo.InvariantCulture, out long y) &&
            x != y)
        {
            return x.CompareTo(y);
        }

        return string.CompareOrdinal(a, b);
    }
}
