namespace RecEngine.Data.Synthetic;

/// <summary>
/// The hidden variables behind a synthetic dataset, for tests and for experiments that need to know what a
/// model should have found: each user's taste mixture, latent vector and bias, each item's clusters, popularity,
/// latent vector and bias, and the affinity that drove the choices and the ratings.
/// </summary>
/// <remarks>
/// <para>The affinity of user <c>u</c> for item <c>i</c> is</para>
/// <code>
/// a(u, i) = ClusterAffinityWeight * (2 * t / t_max - 1) + LatentAffinityWeight * dot(z_u, y_i) + b_u + b_i,
/// t = max(theta_u[main(i)], 0.5 * theta_u[second(i)]),   t_max = max_c theta_u[c],
/// </code>
/// <para>
/// so the cluster term runs from -1 (a cluster the user ignores) to +1 (the user's favourite cluster), the dot
/// product of the latent vectors has unit variance, and the biases are in stars.
/// </para>
/// <para>Immutable once generation has finished; safe for concurrent reads.</para>
/// </remarks>
internal sealed class SyntheticTruth
{
    /// <summary>Weight of the cluster term of the affinity.</summary>
    internal const double ClusterAffinityWeight = 1.0;

    /// <summary>Weight of the latent term of the affinity.</summary>
    internal const double LatentAffinityWeight = 0.5;

    internal SyntheticTruth(SyntheticItems items, float[] tastes, float[] favouriteTastes, float[] userFactors, float[] userBiases, int[] activity)
    {
        Items = items;
        Tastes = tastes;
        FavouriteTastes = favouriteTastes;
        UserFactors = userFactors;
        UserBiases = userBiases;
        Activity = activity;
    }

    /// <summary>The item side: clusters, popularity, latent vectors, biases.</summary>
    public SyntheticItems Items { get; }

    /// <summary>Number of users.</summary>
    public int UserCount => Activity.Length;

    /// <summary>Number of taste clusters.</summary>
    public int ClusterCount => Items.ClusterCount;

    /// <summary>Taste mixtures, row-major (<c>UserCount x ClusterCount</c>); each row sums to 1.</summary>
    public float[] Tastes { get; }

    /// <summary>The largest entry of each user's mixture.</summary>
    public float[] FavouriteTastes { get; }

    /// <summary>User latent vectors, row-major (<c>UserCount x LatentDimensions</c>).</summary>
    public float[] UserFactors { get; }

    /// <summary>User rating biases, in stars.</summary>
    public float[] UserBiases { get; }

    /// <summary>Number of interactions of each user.</summary>
    public int[] Activity { get; }

    /// <summary>The taste mixture of <paramref name="user"/>.</summary>
    public ReadOnlySpan<float> TasteOf(int user) => Tastes.AsSpan(user * ClusterCount, ClusterCount);

    /// <summary>The affinity <c>a(user, item)</c> (see the remarks of the type).</summary>
    public double Affinity(int user, int item)
    {
        int d = Items.LatentDimensions;
        return Affinity(Items, TasteOf(user), FavouriteTastes[user], UserFactors.AsSpan(user * d, d), UserBiases[user], item);
    }

    /// <summary>The affinity of a user given by its hidden variables for <paramref name="item"/>.</summary>
    internal static double Affinity(SyntheticItems items, ReadOnlySpan<float> taste, float favouriteTaste, ReadOnlySpan<float> userFactors, float userBias, int item)
    {
        double t = taste[items.MainClusters[item]];
        int second = items.SecondClusters[item];
        if (second >= 0)
        {
            t = Math.Max(t, SyntheticItems.SecondClusterWeight * taste[second]);
        }

        double cluster = (2.0 * t / favouriteTaste) - 1.0;
        return (ClusterAffinityWeight * cluster) + (LatentAffinityWeight * Dot(userFactors, items.FactorsOf(item))) + userBias + items.Biases[item];
    }

    /// <summary>A scalar dot product: fixed summation order, so results do not depend on the instruction set.</summary>
    internal static double Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        double sum = 0;
        for (int k = 0; k < x.Length; k++)
        {
            sum += (double)x[k] * y[k];
        }

        return sum;
    }
}
