using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using RecEngine.Kernels;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Kernels;

public sealed class TopKTests
{
    [Fact]
    public void Select_HandExample_BestFirstTiesByLowerIndex()
    {
        float[] scores = [1f, 5f, 3f, 5f, float.NaN, 4f];
        var indices = new int[3];
        var values = new float[3];
        int count = TopK.Select(scores, indices, values);
        Assert.Equal(3, count);
        Assert.Equal([1, 3, 5], indices);
        Assert.Equal([5f, 5f, 4f], values);
    }

    [Fact]
    public void Select_FewerEligibleThanK_ReturnsAllEligible()
    {
        float[] scores = [float.NaN, 2f, float.NegativeInfinity];
        var indices = new int[5];
        var values = new float[5];
        Assert.Equal(2, TopK.Select(scores, indices, values));
        Assert.Equal([1, 2], indices[..2]);
    }

    [Property(MaxTest = 300)]
    public Property Select_EqualsFullSortPrefix_Meets_Specification()
    {
        Gen<float> score = Gen.Frequency(
            (6, Gen.Choose(-20, 20).Select(v => v / 4f)),
            (1, Gen.Constant(float.NaN)),
            (1, Gen.Elements(float.NegativeInfinity, float.PositiveInfinity)));
        Gen<(float[] Scores, int K, int Modulus)> cases =
            from scores in Gen.ArrayOf(score)
            from k in Gen.Choose(1, 40)
            from modulus in Gen.Choose(1, 4)
            select (scores, k, modulus);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            // Reject every index divisible by the modulus (when it is > 1) to exercise the filter path.
            Func<int, bool> accept = i => c.Modulus == 1 || i % c.Modulus != 0;
            var filter = new PredicateFilter(accept);
            var indices = new int[c.K];
            var values = new float[c.K];
            int count = TopK.Select(c.Scores, indices, values, ref filter);
            var expected = ReferenceKernels.TopK(c.Scores, c.K, accept);
            return count == expected.Length
                && expected.Select(e => e.Index).SequenceEqual(indices[..count])
                && expected.Select(e => e.Score).SequenceEqual(values[..count]);
        });
    }

    [Property(MaxTest = 200)]
    public Property AddInBlocks_ThenComplete_EqualsSelect_Meets_Specification()
    {
        Gen<float> score = Gen.Frequency(
            (6, Gen.Choose(-20, 20).Select(v => v / 4f)),
            (1, Gen.Constant(float.NaN)));
        Gen<(float[] Scores, int K, int Block, int Modulus)> cases =
            from scores in Gen.Choose(0, 400).SelectMany(n => Gen.ArrayOf(score, n))
            from k in Gen.Choose(1, 30)
            from block in Gen.Choose(1, 70)
            from modulus in Gen.Choose(1, 3)
            select (scores, k, block, modulus);
        return Prop.ForAll(cases.ToArbitrary(), c =>
        {
            Func<int, bool> accept = i => c.Modulus == 1 || i % c.Modulus != 0;
            var filter = new PredicateFilter(accept);
            var expectedIndices = new int[c.K];
            var expectedScores = new float[c.K];
            int expectedCount = TopK.Select(c.Scores, expectedIndices, expectedScores, ref filter);

            var indices = new int[c.K];
            var values = new float[c.K];
            int size = 0;
            for (int start = 0; start < c.Scores.Length; start += c.Block)
            {
                TopK.Add(c.Scores.AsSpan(start, Math.Min(c.Block, c.Scores.Length - start)), start, indices, values, ref size, ref filter);
            }

            int count = TopK.Complete(indices, values, size);
            return count == expectedCount
                && indices.AsSpan(0, count).SequenceEqual(expectedIndices.AsSpan(0, count))
                && values.AsSpan(0, count).SequenceEqual(expectedScores.AsSpan(0, count));
        });
    }
}
