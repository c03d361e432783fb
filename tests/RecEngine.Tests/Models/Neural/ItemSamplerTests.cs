using RecEngine.Evaluation;
using RecEngine.Models.Neural;

namespace RecEngine.Tests.Models.Neural;

public sealed class ItemSamplerTests
{
    private const int Draws = 200_000;

    /// <summary>Draws <see cref="Draws"/> negatives for a user who has seen <paramref name="seen"/>; the count of each item.</summary>
    private static int[] Counts(ItemSampler sampler, int items, int[] seen, ulong seed)
    {
        var random = new SplitMix64(seed);
        var counts = new int[items];
        for (int d = 0; d < Draws; d++)
        {
            int item = sampler.Sample(random, seen);
            Assert.InRange(item, 0, items - 1);
            counts[item]++;
        }

        return counts;
    }

    /// <summary>
    /// Each frequency within 4.5 binomial standard errors of its probability, and Pearson's χ² below the 0.1 % critical
    /// value for the allowed items' degrees of freedom (16.27 for 3, 18.47 for 4).
    /// </summary>
    private static void AssertDistribution(int[] counts, double[] expected, double critical)
    {
        double chiSquare = 0;
        for (int i = 0; i < counts.Length; i++)
        {
            double frequency = (double)counts[i] / Draws;
            if (expected[i] == 0)
            {
                Assert.Equal(0, counts[i]);
                continue;
            }

            double error = Math.Sqrt(expected[i] * (1 - expected[i]) / Draws);
            Assert.True(Math.Abs(frequency - expected[i]) <= 4.5 * error, $"item {i}: frequency {frequency:F5}, expected {expected[i]:F5} ± {4.5 * error:F5}");
            double deviation = counts[i] - (expected[i] * Draws);
            chiSquare += deviation * deviation / (expected[i] * Draws);
        }

        Assert.True(chiSquare < critical, $"χ² {chiSquare:F2} ≥ {critical}");
    }

    [Fact]
    public void PopularitySampling_DrawsInProportionToPopularityPlusOneToThe075_AmongTheUnseenItems()
    {
        // Popularities 0, 1, 3, 7, 15 give weights (p + 1)^0.75 = 1, 1.68179, 2.82843, 4.75683, 8 (the + 1 lets items
        // nobody touched be drawn). The user has seen item 2, so the others share 15.43862: 0.06477, 0.10893, 0,
        // 0.30811, 0.51818.
        var sampler = new ItemSampler(5, [0, 1, 3, 7, 15], NegativeSampling.Popularity, 0.75);
        int[] counts = Counts(sampler, 5, [2], seed: 1);
        AssertDistribution(counts, [0.06477262322731847, 0.10893413335686318, 0, 0.30811225759727057, 0.5181809858185478], critical: 16.27);
    }

    [Fact]
    public void UniformSampling_IsUniformOverTheUnseenItems_AndNeverReturnsASeenOne()
    {
        // Eight items, the user has seen 1, 4 and 7: each of the five others has probability 1/5, whatever the popularity.
        var sampler = new ItemSampler(8, [50, 0, 3, 9, 1, 0, 7, 2], NegativeSampling.Uniform, 0.75);
        int[] counts = Counts(sampler, 8, [1, 4, 7], seed: 2);
        AssertDistribution(counts, [0.2, 0, 0.2, 0.2, 0, 0.2, 0.2, 0], critical: 18.47);
    }

    [Fact]
    public void AUserWhoHasSeenEveryItem_GetsNoNegative()
    {
        var random = new SplitMix64(3);
        foreach (NegativeSampling sampling in new[] { NegativeSampling.Uniform, NegativeSampling.Popularity })
        {
            var sampler = new ItemSampler(3, [1, 2, 3], sampling, 0.75);
            Assert.Equal(-1, sampler.Sample(random, [0, 1, 2]));
        }
    }
}
