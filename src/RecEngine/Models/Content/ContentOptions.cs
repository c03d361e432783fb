using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Content;

/// <summary>Options of <see cref="ContentRecommender"/>. Validated when the recommender is created.</summary>
public sealed class ContentOptions
{
    /// <summary>Weight of the categories block (one-hot, for example genres). The default is 1.</summary>
    public float CategoryWeight { get; set; } = 1f;

    /// <summary>Weight of the text block (TF-IDF over the title and the tags). The default is 1.</summary>
    public float TextWeight { get; set; } = 1f;

    /// <summary>Weight of the numeric block (standardised attributes, for example a year or a price). The default is 0.5.</summary>
    public float NumericWeight { get; set; } = 0.5f;

    /// <summary>
    /// Which number of each interaction weighs its item in the user's profile: 1 per interaction by default
    /// (<see cref="MatrixValues.One"/>), or the value or the event weight. A negative weight (a dislike) subtracts the
    /// item from the profile.
    /// </summary>
    public MatrixValues Values { get; set; } = MatrixValues.One;

    /// <summary>Tokens shorter than this are dropped. The default is 2.</summary>
    public int MinimumTokenLength { get; set; } = 2;

    /// <summary>Whether common English stop words ("the", "of", ...) are dropped. The default is true.</summary>
    public bool RemoveStopWords { get; set; } = true;

    /// <summary>Tokens found in fewer items than this are left out of the vocabulary. The default is 1 (keep all).</summary>
    public int MinimumDocumentFrequency { get; set; } = 1;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the exception names the property.</exception>
    public void Validate()
    {
        Check(CategoryWeight, nameof(CategoryWeight));
        Check(TextWeight, nameof(TextWeight));
        Check(NumericWeight, nameof(NumericWeight));
        if (CategoryWeight + TextWeight + NumericWeight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(CategoryWeight), CategoryWeight, "At least one block weight must be positive.");
        }

        if (!Enum.IsDefined(Values))
        {
            throw new ArgumentOutOfRangeException(nameof(Values), Values, "Unknown matrix value kind.");
        }

        if (MinimumTokenLength is < 1 or > 100)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumTokenLength), MinimumTokenLength, "MinimumTokenLength must be in [1, 100].");
        }

        if (MinimumDocumentFrequency < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MinimumDocumentFrequency), MinimumDocumentFrequency, "MinimumDocumentFrequency must be at least 1.");
        }

        static void Check(float weight, string name)
        {
            if (!float.IsFinite(weight) || weight < 0)
            {
                throw new ArgumentOutOfRangeException(name, weight, $"{name} must be a non-negative finite number.");
            }
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(CategoryWeight);
        writer.Write(TextWeight);
        writer.Write(NumericWeight);
        writer.Write((int)Values);
        writer.Write(MinimumTokenLength);
        writer.Write(RemoveStopWords);
        writer.Write(MinimumDocumentFrequency);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static ContentOptions Read(StateReader reader) => new()
    {
        CategoryWeight = reader.ReadSingle(),
        TextWeight = reader.ReadSingle(),
        NumericWeight = reader.ReadSingle(),
        Values = reader.ReadEnum<MatrixValues>("value kind"),
        MinimumTokenLength = reader.ReadInt32(),
        RemoveStopWords = reader.ReadBoolean(),
        MinimumDocumentFrequency = reader.ReadInt32(),
    };
}
