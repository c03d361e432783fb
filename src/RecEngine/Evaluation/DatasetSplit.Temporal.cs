using System.Runtime.InteropServices;
using RecEngine.Data;

namespace RecEngine.Evaluation;

public sealed partial class DatasetSplit
{
    /// <summary>
    /// Global temporal split at a point in time: interactions at or before <paramref name="cutoff"/> are the
    /// training set, later ones the test set. Every user shares the same cutoff, so no training interaction is
    /// later than any test interaction (no leakage from the future).
    /// </summary>
    /// <param name="dataset">The interactions to split.</param>
    /// <param name="cutoff">The last instant that belongs to training; interactions exactly at the cutoff go to training.</param>
    /// <param name="coldStartUsers">
    /// What happens to test interactions of users with no training interaction. The default,
    /// <see cref="ColdStartUsers.Evaluate"/>, keeps them (they are evaluated and get the model's fallback);
    /// <see cref="ColdStartUsers.Skip"/> drops them.
    /// </param>
    /// <remarks>Timestamps are whole Unix milliseconds; a cutoff between two milliseconds acts as the earlier one. O(n).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="coldStartUsers"/> is not a defined value.</exception>
    public static DatasetSplit TemporalByCutoff(InteractionDataset dataset, DateTimeOffset cutoff, ColdStartUsers coldStartUsers = ColdStartUsers.Evaluate)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ThrowIfUndefined(coldStartUsers);
        return SplitAt(dataset, cutoff.ToUnixTimeMilliseconds(), coldStartUsers);
    }

    /// <summary>
    /// Global temporal split by share: the earliest ⌊<paramref name="trainFraction"/> · n⌋ interactions (by timestamp)
    /// set the cutoff, and every interaction at or before the cutoff is the training set, the rest the test set.
    /// </summary>
    /// <param name="dataset">The interactions to split.</param>
    /// <param name="trainFraction">Share of interactions for training, in (0, 1).</param>
    /// <param name="coldStartUsers">
    /// What happens to test interactions of users with no training interaction. The default,
    /// <see cref="ColdStartUsers.Evaluate"/>, keeps them (they are evaluated and get the model's fallback);
    /// <see cref="ColdStartUsers.Skip"/> drops them.
    /// </param>
    /// <remarks>
    /// The cutoff is the timestamp of the m-th earliest interaction, m = ⌊trainFraction · n⌋ (computed in double
    /// precision). Interactions that share the cutoff timestamp all go to training, so the training set can hold
    /// more than m interactions; when m = 0 it is empty. O(n log n).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="trainFraction"/> is not in (0, 1), or <paramref name="coldStartUsers"/> is not a defined value.</exception>
    public static DatasetSplit TemporalByFraction(InteractionDataset dataset, double trainFraction, ColdStartUsers coldStartUsers = ColdStartUsers.Evaluate)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ThrowIfNotOpenFraction(trainFraction);
        ThrowIfUndefined(coldStartUsers);
        int trainCount = (int)Math.Floor(trainFraction * dataset.Count);
        long? cutoff = null;
        if (trainCount > 0)
        {
            long[] sorted = dataset.Timestamps.ToArray();
            Array.Sort(sorted);
            cutoff = sorted[trainCount - 1];
        }

        return SplitAt(dataset, cutoff, coldStartUsers);
    }

    /// <summary>Rows after <paramref name="cutoffMilliseconds"/> go to test; a null cutoff sends every row to test.</summary>
    private static DatasetSplit SplitAt(InteractionDataset dataset, long? cutoffMilliseconds, ColdStartUsers coldStartUsers)
    {
        ReadOnlySpan<long> timestamps = dataset.Timestamps;
        var inTest = new bool[dataset.Count];
        for (int row = 0; row < inTest.Length; row++)
        {
            inTest[row] = cutoffMilliseconds is not { } cutoff || timestamps[row] > cutoff;
        }

        return coldStartUsers == ColdStartUsers.Skip ? FromMaskSkippingColdStart(dataset, inTest) : FromMask(dataset, inTest);
    }

    /// <summary>Like <see cref="FromMask"/>, but test rows of users without a training row are left out of both parts.</summary>
    private static DatasetSplit FromMaskSkippingColdStart(InteractionDataset dataset, ReadOnlySpan<bool> inTest)
    {
        ReadOnlySpan<int> users = dataset.UserIndices;
        var hasTraining = new bool[dataset.UserCount];
        for (int row = 0; row < inTest.Length; row++)
        {
            if (!inTest[row])
            {
                hasTraining[users[row]] = true;
            }
        }

        var trainRows = new List<int>();
        var testRows = new List<int>();
        for (int row = 0; row < inTest.Length; row++)
        {
            if (!inTest[row])
            {
                trainRows.Add(row);
            }
            else if (hasTraining[users[row]])
            {
                testRows.Add(row);
            }
        }

        return new DatasetSplit(
            dataset.Subset(CollectionsMarshal.AsSpan(trainRows)),
            dataset.Subset(CollectionsMarshal.AsSpan(testRows)));
    }

    private static void ThrowIfUndefined(ColdStartUsers coldStartUsers)
    {
        if (!Enum.IsDefined(coldStartUsers))
        {
            throw new ArgumentOutOfRangeException(nameof(coldStartUsers), coldStartUsers, "Unknown cold-start policy.");
        }
    }
}
