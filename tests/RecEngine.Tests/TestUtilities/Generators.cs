using FsCheck;
using FsCheck.Fluent;

namespace RecEngine.Tests.TestUtilities;

/// <summary>FsCheck generators for kernel inputs: finite floats of moderate size and lengths around vector widths.</summary>
public static class Generators
{
    /// <summary>Finite floats in [-8, 8] with a quarter-unit grid plus small noise.</summary>
    public static Gen<float> FiniteFloat { get; } =
        from whole in Gen.Choose(-32, 32)
        from noise in Gen.Choose(0, 1000)
        select (whole / 4f) + (noise / 100_000f);

    /// <summary>Lengths 0..140, biased to 0, 1 and the edges of 8/16-float vectors.</summary>
    public static Gen<int> Length { get; } = Gen.Frequency(
        (3, Gen.Choose(0, 140)),
        (2, Gen.Elements(0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129)));

    public static Gen<float[]> Vector(int length) => Gen.ArrayOf(FiniteFloat, length);
}
