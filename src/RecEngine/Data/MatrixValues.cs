namespace RecEngine.Data;

/// <summary>Which number of an interaction goes into an interaction matrix.</summary>
public enum MatrixValues
{
    /// <summary>The event's weight: kind weight times value (see <see cref="EventWeights"/>).</summary>
    Weight,

    /// <summary>The raw value, for example the rating; for explicit rating models.</summary>
    Value,

    /// <summary>1 for every interaction: every event counts as one positive observation.</summary>
    One,
}
