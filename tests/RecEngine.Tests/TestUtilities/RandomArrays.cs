namespace RecEngine.Tests.TestUtilities;

/// <summary>Seeded random arrays for tests.</summary>
public static class RandomArrays
{
    /// <summary>Uniform values in [-1, 1).</summary>
    public static float[] Vector(Random random, int length)
    {
        var v = new float[length];
        for (int i = 0; i < length; i++)
        {
            v[i] = (float)((random.NextDouble() * 2) - 1);
        }

        return v;
    }
}
