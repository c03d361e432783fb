namespace RecEngine.Tests.TestUtilities;

/// <summary>Plain, obviously-correct versions of the kernels, used as the specification in tests.</summary>
public static class ReferenceKernels
{
    /// <summary>Top-k by full sort: eligible (non-NaN, accepted) candidates by descending score, ties by ascending index.</summary>
    public static (int Index, float Score)[] TopK(float[] scores, int k, Func<int, bool>? accept = null) =>
        scores.Select((score, index) => (Index: index, Score: score))
            .Where(c => !float.IsNaN(c.Score) && (accept is null || accept(c.Index)))
            .OrderByDescending(c => c.Score)
            .ThenBy(c => c.Index)
            .Take(k)
            .ToArray();
}
