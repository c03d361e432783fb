namespace RecEngine.Data.Synthetic;

/// <summary>
/// The hidden item side of a synthetic dataset: cluster shares, each item's main and optional second cluster,
/// Zipf popularity, latent vector and quality bias, and the cluster memberships users draw from.
/// </summary>
/// <remarks>
/// <para>
/// An item is a member of its main cluster with its popularity weight, and of its second cluster (if any) with
/// <see cref="SecondClusterWeight"/> times that weight. Members are stored cluster by cluster in flat arrays,
/// with weights in fixed point (integers) so that <see cref="UnseenItemSampler"/> can remove and restore them
/// exactly, and with the Fenwick trees of the untouched weights ready to copy.
/// </para>
/// <para>Immutable after construction; safe for concurrent reads.</para>
/// </remarks>
internal sealed class SyntheticItems
{
    /// <summary>Relative weight of an item in its second cluster, and of a user's taste for that cluster in the affinity.</summary>
    internal const double SecondClusterWeight = 0.5;

    /// <summary>
    /// Shape of the Gamma law of cluster shares: with shape 2 the largest of 20 clusters is typically about three
    /// times the smallest, so categories differ in size and appeal as genres do.
    /// </summary>
    private const double ClusterShareShape = 2.0;

    /// <summary>Standard deviation of the item quality bias, in stars.</summary>
    private const double ItemBiasDeviation = 0.25;

    /// <summary>
    /// Extra bias, in stars, from the most to the least popular item (half above, half below zero): popular items
    /// are rated a little higher, as in MovieLens.
    /// </summary>
    private const double PopularityBiasRange = 0.3;

    /// <summary>Fixed-point scale: the most popular item weighs 2^40, so even the rarest keeps many significant bits.</summary>
    private const double FixedPointScale = 1L << 40;

    private SyntheticItems(
        int clusterCount, int latentDimensions, double[] clusterShares, int[] mainClusters, int[] secondClusters,
        double[] popularity, float[] factors, float[] biases)
    {
        ClusterCount = clusterCount;
        LatentDimensions = latentDimensions;
        ClusterShares = clusterShares;
        MainClusters = mainClusters;
        SecondClusters = secondClusters;
        Popularity = popularity;
        Factors = factors;
        Biases = biases;

        int itemCount = mainClusters.Length;
        var offsets = new int[clusterCount + 1];
        for (int i = 0; i < itemCount; i++)
        {
            offsets[mainClusters[i] + 1]++;
            if (secondClusters[i] >= 0)
            {
                offsets[secondClusters[i] + 1]++;
            }
        }

        for (int c = 0; c < clusterCount; c++)
        {
            offsets[c + 1] += offsets[c];
        }

        double largest = 0;
        foreach (double w in popularity)
        {
            largest = Math.Max(largest, w);
        }

        int memberCount = offsets[clusterCount];
        var members = new int[memberCount];
        var weights = new long[memberCount];
        var mainPositions = new int[itemCount];
        var secondPositions = new int[itemCount];
        int[] next = offsets[..clusterCount];
        for (int i = 0; i < itemCount; i++)
        {
            long weight = Math.Max(1L, (long)Math.Round(popularity[i] / largest * FixedPointScale));
            int slot = next[mainClusters[i]]++;
            members[slot] = i;
            weights[slot] = weight;
            mainPositions[i] = slot;
            secondPositions[i] = -1;
            if (secondClusters[i] >= 0)
            {
                slot = next[secondClusters[i]]++;
                members[slot] = i;
                weights[slot] = Math.Max(1L, (long)(weight * SecondClusterWeight));
                secondPositions[i] = slot;
            }
        }

        MemberOffsets = offsets;
        Members = members;
        MemberWeights = weights;
        MainPositions = mainPositions;
        SecondPositions = secondPositions;
        FullTrees = new long[memberCount];
        FullTotals = new long[clusterCount];
        for (int c = 0; c < clusterCount; c++)
        {
            int start = offsets[c];
            int length = offsets[c + 1] - start;
            FullTotals[c] = FenwickTree.Build(weights.AsSpan(start, length), FullTrees.AsSpan(start, length));
        }
    }

    /// <summary>Number of items.</summary>
    public int Count => MainClusters.Length;

    /// <summary>Number of taste clusters.</summary>
    public int ClusterCount { get; }

    /// <summary>Dimension of the latent vectors.</summary>
    public int LatentDimensions { get; }

    /// <summary>Share of the catalogue and of the users' prior taste held by each cluster (sums to 1).</summary>
    public double[] ClusterShares { get; }

    /// <summary>Main cluster of each item (its first category).</summary>
    public int[] MainClusters { get; }

    /// <summary>Second cluster of each item, or -1.</summary>
    public int[] SecondClusters { get; }

    /// <summary>Zipf popularity weight of each item: <c>rank^-s</c>, rank from 1.</summary>
    public double[] Popularity { get; }

    /// <summary>Latent vectors, row-major (<c>Count x LatentDimensions</c>).</summary>
    public float[] Factors { get; }

    /// <summary>Quality bias of each item, in stars.</summary>
    public float[] Biases { get; }

    /// <summary>Start of each cluster's members in <see cref="Members"/>, plus the end (length <c>ClusterCount + 1</c>).</summary>
    public int[] MemberOffsets { get; }

    /// <summary>Item of each membership, cluster by cluster.</summary>
    public int[] Members { get; }

    /// <summary>Fixed-point weight of each membership.</summary>
    public long[] MemberWeights { get; }

    /// <summary>Position in <see cref="Members"/> of each item's main-cluster membership.</summary>
    public int[] MainPositions { get; }

    /// <summary>Position in <see cref="Members"/> of each item's second-cluster membership, or -1.</summary>
    public int[] SecondPositions { get; }

    /// <summary>The Fenwick tree of each cluster's weights, in the cluster's slice of a flat array.</summary>
    public long[] FullTrees { get; }

    /// <summary>Total weight of each cluster.</summary>
    public long[] FullTotals { get; }

    /// <summary>The latent vector of <paramref name="item"/>.</summary>
    public ReadOnlySpan<float> FactorsOf(int item) => Factors.AsSpan(item * LatentDimensions, LatentDimensions);

    /// <summary>Draws the hidden item side.</summary>
    /// <param name="random">The stream reserved for items.</param>
    /// <param name="itemCount">Number of items.</param>
    /// <param name="clusterCount">Number of clusters, at most <paramref name="itemCount"/>.</param>
    /// <param name="latentDimensions">Dimension of the latent vectors.</param>
    /// <param name="popularityExponent">Zipf exponent.</param>
    /// <param name="secondClusterProbability">Probability of a second cluster.</param>
    public static SyntheticItems Create(
        ref Xoshiro256 random, int itemCount, int clusterCount, int latentDimensions, double popularityExponent, double secondClusterProbability)
    {
        var shares = new double[clusterCount];
        double total = 0;
        for (int c = 0; c < clusterCount; c++)
        {
            shares[c] = Math.Exp(random.NextLogGamma(ClusterShareShape));
            total += shares[c];
        }

        for (int c = 0; c < clusterCount; c++)
        {
            shares[c] /= total;
        }

        // Every cluster gets one item (the first clusterCount items of a random order), the rest follow the shares.
        int[] order = RandomPermutation(ref random, itemCount);
        var runningShares = new double[clusterCount];
        double running = 0;
        for (int c = 0; c < clusterCount; c++)
        {
            running += shares[c];
            runningShares[c] = running;
        }

        var main = new int[itemCount];
        for (int k = 0; k < itemCount; k++)
        {
            main[order[k]] = k < clusterCount ? k : CumulativeWeights.Sample(ref random, runningShares);
        }

        var second = new int[itemCount];
        for (int i = 0; i < itemCount; i++)
        {
            second[i] = -1;
            if (clusterCount > 1 && random.NextDouble() < secondClusterProbability)
            {
                second[i] = (main[i] + 1 + random.NextInt(clusterCount - 1)) % clusterCount;
            }
        }

        // Popularity rank is independent of cluster and of index.
        int[] rank = RandomPermutation(ref random, itemCount);
        var popularity = new double[itemCount];
        var biases = new float[itemCount];
        for (int i = 0; i < itemCount; i++)
        {
            popularity[i] = Math.Pow(rank[i] + 1.0, -popularityExponent);
            double popularityBias = PopularityBiasRange * (0.5 - ((double)rank[i] / itemCount));
            biases[i] = (float)((ItemBiasDeviation * random.NextNormal()) + popularityBias);
        }

        float[] factors = LatentVectors(ref random, itemCount, latentDimensions);
        return new SyntheticItems(clusterCount, latentDimensions, shares, main, second, popularity, factors, biases);
    }

    /// <summary>
    /// Draws <paramref name="count"/> latent vectors with i.i.d. N(0, 1/sqrt(d)) components, so that the dot product
    /// of two independent vectors has variance 1 whatever the dimension <c>d</c>.
    /// </summary>
    internal static float[] LatentVectors(ref Xoshiro256 random, int count, int dimensions)
    {
        var factors = new float[count * dimensions];
        FillLatent(ref random, factors, dimensions);
        return factors;
    }

    /// <summary>Fills <paramref name="destination"/> with vectors of <paramref name="dimensions"/> N(0, 1/sqrt(d)) components.</summary>
    internal static void FillLatent(ref Xoshiro256 random, Span<float> destination, int dimensions)
    {
        if (dimensions == 0)
        {
            return;
        }

        double scale = Math.Pow(dimensions, -0.25);
        for (int k = 0; k < destination.Length; k++)
        {
            destination[k] = (float)(random.NextNormal() * scale);
        }
    }

    private static int[] RandomPermutation(ref Xoshiro256 random, int count)
    {
        var order = new int[count];
        for (int i = 0; i < count; i++)
        {
            order[i] = i;
        }

        // Fisher-Yates.
        for (int i = count - 1; i > 0; i--)
        {
            int j = random.NextInt(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }

        return order;
    }
}
