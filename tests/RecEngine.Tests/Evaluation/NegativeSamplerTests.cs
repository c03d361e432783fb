using FsCheck;
using FsCheck.Xunit;
using RecEngine.Evaluation;

namespace RecEngine.Tests.Evaluation;

public sealed class NegativeSamplerTests
{
    [Property]
    public bool Sample_DrawsDistinctEligibleItems(PositiveInt catalog, int[] excludedCodes, PositiveInt count, int seed)
    {
        int catalogSize = catalog.Get % 60 + 1;
        int[] excluded = excludedCodes.Select(c => (c & int.MaxValue) % catalogSize).Distinct().Order().ToArray();
        var sampler = new NegativeSampler(catalogSize, excluded, count.Get % 20 + 1, unchecked((ulong)seed));
        var negatives = new int[sampler.SampleSize];
        sampler.Sample(negatives);
        return sampler.SampleSize == Math.Min(count.Get % 20 + 1, catalogSize - excluded.Length)
            && negatives.Distinct().Count() == negatives.Length
            && negatives.All(item => item >= 0 && item < catalogSize && Array.BinarySearch(excluded, item) < 0);
    }

    [Fact]
    public void Sample_ManyDraws_AreUniformOverEligibleItems()
    {
        // 8 eligible items, 3 per draw, 8000 draws: each item is expected 8000 * 3/8 = 3000 times (sd about 43).
        var sampler = new NegativeSampler(10, [2, 5], 3, seed: 17);
        var counts = new int[10];
        var negatives = new int[3];
        for (int draw = 0; draw < 8000; draw++)
        {
            sampler.Sample(negatives);
            foreach (int item in negatives)
            {
                counts[item]++;
            }
        }

        Assert.Equal(0, counts[2]);
        Assert.Equal(0, counts[5]);
        Assert.All(counts.Where((_, item) => item is not 2 and not 5), c => Assert.InRange(c, 2800, 3200));
    }
}
