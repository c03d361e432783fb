using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Popularity;

/// <summary>Options of <see cref="PopularityRecommender"/>.</summary>
public sealed class PopularityOptions
{
    /// <summary>
    /// What each interaction adds to its item's popularity. The default, <see cref="MatrixValues.One"/>, counts
    /// interactions; <see cref="MatrixValues.Weight"/> sums event weights (a purchase counts more than a view).
    /// </summary>
    public MatrixValues Values { get; set; } = MatrixValues.One;

    /// <summary>
    /// Optional half-life of time decay. When set, an interaction of age <c>a</c> (measured back from the latest
    /// timestamp in the training data) counts <c>2^(-a / HalfLife)</c> times its value, so recent popularity
    /// dominates. <see langword="null"/> (the default) means no decay.
    /// </summary>
    public TimeSpan? HalfLife { get; set; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, naming the property.</exception>
    public void Validate()
    {
        if (!Enum.IsDefined(Values))
        {
            throw new ArgumentOutOfRangeException(nameof(Values), Values, "Unknown matrix value kind.");
        }

        if (HalfLife is { } halfLife && halfLife <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(HalfLife), halfLife, "The half-life must be positive.");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write((int)Values);
        writer.WriteOptional(HalfLife?.Ticks);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static PopularityOptions Read(StateReader reader) => new()
    {
        Values = reader.ReadEnum<MatrixValues>("value kind"),
        HalfLife = reader.ReadOptional<long>() is { } ticks ? TimeSpan.FromTicks(ticks) : null,
    };
}
