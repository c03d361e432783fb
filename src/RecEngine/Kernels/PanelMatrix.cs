using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace RecEngine.Kernels;

/// <summary>
/// A read-only copy of a row-major n x k matrix in panels of 128 rows stored feature by feature (panel p holds, for
/// each column f, rows 128p .. 128p+127 of that column contiguously). Multiplying a vector then needs no
/// horizontal sums: one broadcast of x[f] and eight independent FMAs per feature, over contiguous memory.
/// </summary>
/// <remarks>
/// This is the layout for scoring one user against a whole catalog on machines with 512-bit vectors, where the
/// row-major kernel spends most of its time reducing accumulators. It doubles the memory of the item factors,
/// so models build it only when <see cref="IsSupported"/>. The last panel is padded with zeros (at most 127
/// rows of k floats).
/// </remarks>
internal sealed class PanelMatrix
{
    /// <summary>Rows per panel: eight 512-bit vectors of floats.</summary>
    public const int Width = 128;

    private readonly float[] _panels;

    private PanelMatrix(float[] panels, int rows, int columns)
    {
        _panels = panels;
        Rows = rows;
        Columns = columns;
    }

    /// <summary>Whether the panel kernel runs on this machine (512-bit vectors are accelerated).</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    /// <summary>Number of rows n.</summary>
    public int Rows { get; }

    /// <summary>Number of columns k.</summary>
    public int Columns { get; }

    /// <summary>Copies a row-major matrix of <paramref name="rows"/> x <paramref name="columns"/> into panels.</summary>
    public static PanelMatrix FromRows(ReadOnlySpan<float> matrix, int rows, int columns)
    {
        if ((long)rows * columns != matrix.Length)
        {
            throw new ArgumentException($"A {rows} x {columns} matrix needs {(long)rows * columns} values, not {matrix.Length}.", nameof(matrix));
        }

        int panelCount = (rows + Width - 1) / Width;
        var panels = new float[(long)panelCount * columns * Width];
        for (int r = 0; r < rows; r++)
        {
            int start = (r / Width) * columns * Width;
            int lane = r % Width;
            for (int f = 0; f < columns; f++)
            {
                panels[start + (f * Width) + lane] = matrix[(r * columns) + f];
            }
        }

        return new PanelMatrix(panels, rows, columns);
    }

    /// <summary>destination[r] = row r . x for every row (the same values as <see cref="Simd.MultiplyRows(ReadOnlySpan{float}, ReadOnlySpan{float}, Span{float})"/>, summed in another order).</summary>
    public void Multiply(ReadOnlySpan<float> x, Span<float> destination)
    {
        if (x.Length != Columns)
        {
            throw new ArgumentException($"The vector must have length {Columns}.", nameof(x));
        }

        if (destination.Length < Rows)
        {
            throw new ArgumentException($"The destination must hold {Rows} values.", nameof(destination));
        }

        const int V = 16;
        int k = Columns;
        int panelCount = (Rows + Width - 1) / Width;
        ref float p = ref MemoryMarshal.GetArrayDataReference(_panels);
        ref float xs = ref MemoryMarshal.GetReference(x);
        Span<float> last = stackalloc float[Width];
        for (int panel = 0; panel < panelCount; panel++)
        {
            // Eight independent accumulators, one per 16 rows; every step reads 512 contiguous bytes.
            nuint at = (nuint)panel * (nuint)k * Width;
            Vector512<float> a0 = Vector512<float>.Zero, a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            for (int f = 0; f < k; f++, at += Width)
            {
                var xf = Vector512.Create(Unsafe.Add(ref xs, f));
                a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at), xf, a0);
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + V), xf, a1);
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + (2 * V)), xf, a2);
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + (3 * V)), xf, a3);
                a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + (4 * V)), xf, a4);
                a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + (5 * V)), xf, a5);
                a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + (6 * V)), xf, a6);
                a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref p, at + (7 * V)), xf, a7);
            }

            int start = panel * Width;
            Span<float> target = start + Width <= Rows ? destination.Slice(start, Width) : last;
            ref float t = ref MemoryMarshal.GetReference(target);
            a0.StoreUnsafe(ref t);
            a1.StoreUnsafe(ref t, V);
            a2.StoreUnsafe(ref t, 2 * V);
            a3.StoreUnsafe(ref t, 3 * V);
            a4.StoreUnsafe(ref t, 4 * V);
            a5.StoreUnsafe(ref t, 5 * V);
            a6.StoreUnsafe(ref t, 6 * V);
            a7.StoreUnsafe(ref t, 7 * V);
            if (start + Width > Rows)
            {
                last[..(Rows - start)].CopyTo(destination[start..]);
            }
        }
    }
}
