using RecEngine.Data;

namespace RecEngine.Evaluation;

/// <summary>
/// A training set and a test set drawn from the same data: a model is fitted on <see cref="Train"/> and its
/// predictions are compared with <see cref="Test"/>. The static methods make the standard splits.
/// </summary>
/// <remarks>
/// <para>
/// Both parts share the id maps of the data they come from, so a dense index means the same user or item in
/// both. The splits made here also share the source's user and item counts and catalog (they are
/// <see cref="InteractionDataset.Subset"/>s of it), so every catalog item stays a candidate even when all of its
/// interactions land in the test set. Rows keep their order in the source within each part.
/// </para>
/// <para>
/// Randomised splits are deterministic for a seed, on every platform and .NET version: they shuffle with
/// SplitMix64 and unbiased bounded integers rather than <see cref="Random"/>, whose seeded sequence .NET does not
/// promise to keep.
/// </para>
/// <para>Thread safety: immutable.</para>
/// </remarks>
public sealed partial class DatasetSplit
{
    /// <summary>Pairs a training set with a test set, for example a split that comes with a public dataset.</summary>
    /// <param name="train">The interactions to fit on.</param>
    /// <param name="test">The held-out interactions.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The two datasets do not share their user and item id maps (build them with builders given the same <see cref="IdMap"/> instances).</exception>
    public DatasetSplit(InteractionDataset train, InteractionDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        if (!ReferenceEquals(train.Users, test.Users) || !ReferenceEquals(train.Items, test.Items))
        {
            throw new ArgumentException("The training and test sets must share their user and item id maps.", nameof(test));
        }

        Train = train;
        Test = test;
    }

    /// <summary>The interactions a model is fitted on.</summary>
    public InteractionDataset Train { get; }

    /// <summary>The held-out interactions the model is evaluated on.</summary>
    public InteractionDataset Test { get; }

    /// <summary>Splits the rows of <paramref name="dataset"/> by a per-row flag, keeping their order.</summary>
    private static DatasetSplit FromMask(InteractionDataset dataset, ReadOnlySpan<bool> inTest)
    {
        int testCount = inTest.Count(true);
        var trainRows = new int[dataset.Count - testCount];
        var testRows = new int[testCount];
        int nextTrain = 0;
        int nextTest = 0;
        for (int row = 0; row < inTest.Length; row++)
        {
            if (inTest[row])
            {
                testRows[nextTest++] = row;
            }
            else
            {
                trainRows[nextTrain++] = row;
            }
        }

        return new DatasetSplit(dataset.Subset(trainRows), dataset.Subset(testRows));
    }

    /// <summary>A random permutation of <c>0..count-1</c> (Fisher–Yates, Durstenfeld's in-place form).</summary>
    private static int[] Permutation(int count, int seed)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        var random = new SplitMix64(unchecked((ulong)seed));
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
