using RecEngine.Evaluation;

namespace RecEngine.Tests.Evaluation;

public sealed class SplitMix64Tests
{
    [Fact]
    public void NextUInt64_FromStateZero_MatchesTheReferenceSequence()
    {
        // First outputs of the reference C implementation (splitmix64.c by Vigna) started from x = 0.
        var random = new SplitMix64(0);
        Assert.Equal(0xE220A8397B1DCDAFUL, random.NextUInt64());
        Assert.Equal(0x6E789E6AA1B965F4UL, random.NextUInt64());
        Assert.Equal(0x06C45D188009454FUL, random.NextUInt64());
    }

    [Fact]
    public void Next_ManyDraws_StayInRangeAndAreRoughlyUniform()
    {
        // 70000 draws over 7 values: 10000 expected each, sd about 93.
        var random = new SplitMix64(99);
        var counts = new int[7];
        for (int draw = 0; draw < 70_000; draw++)
        {
            counts[random.Next(7)]++;
        }

        Assert.All(counts, c => Assert.InRange(c, 9500, 10500));
        Assert.Equal(0, new SplitMix64(5).Next(1));
    }
}
