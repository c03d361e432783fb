using RecEngine.Data;

namespace RecEngine.Models.Content;

/// <summary>
/// Every user's content profile, kept as the weighted sum Σ_i w_ui f_i of the unit feature vectors of the items
/// the user interacted with. The profile is the weighted mean Σ w f / Σ |w|; scores are cosines, which do not depend
/// on the denominator, so only the sum is kept. One event (u, i, w) adds w f_i: O(nnz(f_i) · log nnz(p_u)), plus
/// moving entries when new features enter the profile.
/// </summary>
/// <remarks>One writer at a time; readers must not run concurrently with <see cref="Apply"/>.</remarks>
internal sealed class ContentProfiles : ProfileView
{
    private readonly SparseRows _items;
    private SortedEntries[] _sums;
    private int _count;

    private ContentProfiles(SparseRows items, SortedEntries[] sums)
    {
        _items = items;
        _sums = sums;
        _count = sums.Length;
    }

    /// <summary>Number of users.</summary>
    public int Count => _count;

    /// <summary>
    /// The profiles of the users of <paramref name="matrix"/> (users by items, values are the weights) over the item
    /// vectors <paramref name="items"/>, accumulated in double precision.
    /// </summary>
    public static ContentProfiles Build(InteractionMatrix matrix, SparseRows items, int dimension)
    {
        var sums = new SortedEntries[matrix.Rows];
        var dense = new double[dimension];
        var marked = new bool[dimension];
        var touched = new List<int>();
        for (int user = 0; user < matrix.Rows; user++)
        {
            ReadOnlySpan<int> userItems = matrix.RowColumns(user);
            ReadOnlySpan<float> weights = matrix.RowValues(user);
            touched.Clear();
            for (int e = 0; e < userItems.Length; e++)
            {
                ReadOnlySpan<int> features = items.IndicesOf(userItems[e]);
                ReadOnlySpan<float> values = items.ValuesOf(userItems[e]);
                for (int f = 0; f < features.Length; f++)
                {
                    if (!marked[features[f]])
                    {
                        marked[features[f]] = true;
                        touched.Add(features[f]);
                    }

                    dense[features[f]] += (double)weights[e] * values[f];
                }
            }

            touched.Sort();
            var indices = new int[touched.Count];
            var sumValues = new float[touched.Count];
            for (int t = 0; t < touched.Count; t++)
            {
                indices[t] = touched[t];
                sumValues[t] = (float)dense[touched[t]];
                dense[touched[t]] = 0;
                marked[touched[t]] = false;
            }

            sums[user] = new SortedEntries(indices, sumValues);
        }

        return new ContentProfiles(items, sums);
    }

    /// <inheritdoc/>
    public override ReadOnlySpan<int> IndicesOf(int user) => user < _count ? _sums[user].Indices : default;

    /// <inheritdoc/>
    public override ReadOnlySpan<float> ValuesOf(int user) => user < _count ? _sums[user].Values : default;

    /// <summary>Adds <paramref name="weight"/> times item <paramref name="item"/>'s vector to the user's profile; new users are created.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The user or item index is out of range, or the weight is not finite.</exception>
    public void Apply(int user, int item, float weight)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(user);
        if ((uint)item >= (uint)_items.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(item), item, $"Item index must be in [0, {_items.Count}).");
        }

        if (!float.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be finite.");
        }

        if (user >= _count)
        {
            if (user >= _sums.Length)
            {
                Array.Resize(ref _sums, Math.Max(user + 1, _sums.Length * 2));
            }

            _count = user + 1;
        }

        ref SortedEntries sums = ref _sums[user];
        ReadOnlySpan<int> features = _items.IndicesOf(item);
        ReadOnlySpan<float> values = _items.ValuesOf(item);
        for (int f = 0; f < features.Length; f++)
        {
            int at = sums.Find(features[f]);
            if (at >= 0)
            {
                sums.Set(at, sums.Values[at] + (weight * values[f]));
            }
            else
            {
                sums.Insert(~at, features[f], weight * values[f]);
            }
        }
    }
}

/// <summary>Read access to users' profiles (sparse weighted sums of item vectors).</summary>
internal abstract class ProfileView
{
    /// <summary>The feature indices of <paramref name="user"/>'s profile, ascending; empty for an unknown user.</summary>
    public abstract ReadOnlySpan<int> IndicesOf(int user);

    /// <summary>The profile's weighted sums, in the order of <see cref="IndicesOf"/>.</summary>
    public abstract ReadOnlySpan<float> ValuesOf(int user);
}

/// <summary>Profiles read from saved state: sparse rows, one per user.</summary>
internal sealed class SparseProfiles(SparseRows rows) : ProfileView
{
    /// <inheritdoc/>
    public override ReadOnlySpan<int> IndicesOf(int user) => (uint)user < (uint)rows.Count ? rows.IndicesOf(user) : default;

    /// <inheritdoc/>
    public override ReadOnlySpan<float> ValuesOf(int user) => (uint)user < (uint)rows.Count ? rows.ValuesOf(user) : default;
}
