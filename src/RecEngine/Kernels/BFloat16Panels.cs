using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

/// <summary>
/// A bfloat16 copy of a row-major float matrix that gives, for one vector x, a guaranteed interval around every
/// row's exact single-precision dot product at about half the cost of computing it: the screening pass of an
/// exact top-k (score everything cheaply, re-score exactly only the rows whose interval reaches the k-th best
/// lower bound).
/// </summary>
/// <remarks>
/// <para>
/// Layout: rows are grouped into panels of 16; a panel stores, for each pair of columns (2c, 2c + 1), one 32-bit
/// word per row whose low half is column 2c and high half column 2c + 1 (bfloat16 is the high half of a float, so
/// a shift or a mask turns a word back into two floats). One 512-bit load then feeds two FMAs over 16 rows with a
/// broadcast of x; no horizontal sums are needed. The copy takes half the memory of the matrix.
/// </para>
/// <para>
/// Bound: with ŷ the rounded row, |fl(x·y) − fl(x·ŷ)| ≤ ‖x‖‖y − ŷ‖ + γ_k ‖x‖(2‖y‖ + ‖y − ŷ‖) (Cauchy–Schwarz and
/// the standard dot-product error bound γ_k = k u / (1 − k u), u = 2⁻²⁴, valid for any summation order). Each
/// row keeps a radius r that covers this plus the rounding of the bound arithmetic itself, so
/// <c>lower = approx − ‖x‖ r ≤ exact ≤ approx + ‖x‖ r</c> holds for the value any single-precision dot kernel
/// returns, for finite values outside the subnormal range.
/// </para>
/// </remarks>
internal sealed class BFloat16Panels
{
    /// <summary>Rows per panel: one 512-bit vector of single-precision results.</summary>
    public const int PanelRows = 16;

    private const int PanelsPerPass = 4;

    private readonly uint[] _words;
    private readonly float[] _radius;
    private readonly int _pairs;

    private BFloat16Panels(uint[] words, float[] radius, int columns)
    {
        _words = words;
        _radius = radius;
        Columns = columns;
        _pairs = (columns + 1) / 2;
    }

    /// <summary>Number of rows.</summary>
    public int Rows => _radius.Length;

    /// <summary>Number of columns (the length of x).</summary>
    public int Columns { get; }

    /// <summary>The radius of <paramref name="row"/>: its interval half-width per unit of ‖x‖.</summary>
    public float Radius(int row) => _radius[row];

    /// <summary>
    /// Rounds a <paramref name="rows"/> x <paramref name="columns"/> matrix to bfloat16 panels. Returns
    /// <see langword="null"/> when a value is not finite, since then no finite bound exists.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix length is not rows x columns.</exception>
    public static BFloat16Panels? TryCreate(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(columns, 1);
        if ((long)rows * columns != matrix.Length)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, not {matrix.Length}.", nameof(matrix));
        }

        int pairs = (columns + 1) / 2;
        int panels = (rows + PanelRows - 1) / PanelRows;
        var words = new uint[(long)panels * pairs * PanelRows];
        var radius = new float[rows];
        double gamma = columns * Unit / (1 - (columns * Unit));
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = matrix.Slice(r * columns, columns);
            double norm = 0, error = 0;
            int panelStart = (r / PanelRows) * pairs * PanelRows;
            int lane = r % PanelRows;
            for (int c = 0; c < columns; c++)
            {
                float value = row[c];
                if (!float.IsFinite(value))
                {
                    return null;
                }

                ushort rounded = Round(value);
                double difference = (double)value - Widen(rounded);
                norm += (double)value * value;
                error += difference * difference;
                words[panelStart + ((c / 2) * PanelRows) + lane] |= (uint)rounded << (16 * (c & 1));
            }

            norm = Math.Sqrt(norm);
            error = Math.Sqrt(error);

            // Quantisation, both dot products' rounding, and the rounding of approx ± ‖x‖r (each at most 2⁻²⁴ of
            // |approx| + ‖x‖r, both below ‖x‖(‖y‖ + ‖y − ŷ‖)), with 2⁻¹⁰ relative slack for the float products.
            double bound = error + ((gamma + Math.ScaleB(1, -21)) * 2 * (norm + error));
            float radiusValue = MathF.BitIncrement((float)(bound * (1 + Math.ScaleB(1, -10))));
            if (!float.IsFinite(radiusValue))
            {
                return null;
            }

            radius[r] = radiusValue;
        }

        return new BFloat16Panels(words, radius, columns);
    }

    /// <summary>
    /// The scale of the bounds for <paramref name="x"/>: ‖x‖ rounded up, or NaN when x is not finite (no bound).
    /// </summary>
    public static float Scale(ReadOnlySpan<float> x)
    {
        double sum = 0;
        foreach (float value in x)
        {
            sum += (double)value * value;
        }

        float scale = MathF.BitIncrement((float)(Math.Sqrt(sum) * (1 + Math.ScaleB(1, -20))));
        return float.IsFinite(scale) ? scale : float.NaN;
    }

    /// <summary>
    /// Writes lower and upper bounds of x · row for rows <c>[start, start + lower.Length)</c>; <paramref name="scale"/>
    /// is <see cref="Scale"/> of x. Uses 512-bit vectors when the hardware accelerates them.
    /// </summary>
    /// <exception cref="ArgumentException">Shapes disagree, or <paramref name="start"/> is not a multiple of <see cref="PanelRows"/>.</exception>
    public void Bounds(ReadOnlySpan<float> x, float scale, int start, Span<float> lower, Span<float> upper)
    {
        CheckBlock(x, start, lower, upper);
        if (Vector512.IsHardwareAccelerated)
        {
            Bounds512(x, scale, start, lower, upper);
        }
        else
        {
            ApproximateScalar(x, start, lower);
            Widen(scale, start, lower, upper);
        }
    }

    /// <summary>Reference for <see cref="Bounds"/>: the same bounds computed one row at a time.</summary>
    public void BoundsScalar(ReadOnlySpan<float> x, float scale, int start, Span<float> lower, Span<float> upper)
    {
        CheckBlock(x, start, lower, upper);
        ApproximateScalar(x, start, lower);
        Widen(scale, start, lower, upper);
    }

    private const double Unit = 1.0 / (1 << 24);

    private void CheckBlock(ReadOnlySpan<float> x, int start, Span<float> lower, Span<float> upper)
    {
        if (x.Length != Columns)
        {
            throw new ArgumentException($"The vector has length {x.Length} but the matrix has {Columns} columns.", nameof(x));
        }

        if (start < 0 || start % PanelRows != 0 || start + lower.Length > Rows)
        {
            throw new ArgumentException($"Rows [{start}, {start + lower.Length}) must start at a multiple of {PanelRows} inside the {Rows} rows.", nameof(start));
        }

        if (upper.Length != lower.Length)
        {
            throw new ArgumentException($"The upper bounds have length {upper.Length}, the lower bounds {lower.Length}.", nameof(upper));
        }
    }

    /// <summary>upper = approx + scale·r, then lower = approx − scale·r in place, with approx read from <paramref name="lower"/>.</summary>
    private void Widen(float scale, int start, Span<float> lower, Span<float> upper)
    {
        ReadOnlySpan<float> radius = _radius.AsSpan(start, lower.Length);
        TensorPrimitives.MultiplyAdd(radius, scale, lower, upper);
        TensorPrimitives.MultiplyAdd(radius, -scale, lower, lower);
    }

    private void ApproximateScalar(ReadOnlySpan<float> x, int start, Span<float> destination)
    {
        for (int j = 0; j < destination.Length; j++)
        {
            int row = start + j;
            int panelStart = (row / PanelRows) * _pairs * PanelRows;
            int lane = row % PanelRows;
            float sum = 0f;
            for (int c = 0; c < Columns; c++)
            {
                uint word = _words[panelStart + ((c / 2) * PanelRows) + lane];
                sum += Widen((ushort)(word >> (16 * (c & 1)))) * x[c];
            }

            destination[j] = sum;
        }
    }

    private void Bounds512(ReadOnlySpan<float> x, float scale, int start, Span<float> lower, Span<float> upper)
    {
        int panelWords = _pairs * PanelRows;
        ref uint words = ref MemoryMarshal.GetArrayDataReference(_words);
        ref float radius = ref MemoryMarshal.GetArrayDataReference(_radius);
        ref float xs = ref MemoryMarshal.GetReference(x);
        ref float lo = ref MemoryMarshal.GetReference(lower);
        ref float hi = ref MemoryMarshal.GetReference(upper);
        var spread = Vector512.Create(scale);
        int n = lower.Length;
        int j = 0;

        // Four panels per pass: eight independent FMA chains (low and high halves) hide the FMA latency.
        for (; j + (PanelsPerPass * PanelRows) <= n; j += PanelsPerPass * PanelRows)
        {
            nuint p = (nuint)((start + j) / PanelRows * panelWords);
            (Vector512<float> s0, Vector512<float> s1, Vector512<float> s2, Vector512<float> s3) = Pass4(ref words, p, (nuint)panelWords, ref xs, x.Length);
            nuint r = (nuint)(start + j);
            Store(s0, spread, ref radius, r, ref lo, ref hi, (nuint)j);
            Store(s1, spread, ref radius, r + PanelRows, ref lo, ref hi, (nuint)j + PanelRows);
            Store(s2, spread, ref radius, r + (2 * PanelRows), ref lo, ref hi, (nuint)j + (2 * PanelRows));
            Store(s3, spread, ref radius, r + (3 * PanelRows), ref lo, ref hi, (nuint)j + (3 * PanelRows));
        }

        for (; j < n; j += PanelRows)
        {
            nuint p = (nuint)((start + j) / PanelRows * panelWords);
            Vector512<float> sum = Pass1(ref words, p, ref xs, x.Length);
            if (j + PanelRows <= n)
            {
                Store(sum, spread, ref radius, (nuint)(start + j), ref lo, ref hi, (nuint)j);
            }
            else
            {
                // The last, partial panel: its padding rows have no radius, so finish it one row at a time.
                for (int t = 0; j + t < n; t++)
                {
                    float half = scale * _radius[start + j + t];
                    lower[j + t] = sum.GetElement(t) - half;
                    upper[j + t] = sum.GetElement(t) + half;
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(Vector512<float> approx, Vector512<float> scale, ref float radius, nuint row, ref float lower, ref float upper, nuint at)
    {
        Vector512<float> half = Vector512.LoadUnsafe(ref radius, row) * scale;
        (approx - half).StoreUnsafe(ref lower, at);
        (approx + half).StoreUnsafe(ref upper, at);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector512<float> Low, Vector512<float> High) Split(Vector512<uint> word) =>
        ((word << 16).AsSingle(), (word & Vector512.Create(0xFFFF0000u)).AsSingle());

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float High(ref float xs, int c, int columns) => c + 1 < columns ? Unsafe.Add(ref xs, c + 1) : 0f;

    private static (Vector512<float>, Vector512<float>, Vector512<float>, Vector512<float>) Pass4(ref uint words, nuint panel, nuint panelWords, ref float xs, int columns)
    {
        Vector512<float> l0 = Vector512<float>.Zero, l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
        nuint offset = panel;
        for (int c = 0; c < columns; c += 2, offset += PanelRows)
        {
            var xl = Vector512.Create(Unsafe.Add(ref xs, c));
            var xh = Vector512.Create(High(ref xs, c, columns));
            (Vector512<float> a, Vector512<float> b) = Split(Vector512.LoadUnsafe(ref words, offset));
            l0 = Vector512.FusedMultiplyAdd(a, xl, l0);
            h0 = Vector512.FusedMultiplyAdd(b, xh, h0);
            (a, b) = Split(Vector512.LoadUnsafe(ref words, offset + panelWords));
            l1 = Vector512.FusedMultiplyAdd(a, xl, l1);
            h1 = Vector512.FusedMultiplyAdd(b, xh, h1);
            (a, b) = Split(Vector512.LoadUnsafe(ref words, offset + (2 * panelWords)));
            l2 = Vector512.FusedMultiplyAdd(a, xl, l2);
            h2 = Vector512.FusedMultiplyAdd(b, xh, h2);
            (a, b) = Split(Vector512.LoadUnsafe(ref words, offset + (3 * panelWords)));
            l3 = Vector512.FusedMultiplyAdd(a, xl, l3);
            h3 = Vector512.FusedMultiplyAdd(b, xh, h3);
        }

        return (l0 + h0, l1 + h1, l2 + h2, l3 + h3);
    }

    private static Vector512<float> Pass1(ref uint words, nuint panel, ref float xs, int columns)
    {
        Vector512<float> low = Vector512<float>.Zero, high = low;
        nuint offset = panel;
        for (int c = 0; c < columns; c += 2, offset += PanelRows)
        {
            (Vector512<float> a, Vector512<float> b) = Split(Vector512.LoadUnsafe(ref words, offset));
            low = Vector512.FusedMultiplyAdd(a, Vector512.Create(Unsafe.Add(ref xs, c)), low);
            high = Vector512.FusedMultiplyAdd(b, Vector512.Create(High(ref xs, c, columns)), high);
        }

        return low + high;
    }

    /// <summary>Round to nearest even; the caller has checked the value is finite.</summary>
    private static ushort Round(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        uint rounded = bits + 0x7FFFu + ((bits >> 16) & 1u);
        return (ushort)(rounded >> 16);
    }

    private static float Widen(ushort value) => BitConverter.UInt32BitsToSingle((uint)value << 16);
}
