namespace RecEngine.Data.Synthetic;

/// <summary>
/// Simulates the history of one user at a time: draws the user's hidden variables, then a sequence of items
/// from a sticky walk over the user's taste clusters, each with a rating or an event kind and a timestamp.
/// </summary>
/// <remarks>
/// <para>
/// The walk: the first cluster is drawn from the user's mixture; each next cluster is, with probability
/// <c>Stickiness</c>, the previous one, and otherwise a fresh draw from the mixture. The mixture is the walk's
/// stationary law, so long-run profiles are unchanged, while the previous item predicts the next one: the
/// sequential signal of session-based recommenders (e.g. Hidasi et al., "Session-based Recommendations with
/// Recurrent Neural Networks", ICLR 2016).
/// </para>
/// <para>
/// Within a cluster, two candidates the user has not taken yet are drawn in proportion to popularity (without
/// replacement, see <see cref="UnseenItemSampler"/>) and the one with the larger latent dot product with the user
/// wins (a two-choice tournament), so choices are personal inside a cluster too, at a fixed cost per draw. A
/// cluster the user has exhausted is replaced by a fresh draw from the mixture and, after a few, by a cluster
/// drawn by its remaining popularity. With implicit events a user also returns, with probability
/// <c>RepeatProbability</c>, to one of its last few items, so (user, item) pairs repeat as in a clickstream.
/// </para>
/// <para>
/// Thread safety: users write disjoint slices of the output arrays, and each user draws from a random stream of
/// its own, so users may be simulated concurrently (one <see cref="Scratch"/> per thread) and the result does
/// not depend on the number of threads or on scheduling.
/// </para>
/// </remarks>
internal sealed class UserHistorySimulator
{
    /// <summary>Random stream of the per-user simulations (the substream is the user index).</summary>
    internal const ulong UserStream = 3;

    /// <summary>Standard deviation of the user rating bias, in stars.</summary>
    private const double UserBiasDeviation = 0.35;

    /// <summary>
    /// Star rating before noise of an item of neutral affinity. With the defaults the mean rating is close to
    /// MovieLens-1M's 3.58, because users mostly pick items they like.
    /// </summary>
    private const double RatingCentre = 3.2;

    /// <summary>
    /// Offsets of the implicit funnel: an event goes one step deeper (view, click, add-to-cart, purchase) with
    /// probability <c>logistic(affinity + offset)</c>, so deeper kinds are rarer and likelier for liked items.
    /// </summary>
    private const double ClickOffset = -1.0;

    private const double AddToCartOffset = -1.5;
    private const double PurchaseOffset = -1.0;

    /// <summary>Fresh draws of the user's mixture tried when the chosen cluster is exhausted, before any cluster will do.</summary>
    private const int ClusterRounds = 4;

    /// <summary>A repeat (implicit events) returns to one of the user's last this many interactions.</summary>
    private const int RecentWindow = 5;

    private readonly SyntheticItems _items;
    private readonly double[] _tastePrior;
    private readonly ulong _seed;
    private readonly bool _ratings;
    private readonly double _stickiness;
    private readonly double _repeatProbability;
    private readonly double _ratingNoise;
    private readonly long _startMilliseconds;
    private readonly double _arrivalWindowMilliseconds;
    private readonly double _meanGapMilliseconds;
    private readonly int[] _offsets;
    private readonly SyntheticHistories _output;
    private readonly float[] _tastes;
    private readonly float[] _favouriteTastes;
    private readonly float[] _userFactors;
    private readonly float[] _userBiases;
    private int _timestampOverflow;

    public UserHistorySimulator(SyntheticDatasetOptions options, ulong seed, SyntheticItems items, int[] activity, SyntheticHistories output)
    {
        _items = items;
        _seed = seed;
        _ratings = options.Feedback == SyntheticFeedback.Ratings;
        _stickiness = options.Stickiness;
        _repeatProbability = _ratings ? 0 : options.RepeatProbability;
        _ratingNoise = options.RatingNoise;
        _startMilliseconds = options.StartTime.ToUnixTimeMilliseconds();
        _arrivalWindowMilliseconds = options.ArrivalWindow.TotalMilliseconds;
        _meanGapMilliseconds = options.MeanGap.TotalMilliseconds;
        _output = output;

        // Dirichlet prior proportional to the cluster shares: popular clusters are liked by more users.
        int clusters = items.ClusterCount;
        _tastePrior = new double[clusters];
        for (int c = 0; c < clusters; c++)
        {
            _tastePrior[c] = options.TasteConcentration * items.ClusterShares[c];
        }

        int users = activity.Length;
        _offsets = new int[users + 1];
        for (int u = 0; u < users; u++)
        {
            _offsets[u + 1] = _offsets[u] + activity[u];
        }

        _tastes = new float[users * clusters];
        _favouriteTastes = new float[users];
        _userFactors = new float[users * items.LatentDimensions];
        _userBiases = new float[users];
        Activity = activity;
    }

    /// <summary>Number of interactions of each user.</summary>
    public int[] Activity { get; }

    /// <summary>Whether some timestamp passed the last millisecond a <see cref="DateTimeOffset"/> can hold.</summary>
    public bool TimestampOverflow => Volatile.Read(ref _timestampOverflow) != 0;

    /// <summary>The hidden variables, once every user has been simulated.</summary>
    public SyntheticTruth Truth() => new(_items, _tastes, _favouriteTastes, _userFactors, _userBiases, Activity);

    /// <summary>Per-thread working memory.</summary>
    public Scratch CreateScratch() => new(_items);

    /// <summary>Simulates <paramref name="user"/> into its slice of the output.</summary>
    public void Simulate(int user, Scratch scratch)
    {
        var random = new Xoshiro256(_seed, UserStream, (ulong)user);
        int clusters = _items.ClusterCount;
        int dimensions = _items.LatentDimensions;
        Span<float> taste = _tastes.AsSpan(user * clusters, clusters);
        float favourite = DrawTaste(ref random, taste, scratch.RunningTaste);
        _favouriteTastes[user] = favourite;
        Span<float> factors = _userFactors.AsSpan(user * dimensions, dimensions);
        SyntheticItems.FillLatent(ref random, factors, dimensions);
        float bias = (float)(UserBiasDeviation * random.NextNormal());
        _userBiases[user] = bias;

        int start = _offsets[user];
        int end = _offsets[user + 1];
        long time = _startMilliseconds + (long)(random.NextDouble() * _arrivalWindowMilliseconds);
        int cluster = -1;
        for (int k = start; k < end; k++)
        {
            int item = -1;
            if (k == start || _repeatProbability == 0 || random.NextDouble() >= _repeatProbability)
            {
                if (cluster < 0 || random.NextDouble() >= _stickiness)
                {
                    cluster = CumulativeWeights.Sample(ref random, scratch.RunningTaste);
                }

                item = DrawUnseen(ref random, ref cluster, factors, scratch);
            }

            if (item < 0)
            {
                // A repeat; also the only choice left once an implicit-events user has taken every item (a ratings
                // user never gets there: it rates at most 60% of the catalogue).
                item = _output.Items[k - 1 - random.NextInt(Math.Min(RecentWindow, k - start))];
                cluster = _items.MainClusters[item];
            }

            double affinity = SyntheticTruth.Affinity(_items, taste, favourite, factors, bias, item);
            _output.Users[k] = user;
            _output.Items[k] = item;
            if (_ratings)
            {
                double stars = Math.Round(RatingCentre + affinity + (_ratingNoise * random.NextNormal()));
                _output.Values[k] = (float)Math.Clamp(stars, 1.0, 5.0);
                _output.KindCodes[k] = 0;
            }
            else
            {
                _output.Values[k] = 1f;
                _output.KindCodes[k] = FunnelDepth(ref random, affinity);
            }

            _output.Timestamps[k] = time;
            if (time <= SyntheticHistories.LastTimestamp)
            {
                // Gaps are at least 1 ms, so a user's timestamps strictly increase.
                time += 1 + (long)(random.NextExponential() * _meanGapMilliseconds);
            }
            else
            {
                Volatile.Write(ref _timestampOverflow, 1);
            }
        }

        scratch.Sampler.Reset();
    }

    /// <summary>Draws a Dirichlet mixture (normalised Gamma deviates, in logs), fills its running sums, returns its largest entry.</summary>
    private float DrawTaste(ref Xoshiro256 random, Span<float> taste, double[] runningSums)
    {
        double largest = double.NegativeInfinity;
        for (int c = 0; c < taste.Length; c++)
        {
            runningSums[c] = random.NextLogGamma(_tastePrior[c]);
            largest = Math.Max(largest, runningSums[c]);
        }

        double sum = 0;
        for (int c = 0; c < taste.Length; c++)
        {
            runningSums[c] = Math.Exp(runningSums[c] - largest);
            sum += runningSums[c];
        }

        float favourite = 0;
        double running = 0;
        for (int c = 0; c < taste.Length; c++)
        {
            taste[c] = (float)(runningSums[c] / sum);
            favourite = Math.Max(favourite, taste[c]);
            running += taste[c];
            runningSums[c] = running;
        }

        return favourite;
    }

    /// <summary>
    /// Takes an item the user has not taken yet: from <paramref name="cluster"/>, or from fresh draws of the
    /// mixture while clusters are exhausted, or from a cluster drawn by remaining popularity. Updates
    /// <paramref name="cluster"/> to the cluster drawn from. Returns -1 when the user has taken every item.
    /// </summary>
    private int DrawUnseen(ref Xoshiro256 random, ref int cluster, ReadOnlySpan<float> factors, Scratch scratch)
    {
        UnseenItemSampler sampler = scratch.Sampler;
        for (int round = 0; round < ClusterRounds && !sampler.HasUnseen(cluster); round++)
        {
            cluster = CumulativeWeights.Sample(ref random, scratch.RunningTaste);
        }

        if (!sampler.HasUnseen(cluster))
        {
            cluster = sampler.SampleCluster(ref random);
            if (cluster < 0)
            {
                return -1;
            }
        }

        int a = sampler.Sample(ref random, cluster);
        int b = sampler.Sample(ref random, cluster);
        int item = a != b && SyntheticTruth.Dot(factors, _items.FactorsOf(b)) > SyntheticTruth.Dot(factors, _items.FactorsOf(a)) ? b : a;
        sampler.Take(item);
        return item;
    }

    private static byte FunnelDepth(ref Xoshiro256 random, double affinity)
    {
        byte depth = 0;
        if (random.NextDouble() < Logistic(affinity + ClickOffset))
        {
            depth = 1;
            if (random.NextDouble() < Logistic(affinity + AddToCartOffset))
            {
                depth = 2;
                if (random.NextDouble() < Logistic(affinity + PurchaseOffset))
                {
                    depth = 3;
                }
            }
        }

        return depth;
    }

    private static double Logistic(double x) => 1.0 / (1.0 + Math.Exp(-x));

    /// <summary>
    /// Working memory of one thread: the sampler of items not taken yet (reset after every user) and the running
    /// sums of the current user's mixture.
    /// </summary>
    internal sealed class Scratch(SyntheticItems items)
    {
        public UnseenItemSampler Sampler { get; } = new(items);

        public double[] RunningTaste { get; } = new double[items.ClusterCount];
    }
}
