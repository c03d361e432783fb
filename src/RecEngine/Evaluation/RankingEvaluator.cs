using System.Diagnostics;
using RecEngine.Data;

namespace RecEngine.Evaluation;

/// <summary>
/// Evaluates the top-k recommendations of any <see cref="IRecommender"/> (RecEngine's or your own) on a
/// <see cref="DatasetSplit"/>, through the public contract only. Fit the recommender on <see cref="DatasetSplit.Train"/> first.
/// </summary>
/// <remarks>
/// <para>
/// <b>Full protocol</b> (<see cref="EvaluationProtocol.Full"/>, the default): for each test user (each user with at
/// least one test interaction) the evaluator calls <c>Recommend(userId, k)</c> with seen items excluded, so the
/// candidates are all catalog items except the user's training items. The relevant set is the user's distinct test
/// items (a test item the user also has in training counts, but cannot be recommended). It reports, as means over
/// test users of the per-list values defined in <see cref="RankingMetrics"/>: HR@k, NDCG@k, Precision@k,
/// Recall@k, MAP@k and MRR@k; and Coverage@k, the distinct recommended items over all lists divided by the
/// training catalog size (<c>Train.ItemCount</c>). Test users the model does not know are evaluated with its
/// fallback. Only the first k items of a returned list count; a repeated item or an id outside the id map is a
/// miss, and only catalog items count towards coverage.
/// </para>
/// <para>
/// <b>Sampled protocol</b> (<see cref="EvaluationProtocol.Sampled"/>): for each test interaction (u, i), N negatives
/// (<see cref="RankingEvaluationOptions.NegativeSampleCount"/>) are drawn uniformly without replacement from the
/// catalog items u never interacted with in training or test — all of them when fewer than N exist. The held-out
/// item and the negatives are scored with <see cref="IRecommender.Score"/>; the item's 0-based rank is the number of
/// negatives scored strictly higher, so ties with negatives do not count against it. HR@k = 1 when rank &lt; k and
/// NDCG@k = 1 / log2(rank + 2) when rank &lt; k (0 otherwise) are averaged over test interactions, as in Koren 2008
/// and Cremonesi et al. 2010; with leave-last-out there is one test interaction per user, which is He et al. 2017's
/// setting. Negatives come from a generator seeded by <see cref="RankingEvaluationOptions.Seed"/> and the user, so
/// they do not depend on thread scheduling.
/// </para>
/// <para>
/// Users are evaluated in parallel (<see cref="RankingEvaluationOptions.MaxDegreeOfParallelism"/>); per-user
/// values go into an array and are summed in user order, so results are identical for any thread count. With no
/// test users the means are <see cref="double.NaN"/>. <see cref="EvaluationResult.UserCount"/> is the number of
/// test users and <see cref="EvaluationResult.InteractionCount"/> the number of test interactions. An exception
/// thrown by the recommender propagates as it is (several from concurrent users as an <see cref="AggregateException"/>).
/// </para>
/// </remarks>
public static class RankingEvaluator
{
    private const int FullMetricCount = 6;
    private static readonly RecommendOptions s_excludeSeen = new() { ExcludeSeen = true };

    /// <summary>Evaluates <paramref name="recommender"/>, already fitted on <c>split.Train</c>, on <c>split.Test</c>.</summary>
    /// <param name="recommender">The fitted recommender. With parallelism above 1 it must be safe for concurrent calls.</param>
    /// <param name="split">The split the recommender was fitted on.</param>
    /// <param name="options">Options; <see langword="null"/> for the defaults (k = 10, full protocol).</param>
    /// <param name="cancellationToken">Cancels the evaluation.</param>
    /// <returns>The metrics by canonical name (see <see cref="MetricNames"/>): HR, NDCG, Precision, Recall, MAP, MRR and Coverage at k for the full protocol; HR and NDCG at k for the sampled one.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="recommender"/> or <paramref name="split"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The options are invalid.</exception>
    /// <exception cref="InvalidOperationException">The recommender is not fitted.</exception>
    /// <exception cref="OperationCanceledException">The evaluation was cancelled.</exception>
    public static EvaluationResult Evaluate(IRecommender recommender, DatasetSplit split, RankingEvaluationOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        ArgumentNullException.ThrowIfNull(split);
        options ??= new RankingEvaluationOptions();
        options.Validate();
        if (!recommender.IsFitted)
        {
            throw new InvalidOperationException($"The '{recommender.Name}' recommender must be fitted on the training set before it is evaluated.");
        }

        long start = Stopwatch.GetTimestamp();
        var testRows = RowsByUser.Build(split.Test);
        int[] users = UsersWithRows(testRows);
        int interactionCount = split.Test.Count;
        IEnumerable<KeyValuePair<string, double>> metrics = options.Protocol == EvaluationProtocol.Full
            ? EvaluateFull(recommender, split, users, options, cancellationToken)
            : EvaluateSampled(recommender, split, testRows, users, options, cancellationToken);
        return new EvaluationResult(metrics, users.Length, interactionCount, Stopwatch.GetElapsedTime(start));
    }

    private static KeyValuePair<string, double>[] EvaluateFull(IRecommender recommender, DatasetSplit split, int[] users, RankingEvaluationOptions options, CancellationToken cancellationToken)
    {
        int k = options.K;
        var relevantItems = InteractionMatrix.Build(split.Test, MatrixValues.One, DuplicatePolicy.Sum);
        IdMap userIds = split.Test.Users;
        IdMap itemIds = split.Test.Items;
        var perUser = new double[users.Length * FullMetricCount];
        var recommended = new int[users.Length * k];
        recommended.AsSpan().Fill(-1);

        ParallelLoop.For(users.Length, options.MaxDegreeOfParallelism, slot =>
        {
            int user = users[slot];
            ReadOnlySpan<int> relevant = relevantItems.RowColumns(user);
            IReadOnlyList<ScoredItem> list = recommender.Recommend(userIds.GetId(user), k, s_excludeSeen);
            int length = Math.Min(list.Count, k);
            Span<int> listItems = recommended.AsSpan(slot * k, k);
            var relevance = new bool[k];
            for (int rank = 0; rank < length; rank++)
            {
                int item = itemIds.TryGetIndex(list[rank].ItemId, out int index) ? index : -1;

                // A repeated item counts once, so hits never exceed the relevant count.
                relevance[rank] = item >= 0 && relevant.BinarySearch(item) >= 0 && !listItems[..rank].Contains(item);
                listItems[rank] = item;
            }

            Span<double> values = perUser.AsSpan(slot * FullMetricCount, FullMetricCount);
            values[0] = RankingMetrics.HitRate(relevance, k);
            values[1] = RankingMetrics.Ndcg(relevance, relevant.Length, k);
            values[2] = RankingMetrics.Precision(relevance, k);
            values[3] = RankingMetrics.Recall(relevance, relevant.Length, k);
            values[4] = RankingMetrics.AveragePrecision(relevance, relevant.Length, k);
            values[5] = RankingMetrics.ReciprocalRank(relevance, k);
        }, cancellationToken);

        Span<double> means = stackalloc double[FullMetricCount];
        MeanOfRows(perUser, FullMetricCount, means);
        var inLists = new bool[split.Train.ItemCount];
        foreach (int item in recommended)
        {
            if ((uint)item < (uint)inLists.Length)
            {
                inLists[item] = true;
            }
        }

        return
        [
            new(MetricNames.HitRate(k), means[0]),
            new(MetricNames.Ndcg(k), means[1]),
            new(MetricNames.Precision(k), means[2]),
            new(MetricNames.Recall(k), means[3]),
            new(MetricNames.MeanAveragePrecision(k), means[4]),
            new(MetricNames.MeanReciprocalRank(k), means[5]),
            new(MetricNames.Coverage(k), RankingMetrics.CatalogCoverage(inLists)),
        ];
    }

    private static KeyValuePair<string, double>[] EvaluateSampled(IRecommender recommender, DatasetSplit split, RowsByUser testRows, int[] users, RankingEvaluationOptions options, CancellationToken cancellationToken)
    {
        int k = options.K;
        int catalogSize = split.Train.ItemCount;
        var trainItems = InteractionMatrix.Build(split.Train, MatrixValues.One, DuplicatePolicy.Sum);
        var testItems = InteractionMatrix.Build(split.Test, MatrixValues.One, DuplicatePolicy.Sum);
        IdMap userIds = split.Test.Users;
        IdMap itemIds = split.Test.Items;

        // Per-interaction results are stored by (user, row) order: slot offsets into that order.
        var firstInteraction = new int[users.Length + 1];
        for (int slot = 0; slot < users.Length; slot++)
        {
            firstInteraction[slot + 1] = firstInteraction[slot] + testRows.Rows(users[slot]).Length;
        }

        var hitRate = new double[firstInteraction[^1]];
        var ndcg = new double[firstInteraction[^1]];
        int[] heldOut = split.Test.ItemIndices.ToArray();

        ParallelLoop.For(users.Length, options.MaxDegreeOfParallelism, slot =>
        {
            int user = users[slot];
            string userId = userIds.GetId(user);
            ReadOnlySpan<int> train = user < trainItems.Rows ? trainItems.RowColumns(user) : [];
            int[] excluded = UnionBelow(train, testItems.RowColumns(user), catalogSize);
            var sampler = new NegativeSampler(catalogSize, excluded, options.NegativeSampleCount, NegativeSampler.UserSeed(options.Seed, user));
            var candidates = new string[1 + sampler.SampleSize];
            var scores = new float[candidates.Length];
            var negatives = new int[sampler.SampleSize];
            ReadOnlySpan<int> rows = testRows.Rows(user);
            for (int r = 0; r < rows.Length; r++)
            {
                sampler.Sample(negatives);
                candidates[0] = itemIds.GetId(heldOut[rows[r]]);
                for (int j = 0; j < negatives.Length; j++)
                {
                    candidates[1 + j] = itemIds.GetId(negatives[j]);
                }

                recommender.Score(userId, candidates, scores);
                int rank = 0;
                for (int j = 1; j < scores.Length; j++)
                {
                    rank += scores[j] > scores[0] ? 1 : 0;
                }

                hitRate[firstInteraction[slot] + r] = RankingMetrics.HitRateAtRank(rank, k);
                ndcg[firstInteraction[slot] + r] = RankingMetrics.NdcgAtRank(rank, k);
            }
        }, cancellationToken);

        return
        [
            new(MetricNames.HitRate(k), Mean(hitRate)),
            new(MetricNames.Ndcg(k), Mean(ndcg)),
        ];
    }

    /// <summary>Users with at least one row, ascending.</summary>
    private static int[] UsersWithRows(RowsByUser rows)
    {
        var users = new List<int>();
        for (int user = 0; user < rows.UserCount; user++)
        {
            if (!rows.Rows(user).IsEmpty)
            {
                users.Add(user);
            }
        }

        return [.. users];
    }

    /// <summary>The sorted union of two ascending index lists, keeping indices below <paramref name="limit"/>.</summary>
    private static int[] UnionBelow(ReadOnlySpan<int> a, ReadOnlySpan<int> b, int limit)
    {
        var union = new List<int>(a.Length + b.Length);
        int i = 0;
        int j = 0;
        while (i < a.Length || j < b.Length)
        {
            int next = j == b.Length || (i < a.Length && a[i] <= b[j]) ? a[i] : b[j];
            while (i < a.Length && a[i] == next)
            {
                i++;
            }

            while (j < b.Length && b[j] == next)
            {
                j++;
            }

            if (next < limit)
            {
                union.Add(next);
            }
        }

        return [.. union];
    }

    /// <summary>Column means of a row-major table, summed in row order (so the result does not depend on threads).</summary>
    private static void MeanOfRows(ReadOnlySpan<double> table, int columns, Span<double> means)
    {
        int rows = table.Length / columns;
        means.Clear();
        for (int row = 0; row < rows; row++)
        {
            for (int c = 0; c < columns; c++)
            {
                means[c] += table[(row * columns) + c];
            }
        }

        for (int c = 0; c < columns; c++)
        {
            means[c] = rows == 0 ? double.NaN : means[c] / rows;
        }
    }

    private static double Mean(ReadOnlySpan<double> values)
    {
        double sum = 0.0;
        foreach (double value in values)
        {
            sum += value;
        }

        return values.IsEmpty ? double.NaN : sum / values.Length;
    }
}
