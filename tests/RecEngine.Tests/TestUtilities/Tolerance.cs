namespace RecEngine.Tests.TestUtilities;

/// <summary>Float comparisons scaled by the magnitude of the terms summed, as SIMD reorders sums.</summary>
public static class Tolerance
{
    /// <summary>|actual - expected| within <paramref name="relative"/> times <paramref name="magnitude"/> (plus a tiny absolute floor).</summary>
    public static bool Close(float actual, float expected, float magnitude, float relative = 1e-5f) =>
        (float.IsNaN(actual) && float.IsNaN(expected)) || Math.Abs(actual - expected) <= (relative * magnitude) + 1e-6f;
}
