using RecEngine.Data;

namespace RecEngine;

/// <summary>
/// How the weights of a training were aged (<see cref="RecommendationEngineOptions.HalfLife"/>): the first
/// <see cref="Rows"/> interactions of the history had their weight multiplied by 2^(−(reference − t) / half-life),
/// with the reference the newest of their timestamps (or the current time, if an event claims a later one); later
/// events count in full until the next training.
/// </summary>
/// <param name="ReferenceMilliseconds">The reference time, Unix milliseconds.</param>
/// <param name="Rows">How many interactions, from the first, were aged.</param>
/// <param name="HalfLifeMilliseconds">The half-life used, so a restore ages as the training did whatever the options say now.</param>
internal readonly record struct TrainingDecay(long ReferenceMilliseconds, int Rows, double HalfLifeMilliseconds)
{
    /// <summary>
    /// <paramref name="data"/> with every weight aged from its newest timestamp, and how; or the data unchanged and
    /// null without a half-life.
    /// </summary>
    public static (InteractionDataset Data, TrainingDecay? Decay) Age(InteractionDataset data, TimeSpan? halfLife, DateTimeOffset now)
    {
        if (halfLife is null || data.Count == 0)
        {
            return (data, null);
        }

        long newest = long.MinValue;
        foreach (long timestamp in data.Timestamps)
        {
            newest = Math.Max(newest, timestamp);
        }

        // An event stamped in the future must not age everything else away.
        var decay = new TrainingDecay(Math.Min(newest, now.ToUnixTimeMilliseconds()), data.Count, halfLife.Value.TotalMilliseconds);
        return (decay.ApplyTo(data), decay);
    }

    /// <summary>
    /// <paramref name="data"/> with the first <see cref="Rows"/> weights aged as this training aged them (the history
    /// a snapshot saved holds the weights as they arrived).
    /// </summary>
    public InteractionDataset ApplyTo(InteractionDataset data)
    {
        float[] weights = data.Weights.ToArray();
        ReadOnlySpan<long> timestamps = data.Timestamps;
        double perMillisecond = 1.0 / HalfLifeMilliseconds;
        for (int row = 0; row < Math.Min(Rows, weights.Length); row++)
        {
            weights[row] = (float)(weights[row] * Math.Pow(2, -Math.Max(0, ReferenceMilliseconds - timestamps[row]) * perMillisecond));
        }

        return data.WithWeights(weights);
    }
}
