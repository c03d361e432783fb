using RecEngine.Data;

namespace RecEngine.Evaluation;

public sealed partial class DatasetSplit
{
    /// <summary>
    /// Random holdout: a uniformly random subset of ⌈<paramref name="testFraction"/> · n⌉ interactions is the test set,
    /// the rest is the training set (the sizing of scikit-learn's <c>train_test_split</c> and Surprise's
    /// <c>train_test_split</c>; the product is computed in double precision).
    /// </summary>
    /// <param name="dataset">The interactions to split.</param>
    /// <param name="testFraction">Share of interactions held out, in (0, 1).</param>
    /// <param name="seed">Seed of the shuffle; the same seed gives the same split.</param>
    /// <returns>A split that partitions the rows exactly.</returns>
    /// <remarks>
    /// The test rows are the first ⌈testFraction · n⌉ positions of a seeded Fisher–Yates permutation of the rows.
    /// Users and items are not stratified, so a user may end up with no training data and get the model's
    /// fallback. O(n).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="testFraction"/> is not in (0, 1).</exception>
    public static DatasetSplit RandomHoldout(InteractionDataset dataset, double testFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ThrowIfNotOpenFraction(testFraction);
        int n = dataset.Count;
        int testCount = (int)Math.Ceiling(testFraction * n);
        int[] order = Permutation(n, seed);
        var inTest = new bool[n];
        for (int position = 0; position < testCount; position++)
        {
            inTest[order[position]] = true;
        }

        return FromMask(dataset, inTest);
    }

    /// <summary>
    /// Cold items: a uniformly random subset of ⌈<paramref name="itemFraction"/> · items⌉ items is made cold, and all of
    /// their interactions form the test set. The training set keeps the cold items in its catalog (with their
    /// attributes) but has no interaction with them, which is how a content model's cold start is measured.
    /// </summary>
    /// <param name="dataset">The interactions to split.</param>
    /// <param name="itemFraction">Share of the dataset's items made cold, in (0, 1).</param>
    /// <param name="seed">Seed of the shuffle of the items; the same seed gives the same split.</param>
    /// <returns>A split that partitions the rows exactly; every test interaction is with a cold item.</returns>
    /// <remarks>The cold items are the first positions of a seeded Fisher–Yates permutation of the item indices. O(n + items).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="itemFraction"/> is not in (0, 1).</exception>
    public static DatasetSplit ColdItems(InteractionDataset dataset, double itemFraction, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ThrowIfNotOpenFraction(itemFraction);
        int coldCount = (int)Math.Ceiling(itemFraction * dataset.ItemCount);
        int[] order = Permutation(dataset.ItemCount, seed);
        var cold = new bool[dataset.ItemCount];
        for (int position = 0; position < coldCount; position++)
        {
            cold[order[position]] = true;
        }

        ReadOnlySpan<int> items = dataset.ItemIndices;
        var inTest = new bool[dataset.Count];
        for (int row = 0; row < inTest.Length; row++)
        {
            inTest[row] = cold[items[row]];
        }

        return FromMask(dataset, inTest);
    }

    /// <summary>
    /// K-fold cross-validation splits: the interactions are randomly partitioned into <paramref name="k"/> folds of
    /// (almost) equal size, and split <c>f</c> has fold <c>f</c> as its test set and the other folds as its training
    /// set, so every interaction is in exactly one test set.
    /// </summary>
    /// <param name="dataset">The interactions to split.</param>
    /// <param name="k">Number of folds, in [2, n].</param>
    /// <param name="seed">Seed of the shuffle; the same seed gives the same folds.</param>
    /// <returns>The <paramref name="k"/> splits, fold 0 first; each partitions the rows exactly.</returns>
    /// <remarks>
    /// Folds are consecutive runs of a seeded Fisher–Yates permutation of the rows; as in scikit-learn's and
    /// Surprise's <c>KFold</c>, the first <c>n mod k</c> folds have ⌊n/k⌋ + 1 interactions and the others ⌊n/k⌋.
    /// O(k · n).
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="dataset"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is less than 2 or greater than the number of interactions.</exception>
    public static IReadOnlyList<DatasetSplit> KFold(InteractionDataset dataset, int k, int seed)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 2);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(k, dataset.Count);
        int n = dataset.Count;
        int[] order = Permutation(n, seed);
        var folds = new DatasetSplit[k];
        var inTest = new bool[n];
        int stop = 0;
        for (int fold = 0; fold < k; fold++)
        {
            int start = stop;
            stop = start + (n / k) + (fold < n % k ? 1 : 0);
            Array.Clear(inTest);
            for (int position = start; position < stop; position++)
            {
                inTest[order[position]] = true;
            }

            folds[fold] = FromMask(dataset, inTest);
        }

        return folds;
    }

    private static void ThrowIfNotOpenFraction(double fraction, [System.Runtime.CompilerServices.CallerArgumentExpression(nameof(fraction))] string? paramName = null)
    {
        if (!(fraction > 0.0 && fraction < 1.0))
        {
            throw new ArgumentOutOfRangeException(paramName, fraction, "The fraction must be greater than 0 and less than 1.");
        }
    }
}
