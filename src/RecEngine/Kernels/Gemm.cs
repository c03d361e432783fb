using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

/// <summary>
/// Dense row-major matrix products for the layers of a perceptron: <c>C = A B + bias</c>, <c>C += Aᵀ B</c> and
/// column sums, register-blocked over 512-, 256- or 128-bit vectors, each with a plain scalar reference
/// (<c>*Scalar</c>) that is its specification.
/// </summary>
/// <remarks>
/// <para>
/// <b>Blocking</b>: a tile of 4 rows of C by 2 vectors of columns is held in 8 accumulators while the shared
/// dimension p runs: each step loads 2 vectors of row p of B and broadcasts 4 entries of A, for 8 independent
/// FMAs (enough chains to cover the FMA latency on two ports, and few enough registers for 16-register AVX2).
/// Single-vector tiles take the columns left over, and a final vector that overlaps the previous one, with the
/// lanes already written masked off, takes a tail narrower than a vector, so no load or store leaves the matrices.
/// A block of fewer than 4 rows at the bottom repeats its last row in the spare slots: the repeats compute the
/// same values and store them over the same row, which is harmless because a tile loads C before it stores.
/// </para>
/// <para>
/// <b>Exactness</b>: every entry of C is one chain of fused multiply-adds in order of p, started from the bias, from
/// zero or from the entry's old value, whatever the vector width, the tile or the rows around it; the references
/// use the same chain, so the vector paths agree with them, and a row's result does not depend on the batch it is
/// computed in (which keeps training deterministic for a thread count, whatever the split). The one exception is a
/// product with one column (a logit layer), taken as dot products by <see cref="Simd.MultiplyRows(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>,
/// which sums in a different order but also independently of the other rows.
/// </para>
/// <para>No kernel allocates.</para>
/// </remarks>
internal static class Gemm
{
    /// <summary>
    /// c (m x n) = a (m x k) · b (k x n), plus <paramref name="bias"/> (n values) on every row unless it is empty: a
    /// dense layer's forward pass with b the transposed weights, or its input gradient with b the weights.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the shape.</exception>
    public static void Multiply(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int k, int n)
    {
        CheckShape(a.Length, m, k, nameof(a));
        CheckShape(b.Length, k, n, nameof(b));
        CheckShape(c.Length, m, n, nameof(c));
        CheckBias(bias.Length, n, nameof(bias));
        Start start = bias.IsEmpty ? Start.Zero : Start.Bias;
        if (n == 1 && k > 0)
        {
            // One output per row: a matrix-vector product, where broadcasting would use one lane of each vector.
            Simd.MultiplyRows(a, b, c);
            if (!bias.IsEmpty)
            {
                TensorPrimitives.Add(c, bias[0], c);
            }

            return;
        }

        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        ref float biasr = ref MemoryMarshal.GetReference(bias);
        if (!Product(ref ar, k, 1, ref br, ref cr, ref biasr, m, k, n, start))
        {
            MultiplyScalar(a, b, bias, c, m, k, n);
        }
    }

    /// <summary>
    /// c (k x n) += aᵀ · b with a (m x k) and b (m x n): a dense layer's weight gradient, with a the gradient of its
    /// outputs and b its inputs over a batch of m rows.
    /// </summary>
    /// <exception cref="ArgumentException">A span's length does not match the shape.</exception>
    public static void AddTransposedProduct(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        CheckShape(a.Length, m, k, nameof(a));
        CheckShape(b.Length, m, n, nameof(b));
        CheckShape(c.Length, k, n, nameof(c));

        // Row r of c is column r of a: the entry (r, p) of aᵀ sits at a[p * k + r].
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float br = ref MemoryMarshal.GetReference(b);
        ref float cr = ref MemoryMarshal.GetReference(c);
        if (!Product(ref ar, 1, k, ref br, ref cr, ref cr, k, m, n, Start.Accumulate))
        {
            AddTransposedProductScalar(a, b, c, m, k, n);
        }
    }

    /// <summary>sums (n values) += the column sums of a (m x n): a dense layer's bias gradient.</summary>
    /// <exception cref="ArgumentException">A span's length does not match the shape.</exception>
    public static void AddColumnSums(ReadOnlySpan<float> a, int m, Span<float> sums)
    {
        int n = sums.Length;
        CheckShape(a.Length, m, n, nameof(a));
        ref float ar = ref MemoryMarshal.GetReference(a);
        ref float sr = ref MemoryMarshal.GetReference(sums);
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            ColumnSums<Lanes512, Vector512<float>>(ref ar, ref sr, m, n);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            ColumnSums<Lanes256, Vector256<float>>(ref ar, ref sr, m, n);
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            ColumnSums<Lanes128, Vector128<float>>(ref ar, ref sr, m, n);
        }
        else
        {
            AddColumnSumsScalar(a, m, sums);
        }
    }

    /// <summary>destination (columns x rows) = source (rows x columns) transposed.</summary>
    /// <exception cref="ArgumentException">A span's length does not match the shape.</exception>
    public static void Transpose(ReadOnlySpan<float> source, int rows, int columns, Span<float> destination)
    {
        CheckShape(source.Length, rows, columns, nameof(source));
        CheckShape(destination.Length, columns, rows, nameof(destination));

        // Read a source row once and scatter it down a destination column: at layer sizes (up to a few hundred
        // square) both matrices stay in cache, and the pass costs about 1 / batch of the product that follows.
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<float> row = source.Slice(r * columns, columns);
            for (int j = 0; j < row.Length; j++)
            {
                destination[(j * rows) + r] = row[j];
            }
        }
    }

    /// <summary>Reference for <see cref="Multiply"/>: one fused multiply-add chain per entry, in order of p.</summary>
    public static void MultiplyScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> bias, Span<float> c, int m, int k, int n)
    {
        CheckShape(a.Length, m, k, nameof(a));
        CheckShape(b.Length, k, n, nameof(b));
        CheckShape(c.Length, m, n, nameof(c));
        CheckBias(bias.Length, n, nameof(bias));
        for (int r = 0; r < m; r++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = bias.IsEmpty ? 0f : bias[j];
                for (int p = 0; p < k; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(r * k) + p], b[(p * n) + j], sum);
                }

                c[(r * n) + j] = sum;
            }
        }
    }

    /// <summary>Reference for <see cref="AddTransposedProduct"/>: one fused multiply-add chain per entry from its old value, in order of p.</summary>
    public static void AddTransposedProductScalar(ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int m, int k, int n)
    {
        CheckShape(a.Length, m, k, nameof(a));
        CheckShape(b.Length, m, n, nameof(b));
        CheckShape(c.Length, k, n, nameof(c));
        for (int r = 0; r < k; r++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = c[(r * n) + j];
                for (int p = 0; p < m; p++)
                {
                    sum = MathF.FusedMultiplyAdd(a[(p * k) + r], b[(p * n) + j], sum);
                }

                c[(r * n) + j] = sum;
            }
        }
    }

    /// <summary>Reference for <see cref="AddColumnSums"/>: rows added in order.</summary>
    public static void AddColumnSumsScalar(ReadOnlySpan<float> a, int m, Span<float> sums)
    {
        int n = sums.Length;
        CheckShape(a.Length, m, n, nameof(a));
        for (int j = 0; j < n; j++)
        {
            float sum = sums[j];
            for (int r = 0; r < m; r++)
            {
                sum += a[(r * n) + j];
            }

            sums[j] = sum;
        }
    }

    private static void CheckShape(int length, int rows, int columns, string paramName)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(columns);
        if ((long)rows * columns != length)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, not {length}.", paramName);
        }
    }

    private static void CheckBias(int length, int n, string paramName)
    {
        if (length != 0 && length != n)
        {
            throw new ArgumentException($"The bias must hold {n} values or none, not {length}.", paramName);
        }
    }

    /// <summary>
    /// c (m x n) = A (m x depth) · b (depth x n) from <paramref name="start"/>, where A's entry (r, p) is
    /// <c>a[r * aRow + p * aDepth]</c>; false when no vector as narrow as n is accelerated (the caller then runs the
    /// reference).
    /// </summary>
    private static bool Product(ref float a, nint aRow, nint aDepth, ref float b, ref float c, ref float bias, int m, int depth, int n, Start start)
    {
        if (Vector512.IsHardwareAccelerated && n >= Vector512<float>.Count)
        {
            Product<Lanes512, Vector512<float>>(ref a, aRow, aDepth, ref b, ref c, ref bias, m, depth, n, start);
        }
        else if (Vector256.IsHardwareAccelerated && n >= Vector256<float>.Count)
        {
            Product<Lanes256, Vector256<float>>(ref a, aRow, aDepth, ref b, ref c, ref bias, m, depth, n, start);
        }
        else if (Vector128.IsHardwareAccelerated && n >= Vector128<float>.Count)
        {
            Product<Lanes128, Vector128<float>>(ref a, aRow, aDepth, ref b, ref c, ref bias, m, depth, n, start);
        }
        else
        {
            return false;
        }

        return true;
    }

    /// <summary>The tiling of <see cref="Product(ref float, nint, nint, ref float, ref float, ref float, int, int, int, Start)"/> for n ≥ one vector.</summary>
    private static void Product<TLanes, TVector>(ref float a, nint aRow, nint aDepth, ref float b, ref float c, ref float bias, int m, int depth, int n, Start start)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        var tile = new Tile(aDepth, depth, n, start);
        for (int r0 = 0; r0 < m; r0 += 4)
        {
            int last = m - 1;
            int r1 = Math.Min(r0 + 1, last), r2 = Math.Min(r0 + 2, last), r3 = Math.Min(r0 + 3, last);
            var rows = new TileRows(r0 * aRow, r1 * aRow, r2 * aRow, r3 * aRow, (nint)r0 * n, (nint)r1 * n, (nint)r2 * n, (nint)r3 * n);
            int column = 0;
            for (; column + (2 * w) <= n; column += 2 * w)
            {
                Tile4x2<TLanes, TVector>(ref a, ref b, ref c, ref bias, tile, rows, column);
            }

            for (; column + w <= n; column += w)
            {
                Tile4x1<TLanes, TVector>(ref a, ref b, ref c, ref bias, tile, rows, column, 0);
            }

            if (column < n)
            {
                // The last vector overlaps the one before; its first lanes are already final and are kept.
                Tile4x1<TLanes, TVector>(ref a, ref b, ref c, ref bias, tile, rows, n - w, column - (n - w));
            }
        }
    }

    /// <summary>Rows r..r+3 x columns [column, column + 2 vectors) of c.</summary>
    private static void Tile4x2<TLanes, TVector>(ref float a, ref float b, ref float c, ref float bias, in Tile tile, in TileRows rows, int column)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        // Locals, not fields of the by-reference arguments, so that the loop keeps them in registers.
        nint w = TLanes.Count;
        nint at = column;
        nint a0 = rows.A0, a1 = rows.A1, a2 = rows.A2, a3 = rows.A3, aDepth = tile.ADepth, stride = tile.N;
        int depth = tile.Depth;
        TVector s00, s01, s10, s11, s20, s21, s30, s31;
        if (tile.Start == Start.Accumulate)
        {
            s00 = TLanes.Load(ref c, rows.C0 + at); s01 = TLanes.Load(ref c, rows.C0 + at + w);
            s10 = TLanes.Load(ref c, rows.C1 + at); s11 = TLanes.Load(ref c, rows.C1 + at + w);
            s20 = TLanes.Load(ref c, rows.C2 + at); s21 = TLanes.Load(ref c, rows.C2 + at + w);
            s30 = TLanes.Load(ref c, rows.C3 + at); s31 = TLanes.Load(ref c, rows.C3 + at + w);
        }
        else
        {
            s00 = tile.Start == Start.Bias ? TLanes.Load(ref bias, at) : TLanes.Zero;
            s01 = tile.Start == Start.Bias ? TLanes.Load(ref bias, at + w) : TLanes.Zero;
            s10 = s20 = s30 = s00;
            s11 = s21 = s31 = s01;
        }

        nint p = 0, pb = at;
        for (int step = 0; step < depth; step++, p += aDepth, pb += stride)
        {
            TVector y0 = TLanes.Load(ref b, pb), y1 = TLanes.Load(ref b, pb + w);
            TVector x = TLanes.Broadcast(Unsafe.Add(ref a, a0 + p));
            s00 = TLanes.FusedMultiplyAdd(x, y0, s00); s01 = TLanes.FusedMultiplyAdd(x, y1, s01);
            x = TLanes.Broadcast(Unsafe.Add(ref a, a1 + p));
            s10 = TLanes.FusedMultiplyAdd(x, y0, s10); s11 = TLanes.FusedMultiplyAdd(x, y1, s11);
            x = TLanes.Broadcast(Unsafe.Add(ref a, a2 + p));
            s20 = TLanes.FusedMultiplyAdd(x, y0, s20); s21 = TLanes.FusedMultiplyAdd(x, y1, s21);
            x = TLanes.Broadcast(Unsafe.Add(ref a, a3 + p));
            s30 = TLanes.FusedMultiplyAdd(x, y0, s30); s31 = TLanes.FusedMultiplyAdd(x, y1, s31);
        }

        TLanes.Store(s00, ref c, rows.C0 + at); TLanes.Store(s01, ref c, rows.C0 + at + w);
        TLanes.Store(s10, ref c, rows.C1 + at); TLanes.Store(s11, ref c, rows.C1 + at + w);
        TLanes.Store(s20, ref c, rows.C2 + at); TLanes.Store(s21, ref c, rows.C2 + at + w);
        TLanes.Store(s30, ref c, rows.C3 + at); TLanes.Store(s31, ref c, rows.C3 + at + w);
    }

    /// <summary>Rows r..r+3 x one vector of columns from <paramref name="column"/> of c; lanes below <paramref name="firstLane"/> are left as they are.</summary>
    private static void Tile4x1<TLanes, TVector>(ref float a, ref float b, ref float c, ref float bias, in Tile tile, in TileRows rows, int column, int firstLane)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        nint at = column;
        nint a0 = rows.A0, a1 = rows.A1, a2 = rows.A2, a3 = rows.A3, aDepth = tile.ADepth, stride = tile.N;
        int depth = tile.Depth;
        TVector s0, s1, s2, s3;
        if (tile.Start == Start.Accumulate)
        {
            s0 = TLanes.Load(ref c, rows.C0 + at);
            s1 = TLanes.Load(ref c, rows.C1 + at);
            s2 = TLanes.Load(ref c, rows.C2 + at);
            s3 = TLanes.Load(ref c, rows.C3 + at);
        }
        else
        {
            s0 = s1 = s2 = s3 = tile.Start == Start.Bias ? TLanes.Load(ref bias, at) : TLanes.Zero;
        }

        nint p = 0, pb = at;
        for (int step = 0; step < depth; step++, p += aDepth, pb += stride)
        {
            TVector y = TLanes.Load(ref b, pb);
            s0 = TLanes.FusedMultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref a, a0 + p)), y, s0);
            s1 = TLanes.FusedMultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref a, a1 + p)), y, s1);
            s2 = TLanes.FusedMultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref a, a2 + p)), y, s2);
            s3 = TLanes.FusedMultiplyAdd(TLanes.Broadcast(Unsafe.Add(ref a, a3 + p)), y, s3);
        }

        if (firstLane > 0)
        {
            s0 = TLanes.KeepBelow(firstLane, TLanes.Load(ref c, rows.C0 + at), s0);
            s1 = TLanes.KeepBelow(firstLane, TLanes.Load(ref c, rows.C1 + at), s1);
            s2 = TLanes.KeepBelow(firstLane, TLanes.Load(ref c, rows.C2 + at), s2);
            s3 = TLanes.KeepBelow(firstLane, TLanes.Load(ref c, rows.C3 + at), s3);
        }

        TLanes.Store(s0, ref c, rows.C0 + at);
        TLanes.Store(s1, ref c, rows.C1 + at);
        TLanes.Store(s2, ref c, rows.C2 + at);
        TLanes.Store(s3, ref c, rows.C3 + at);
    }

    /// <summary>Column sums a vector at a time, the last vector overlapping and masked as in the products.</summary>
    private static void ColumnSums<TLanes, TVector>(ref float a, ref float sums, int m, int n)
        where TLanes : struct, ILanes<TVector>
        where TVector : struct
    {
        int w = TLanes.Count;
        for (int column = 0; column < n; column += w)
        {
            int at = Math.Min(column, n - w);
            TVector s = TLanes.Load(ref sums, at);
            TVector before = s;
            for (int r = 0; r < m; r++)
            {
                s = TLanes.Add(s, TLanes.Load(ref a, ((nint)r * n) + at));
            }

            TLanes.Store(column > at ? TLanes.KeepBelow(column - at, before, s) : s, ref sums, at);
        }
    }

    /// <summary>Where a tile's entries start.</summary>
    private enum Start
    {
        /// <summary>From zero.</summary>
        Zero,

        /// <summary>From the bias of the entry's column.</summary>
        Bias,

        /// <summary>From the entry's old value.</summary>
        Accumulate,
    }

    /// <summary>What every tile of one product shares: A's stride along p, the depth, the width of b and c, the start.</summary>
    private readonly record struct Tile(nint ADepth, int Depth, nint N, Start Start);

    /// <summary>A tile's four rows: where they start in A and in c.</summary>
    private readonly record struct TileRows(nint A0, nint A1, nint A2, nint A3, nint C0, nint C1, nint C2, nint C3);

    /// <summary>The vector operations the tiles use, one implementation per width, so one tile shape serves all three.</summary>
    private interface ILanes<TVector>
        where TVector : struct
    {
        static abstract int Count { get; }

        static abstract TVector Zero { get; }

        static abstract TVector Broadcast(float value);

        static abstract TVector Load(ref float source, nint offset);

        static abstract void Store(TVector value, ref float destination, nint offset);

        static abstract TVector FusedMultiplyAdd(TVector x, TVector y, TVector addend);

        static abstract TVector Add(TVector x, TVector y);

        /// <summary>Lanes below <paramref name="firstLane"/> from <paramref name="kept"/>, the others from <paramref name="value"/>.</summary>
        static abstract TVector KeepBelow(int firstLane, TVector kept, TVector value);
    }

    private readonly struct Lanes512 : ILanes<Vector512<float>>
    {
        public static int Count => Vector512<float>.Count;

        public static Vector512<float> Zero => Vector512<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(float value) => Vector512.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(ref float source, nint offset) => Vector512.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> FusedMultiplyAdd(Vector512<float> x, Vector512<float> y, Vector512<float> addend) => Vector512.FusedMultiplyAdd(x, y, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Add(Vector512<float> x, Vector512<float> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> KeepBelow(int firstLane, Vector512<float> kept, Vector512<float> value) =>
            Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(Vector512<int>.Indices, Vector512.Create(firstLane)).AsSingle(), value, kept);
    }

    private readonly struct Lanes256 : ILanes<Vector256<float>>
    {
        public static int Count => Vector256<float>.Count;

        public static Vector256<float> Zero => Vector256<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(float value) => Vector256.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(ref float source, nint offset) => Vector256.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> FusedMultiplyAdd(Vector256<float> x, Vector256<float> y, Vector256<float> addend) => Vector256.FusedMultiplyAdd(x, y, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Add(Vector256<float> x, Vector256<float> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> KeepBelow(int firstLane, Vector256<float> kept, Vector256<float> value) =>
            Vector256.ConditionalSelect(Vector256.GreaterThanOrEqual(Vector256<int>.Indices, Vector256.Create(firstLane)).AsSingle(), value, kept);
    }

    private readonly struct Lanes128 : ILanes<Vector128<float>>
    {
        public static int Count => Vector128<float>.Count;

        public static Vector128<float> Zero => Vector128<float>.Zero;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Broadcast(float value) => Vector128.Create(value);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Load(ref float source, nint offset) => Vector128.LoadUnsafe(ref source, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector128<float> value, ref float destination, nint offset) => value.StoreUnsafe(ref destination, (nuint)offset);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> FusedMultiplyAdd(Vector128<float> x, Vector128<float> y, Vector128<float> addend) => Vector128.FusedMultiplyAdd(x, y, addend);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> Add(Vector128<float> x, Vector128<float> y) => x + y;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector128<float> KeepBelow(int firstLane, Vector128<float> kept, Vector128<float> value) =>
            Vector128.ConditionalSelect(Vector128.GreaterThanOrEqual(Vector128<int>.Indices, Vector128.Create(firstLane)).AsSingle(), value, kept);
    }
}
