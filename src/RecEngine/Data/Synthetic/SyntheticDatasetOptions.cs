namespace RecEngine.Data.Synthetic;

/// <summary>
/// Options of <see cref="SyntheticDatasetGenerator"/>: the shape of the dataset and the strength of the hidden
/// signals (taste clusters, popularity and activity power laws, sequential stickiness) it plants.
/// </summary>
/// <remarks>
/// <para>
/// A plain mutable class: set the properties, then call <see cref="SyntheticDatasetGenerator.Generate"/>, which
/// validates them. The parameterless constructor gives the small quickstart shape; <see cref="MovieLens1MShape"/>
/// and <see cref="LargeShape"/> give the evaluation and benchmark shapes.
/// </para>
/// <para>Not thread-safe for writes; do not change an instance while a generation reads it.</para>
/// </remarks>
public sealed class SyntheticDatasetOptions
{
    /// <summary>
    /// The largest share of the catalogue one user may rate in <see cref="SyntheticFeedback.Ratings"/> mode,
    /// close to the heaviest MovieLens-1M user (2,314 of 3,706 movies).
    /// </summary>
    internal const double MaxRatedShare = 0.6;

    /// <summary>Upper bound of <see cref="ClusterCount"/>.</summary>
    internal const int MaxClusterCount = 1000;

    /// <summary>Upper bound of <see cref="LatentDimensions"/>.</summary>
    internal const int MaxLatentDimensions = 64;

    /// <summary>Upper bound of <see cref="ArrivalWindow"/> (100 years), which keeps timestamps far from overflow.</summary>
    internal static readonly TimeSpan MaxArrivalWindow = TimeSpan.FromDays(36_525);

    /// <summary>Upper bound of <see cref="MeanGap"/> (a year), which keeps timestamps far from overflow.</summary>
    internal static readonly TimeSpan MaxMeanGap = TimeSpan.FromDays(365);

    /// <summary>Seed of every random choice: equal options give a bit-identical dataset.</summary>
    /// <value>The default value is 42.</value>
    public int Seed { get; set; } = 42;

    /// <summary>Number of users; every one of them gets interactions. Ids are <c>"u0"</c> to <c>"u{UserCount-1}"</c>, index equals number.</summary>
    /// <value>The default value is 2,000.</value>
    public int UserCount { get; set; } = 2_000;

    /// <summary>
    /// Number of items; every one of them gets attributes, even if no user picks it. Ids are <c>"i0"</c> to
    /// <c>"i{ItemCount-1}"</c>, index equals number.
    /// </summary>
    /// <value>The default value is 1,500.</value>
    public int ItemCount { get; set; } = 1_500;

    /// <summary>
    /// Exact number of interactions. At least <see cref="UserCount"/>; in <see cref="SyntheticFeedback.Ratings"/>
    /// mode at most <see cref="UserCount"/> times 60% of <see cref="ItemCount"/>, because a pair is rated once.
    /// </summary>
    /// <value>The default value is 100,000.</value>
    public int InteractionCount { get; set; } = 100_000;

    /// <summary>Explicit ratings or implicit events.</summary>
    /// <value>The default value is <see cref="SyntheticFeedback.Ratings"/>.</value>
    public SyntheticFeedback Feedback { get; set; } = SyntheticFeedback.Ratings;

    /// <summary>
    /// Number of hidden taste clusters. Each item has one main cluster, which is also its first category, so this
    /// is the number of categories. Between 1 and <see cref="ItemCount"/> (and at most 1,000).
    /// </summary>
    /// <value>The default value is 20.</value>
    public int ClusterCount { get; set; } = 20;

    /// <summary>
    /// Total concentration of the Dirichlet prior of each user's mixture over clusters. Small values give users
    /// a few strong tastes; large values make everyone like everything. With the default, a user's favourite
    /// cluster holds about half of the mixture.
    /// </summary>
    /// <value>The default value is 2.</value>
    public double TasteConcentration { get; set; } = 2.0;

    /// <summary>
    /// Dimension of the small latent vectors that personalise choices and ratings within a cluster
    /// (0 turns them off). At most 64.
    /// </summary>
    /// <value>The default value is 8.</value>
    public int LatentDimensions { get; set; } = 8;

    /// <summary>
    /// Exponent <c>s</c> of the Zipf law of item popularity: the item of popularity rank <c>r</c> (from 1) has
    /// weight <c>r^-s</c> within each of its clusters. 0 makes every item equally popular. With the default, on the
    /// MovieLens-1M shape the top 10% of items hold about 40% of the ratings and the most rated item is rated by
    /// about half of the users, as in MovieLens-1M.
    /// </summary>
    /// <value>The default value is 1.8.</value>
    public double ItemPopularityExponent { get; set; } = 1.8;

    /// <summary>
    /// Tail index <c>a</c> of the power law of user activity above <see cref="MinInteractionsPerUser"/>: a user's
    /// count is the minimum plus a Lomax (Pareto type II) excess, so the share of users with an excess above
    /// <c>x</c> falls like <c>x^-a</c>; smaller values give heavier users. The default reproduces the median and
    /// mean activity of MovieLens-1M.
    /// </summary>
    /// <value>The default value is 3.</value>
    public double UserActivityExponent { get; set; } = 3.0;

    /// <summary>
    /// Minimum number of interactions of every user, as in MovieLens. When the shape cannot afford it
    /// (<see cref="InteractionCount"/> / <see cref="UserCount"/> is smaller), the floor of that ratio is used.
    /// </summary>
    /// <value>The default value is 20.</value>
    public int MinInteractionsPerUser { get; set; } = 20;

    /// <summary>
    /// Probability that a user's next item comes from the cluster of the previous one rather than from a fresh
    /// draw of the user's mixture. This is the sequential, real-time signal: recent items predict the next item
    /// better than the overall profile does. Between 0 and 1.
    /// </summary>
    /// <value>The default value is 0.5.</value>
    public double Stickiness { get; set; } = 0.5;

    /// <summary>
    /// With <see cref="SyntheticFeedback.ImplicitEvents"/>, the probability that an event returns to one of the
    /// user's last five items instead of a new one (so pairs repeat, as a view is followed by a purchase). Ignored
    /// for ratings. Between 0 and 1.
    /// </summary>
    /// <value>The default value is 0.3.</value>
    public double RepeatProbability { get; set; } = 0.3;

    /// <summary>Probability that an item belongs to a second cluster (and so a second category). Between 0 and 1.</summary>
    /// <value>The default value is 0.15.</value>
    public double SecondCategoryProbability { get; set; } = 0.15;

    /// <summary>Standard deviation, in stars, of the noise added to a rating before it is rounded.</summary>
    /// <value>The default value is 0.7.</value>
    public double RatingNoise { get; set; } = 0.7;

    /// <summary>Time at which the first users arrive.</summary>
    /// <value>The default value is 2020-01-01T00:00:00Z.</value>
    public DateTimeOffset StartTime { get; set; } = new(2020, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>
    /// Users arrive (have their first interaction) uniformly at random within this window after
    /// <see cref="StartTime"/>. At most 100 years.
    /// </summary>
    /// <value>The default value is 365 days.</value>
    public TimeSpan ArrivalWindow { get; set; } = TimeSpan.FromDays(365);

    /// <summary>
    /// Mean of the exponential gap between a user's consecutive interactions (each gap is at least 1 ms).
    /// Positive and at most a year.
    /// </summary>
    /// <value>The default value is 2 hours.</value>
    public TimeSpan MeanGap { get; set; } = TimeSpan.FromHours(2);

    /// <summary>
    /// Weights that turn each event into its <see cref="InteractionDataset.Weights"/> entry (kind weight times value);
    /// <see langword="null"/> for the defaults of <see cref="Data.EventWeights"/>.
    /// </summary>
    /// <value>The default value is <see langword="null"/>.</value>
    public EventWeights? EventWeights { get; set; }

    /// <summary>
    /// Most threads used to simulate users; -1 for no limit. The dataset does not depend on it: every user
    /// draws from a random stream of its own.
    /// </summary>
    /// <value>The default value is -1.</value>
    public int MaxDegreeOfParallelism { get; set; } = -1;

    /// <summary>The quickstart shape, the same as the parameterless constructor: 2,000 users, 1,500 items, 100,000 ratings.</summary>
    public static SyntheticDatasetOptions SmallShape() => new();

    /// <summary>The shape of MovieLens-1M: 6,040 users, 3,706 items, 1,000,209 ratings.</summary>
    public static SyntheticDatasetOptions MovieLens1MShape() => new()
    {
        UserCount = 6_040,
        ItemCount = 3_706,
        InteractionCount = 1_000_209,
    };

    /// <summary>A shape for speed benchmarks: 100,000 users, 20,000 items, 10,000,000 ratings.</summary>
    public static SyntheticDatasetOptions LargeShape() => new()
    {
        UserCount = 100_000,
        ItemCount = 20_000,
        InteractionCount = 10_000_000,
    };

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        if (UserCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(UserCount), UserCount, "The user count must be at least 1.");
        }

        if (ItemCount < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(ItemCount), ItemCount, "The item count must be at least 1.");
        }

        if (!Enum.IsDefined(Feedback))
        {
            throw new ArgumentOutOfRangeException(nameof(Feedback), Feedback, "Unknown feedback kind.");
        }

        if (InteractionCount < UserCount)
        {
            throw new ArgumentOutOfRangeException(
                nameof(InteractionCount), InteractionCount, $"The interaction count must be at least the user count ({UserCount}): every user gets an interaction.");
        }

        if (Feedback == SyntheticFeedback.Ratings && InteractionCount > (long)UserCount * MaxInteractionsPerUser())
        {
            throw new ArgumentOutOfRangeException(
                nameof(InteractionCount), InteractionCount,
                $"In ratings mode the interaction count must be at most {(long)UserCount * MaxInteractionsPerUser()}: each of the {UserCount} users rates at most {MaxInteractionsPerUser()} distinct items.");
        }

        if (ClusterCount < 1 || ClusterCount > Math.Min(ItemCount, MaxClusterCount))
        {
            throw new ArgumentOutOfRangeException(
                nameof(ClusterCount), ClusterCount, $"The cluster count must be in [1, {Math.Min(ItemCount, MaxClusterCount)}]: every cluster needs an item.");
        }

        RequirePositiveFinite(TasteConcentration, nameof(TasteConcentration));
        if (LatentDimensions < 0 || LatentDimensions > MaxLatentDimensions)
        {
            throw new ArgumentOutOfRangeException(nameof(LatentDimensions), LatentDimensions, $"The latent dimension must be in [0, {MaxLatentDimensions}].");
        }

        if (!double.IsFinite(ItemPopularityExponent) || ItemPopularityExponent < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(ItemPopularityExponent), ItemPopularityExponent, "The popularity exponent must be a finite number of at least 0.");
        }

        RequirePositiveFinite(UserActivityExponent, nameof(UserActivityExponent));
        if (MinInteractionsPerUser < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinInteractionsPerUser), MinInteractionsPerUser, "The minimum number of interactions per user must be at least 1.");
        }

        RequireProbability(Stickiness, nameof(Stickiness));
        RequireProbability(RepeatProbability, nameof(RepeatProbability));
        RequireProbability(SecondCategoryProbability, nameof(SecondCategoryProbability));
        if (!double.IsFinite(RatingNoise) || RatingNoise < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(RatingNoise), RatingNoise, "The rating noise must be a finite number of at least 0.");
        }

        if (ArrivalWindow < TimeSpan.Zero || ArrivalWindow > MaxArrivalWindow)
        {
            throw new ArgumentOutOfRangeException(nameof(ArrivalWindow), ArrivalWindow, $"The arrival window must be in [0, {MaxArrivalWindow.TotalDays} days].");
        }

        if (MeanGap <= TimeSpan.Zero || MeanGap > MaxMeanGap)
        {
            throw new ArgumentOutOfRangeException(nameof(MeanGap), MeanGap, $"The mean gap must be positive and at most {MaxMeanGap.TotalDays} days.");
        }

        if (MaxDegreeOfParallelism is 0 or < -1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxDegreeOfParallelism), MaxDegreeOfParallelism, "The degree of parallelism must be -1 (no limit) or at least 1.");
        }
    }

    /// <summary>The most interactions one user can get: unbounded for implicit events, 60% of the catalogue for ratings.</summary>
    internal int MaxInteractionsPerUser() =>
        Feedback == SyntheticFeedback.Ratings ? Math.Max(1, (int)(ItemCount * MaxRatedShare)) : InteractionCount;

    /// <summary>The event kinds the generator emits in the chosen mode.</summary>
    internal EventKind[] EmittedKinds() => Feedback == SyntheticFeedback.Ratings
        ? [EventKind.Rating]
        : [EventKind.View, EventKind.Click, EventKind.AddToCart, EventKind.Purchase];

    private static void RequirePositiveFinite(double value, string name)
    {
        if (!double.IsFinite(value) || value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a positive finite number.");
        }
    }

    private static void RequireProbability(double value, string name)
    {
        if (!(value >= 0 && value <= 1))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be a probability in [0, 1].");
        }
    }
}
