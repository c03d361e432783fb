using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Evaluation;

/// <summary>A model under prequential evaluation: what serves, and what (if anything) receives each event after it is scored.</summary>
/// <param name="Name">The name in the results.</param>
/// <param name="Recommender">Asked for the user's top-k before each event.</param>
/// <param name="Updates">Receives each event after it is scored (a one-event micro-batch); <see langword="null"/> for a static model.</param>
internal sealed record PrequentialModel(string Name, IRecommender Recommender, IEventApplier? Updates);

/// <summary>The result of one model over the stream.</summary>
/// <param name="Name">The model's name.</param>
/// <param name="HitRate">HR@k over all events: the share of events whose item was in the top-k asked for just before.</param>
/// <param name="Ndcg">NDCG@k over all events, one relevant item each: 1 / log2(rank + 2) when it is in the top-k.</param>
/// <param name="Curve">HR@k of consecutive windows of events, in stream order (the window's last event, its HR@k).</param>
internal sealed record PrequentialModelResult(string Name, double HitRate, double Ndcg, IReadOnlyList<(long Events, double HitRate)> Curve);

/// <summary>
/// Prequential (test-then-train) evaluation of real-time models: a time-ordered stream is replayed event by event;
/// for each event every model is first asked for the user's top-k (seen items excluded, as in serving), the hit
/// against the event's item is scored, and then the event is given to the models that learn in real time.
/// </summary>
/// <remarks>
/// Events are taken in timestamp order, ties by their order in the dataset. Each event is one trial (no
/// deduplication). Models are asked in the order given, all before any of them learns the event. O(events · (cost of
/// one top-k + cost of one update)) per model.
/// </remarks>
internal static class PrequentialEvaluator
{
    /// <summary>Replays <paramref name="stream"/> through every model.</summary>
    /// <param name="stream">The events to replay (for example the test set of a temporal split).</param>
    /// <param name="models">The models; at least one.</param>
    /// <param name="k">The list length; at least 1.</param>
    /// <param name="windows">How many points the curve has (windows of equal event counts); at least 1.</param>
    /// <param name="cancellationToken">Cancels the replay.</param>
    public static IReadOnlyList<PrequentialModelResult> Run(
        InteractionDataset stream, IReadOnlyList<PrequentialModel> models, int k = 10, int windows = 50, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(models);
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(windows, 1);
        if (models.Count == 0)
        {
            throw new ArgumentException("At least one model is needed.", nameof(models));
        }

        int[] order = TimeOrder(stream);
        int window = Math.Max(1, (order.Length + windows - 1) / windows);
        var hits = new double[models.Count];
        var gains = new double[models.Count];
        var windowHits = new double[models.Count];
        var curves = models.Select(_ => new List<(long, double)>()).ToArray();
        var list = new ScoredItem[k];
        for (int n = 0; n < order.Length; n++)
        {
            if ((n & 1023) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            int row = order[n];
            Interaction interaction = stream[row];
            string user = interaction.UserId;
            string item = interaction.ItemId;
            for (int m = 0; m < models.Count; m++)
            {
                int count = models[m].Recommender.Recommend(user, list);
                int rank = int.MaxValue;
                for (int i = 0; i < count; i++)
                {
                    if (list[i].ItemId == item)
                    {
                        rank = i;
                        break;
                    }
                }

                double hit = RankingMetrics.HitRateAtRank(rank, k);
                hits[m] += hit;
                windowHits[m] += hit;
                gains[m] += RankingMetrics.NdcgAtRank(rank, k);
            }

            WeightedEvent e = new(interaction, stream.Weights[row], n + 1);
            foreach (PrequentialModel model in models)
            {
                model.Updates?.Apply([e]);
            }

            if ((n + 1) % window == 0 || n + 1 == order.Length)
            {
                int size = (n % window) + 1;
                for (int m = 0; m < models.Count; m++)
                {
                    curves[m].Add((n + 1, windowHits[m] / size));
                    windowHits[m] = 0;
                }
            }
        }

        double events = Math.Max(1, order.Length);
        return [.. models.Select((model, m) => new PrequentialModelResult(model.Name, hits[m] / events, gains[m] / events, curves[m]))];
    }

    /// <summary>Row indices by timestamp, ties by row.</summary>
    private static int[] TimeOrder(InteractionDataset stream)
    {
        int[] order = [.. Enumerable.Range(0, stream.Count)];
        long[] keys = stream.Timestamps.ToArray();
        Array.Sort(keys, order);

        // Array.Sort is not stable: restore row order within equal timestamps.
        int start = 0;
        while (start < order.Length)
        {
            int end = start + 1;
            while (end < order.Length && keys[end] == keys[start])
            {
                end++;
            }

            Array.Sort(order, start, end - start);
            start = end;
        }

        return order;
    }
}
