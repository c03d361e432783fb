namespace RecEngine.Models.Neural;

/// <summary>
/// Draws negative items for a user: uniformly, or in proportion to (popularity + 1)^exponent, rejecting the user's
/// own items (up to 64 tries; for a user who has seen nearly every item the draw may find none, and returns −1).
/// </summary>
internal sealed class ItemSampler
{
    private const int Tries = 64;
    private readonly int _items;
    private readonly double[]? _cumulative;

    public ItemSampler(int items, ReadOnlySpan<int> popularity, NegativeSampling sampling, double exponent)
    {
        _items = items;
        if (sampling == NegativeSampling.Popularity)
        {
            _cumulative = new double[items];
            double total = 0;
            for (int i = 0; i < items; i++)
            {
                total += Math.Pow(popularity[i] + 1.0, exponent);
                _cumulative[i] = total;
            }
        }
    }

    /// <summary>An item not in <paramref name="seen"/> (ascending), drawn with <paramref name="random"/>, or −1 when 64 draws found none.</summary>
    public int Sample(Evaluation.SplitMix64 random, ReadOnlySpan<int> seen)
    {
        for (int attempt = 0; attempt < Tries; attempt++)
        {
            int item = Draw(random);
            if (seen.BinarySearch(item) < 0)
            {
                return item;
            }
        }

        return -1;
    }

    private int Draw(Evaluation.SplitMix64 random)
    {
        if (_cumulative is null)
        {
            return random.Next(_items);
        }

        double target = random.NextDouble() * _cumulative[^1];
        int at = Array.BinarySearch(_cumulative, target);
        return Math.Min(at >= 0 ? at + 1 : ~at, _items - 1);
    }
}
