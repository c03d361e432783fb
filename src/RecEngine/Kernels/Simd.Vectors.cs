using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

/// <summary>
/// Dense float kernels over spans. Each public kernel has a plain scalar reference (<c>*Scalar</c>) that is its
/// specification; tests compare the two on many lengths. Reductions may differ from the reference in the last
/// bits because SIMD sums in a different order.
/// </summary>
/// <remarks>
/// Element-wise kernels delegate to <see cref="TensorPrimitives"/>, which already picks Vector512, Vector256 or
/// Vector128 at run time and handles the tail; fused kernels that it does not offer are written here with the
/// same dispatch. No kernel allocates.
/// </remarks>
internal static partial class Simd
{
    /// <summary>x . y.</summary>
    /// <remarks>
    /// Factor-vector lengths (16 to 128) take a 512-bit path with two accumulators and one reduction, which avoids
    /// the dispatch cost that dominates <see cref="TensorPrimitives.Dot(ReadOnlySpan{float}, ReadOnlySpan{float})"/>
    /// at these sizes; other lengths and machines delegate to it.
    /// </remarks>
    public static float Dot(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        if (!Vector512.IsHardwareAccelerated || x.Length < Vector512<float>.Count || x.Length > 128)
        {
            return TensorPrimitives.Dot(x, y);
        }

        CheckSameLength(x.Length, y.Length, nameof(y));
        const int W = 16;
        int n = x.Length;
        int vectorEnd = n - (n % W);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float ys = ref MemoryMarshal.GetReference(y);
        Vector512<float> a = Vector512<float>.Zero, b = a;
        int i = 0;
        for (; i + (2 * W) <= vectorEnd; i += 2 * W)
        {
            a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)i), Vector512.LoadUnsafe(ref ys, (nuint)i), a);
            b = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)(i + W)), Vector512.LoadUnsafe(ref ys, (nuint)(i + W)), b);
        }

        if (i < vectorEnd)
        {
            a = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref xs, (nuint)i), Vector512.LoadUnsafe(ref ys, (nuint)i), a);
        }

        float sum = Vector512.Sum(a + b);
        for (i = vectorEnd; i < n; i++)
        {
            sum += Unsafe.Add(ref xs, i) * Unsafe.Add(ref ys, i);
        }

        return sum;
    }

    /// <summary>Reference for <see cref="Dot"/>.</summary>
    public static float DotScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        CheckSameLength(x.Length, y.Length, nameof(y));
        float sum = 0f;
        for (int i = 0; i < x.Length; i++)
        {
            sum += x[i] * y[i];
        }

        return sum;
    }

    /// <summary>y += a * x (BLAS axpy).</summary>
    public static void Axpy(float a, ReadOnlySpan<float> x, Span<float> y) => TensorPrimitives.MultiplyAdd(x, a, y, y);

    /// <summary>Reference for <see cref="Axpy"/>.</summary>
    public static void AxpyScalar(float a, ReadOnlySpan<float> x, Span<float> y)
    {
        CheckSameLength(x.Length, y.Length, nameof(y));
        for (int i = 0; i < x.Length; i++)
        {
            y[i] += a * x[i];
        }
    }

    /// <summary>destination = a * x.</summary>
    public static void Scale(float a, ReadOnlySpan<float> x, Span<float> destination) => TensorPrimitives.Multiply(x, a, destination);

    /// <summary>Reference for <see cref="Scale"/>.</summary>
    public static void ScaleScalar(float a, ReadOnlySpan<float> x, Span<float> destination)
    {
        CheckDestination(x.Length, destination.Length, nameof(destination));
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = a * x[i];
        }
    }

    /// <summary>destination = x * y + z element-wise (fused multiply-add).</summary>
    public static void MultiplyAdd(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination) =>
        TensorPrimitives.FusedMultiplyAdd(x, y, z, destination);

    /// <summary>Reference for <see cref="MultiplyAdd"/>.</summary>
    public static void MultiplyAddScalar(ReadOnlySpan<float> x, ReadOnlySpan<float> y, ReadOnlySpan<float> z, Span<float> destination)
    {
        CheckSameLength(x.Length, y.Length, nameof(y));
        CheckSameLength(x.Length, z.Length, nameof(z));
        CheckDestination(x.Length, destination.Length, nameof(destination));
        for (int i = 0; i < x.Length; i++)
        {
            destination[i] = MathF.FusedMultiplyAdd(x[i], y[i], z[i]);
        }
    }

    private static void CheckSameLength(int expected, int actual, string name)
    {
        if (expected != actual)
        {
            throw new ArgumentException($"Length {actual} differs from the first operand's length {expected}.", name);
        }
    }

    private static void CheckDestination(int needed, int actual, string paramName)
    {
        if (actual < needed)
        {
            throw new ArgumentException($"The destination has length {actual} but {needed} is needed.", paramName);
        }
    }
}
