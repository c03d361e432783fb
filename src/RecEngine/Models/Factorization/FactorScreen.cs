using RecEngine.Kernels;

namespace RecEngine.Models.Factorization;

/// <summary>
/// Score bounds for a dot-product factor model (score = user row · item row) from a bfloat16 copy of the item
/// factors: half the bytes per item and no horizontal sums, so the screening pass costs about half of exact
/// scoring. Used only where 512-bit vectors are accelerated; elsewhere exact scoring is as fast.
/// </summary>
internal sealed class FactorScreen : ScoreScreen
{
    private readonly BFloat16Panels _items;
    private readonly float[] _userFactors;
    private readonly int _k;

    private FactorScreen(BFloat16Panels items, float[] userFactors, int k)
    {
        _items = items;
        _userFactors = userFactors;
        _k = k;
    }

    /// <summary>
    /// Builds the screen, or returns <see langword="null"/> when it would not pay off (no 512-bit vectors) or no finite
    /// bound exists (a factor is not finite).
    /// </summary>
    public static FactorScreen? TryCreate(float[] userFactors, float[] itemFactors, int k)
    {
        if (!System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            return null;
        }

        BFloat16Panels? items = BFloat16Panels.TryCreate(itemFactors, itemFactors.Length / k, k);
        return items is null ? null : new FactorScreen(items, userFactors, k);
    }

    /// <inheritdoc/>
    public override int Alignment => BFloat16Panels.PanelRows;

    /// <inheritdoc/>
    public override float Scale(int user) => BFloat16Panels.Scale(UserRow(user));

    /// <inheritdoc/>
    public override void Bounds(int user, float scale, int start, Span<float> lower, Span<float> upper) =>
        _items.Bounds(UserRow(user), scale, start, lower, upper);

    private ReadOnlySpan<float> UserRow(int user) => _userFactors.AsSpan(user * _k, _k);
}
