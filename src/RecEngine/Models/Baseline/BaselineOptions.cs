using RecEngine.Persistence;
namespace RecEngine.Models.Baseline;

/// <summary>Options of <see cref="BaselineRatingPredictor"/>. The defaults are those of Surprise's <c>BaselineOnly</c> with ALS.</summary>
public sealed class BaselineOptions
{
    /// <summary>
    /// λ_u, the ridge penalty on user biases (<c>reg_u</c> in Surprise). Larger values shrink the biases of users
    /// with few ratings towards 0.
    /// </summary>
    /// <value>The default value is 15.</value>
    public double UserRegularization { get; set; } = 15.0;

    /// <summary>λ_i, the ridge penalty on item biases (<c>reg_i</c> in Surprise).</summary>
    /// <value>The default value is 10.</value>
    public double ItemRegularization { get; set; } = 10.0;

    /// <summary>Number of alternating sweeps (item biases, then user biases), <c>n_epochs</c> in Surprise.</summary>
    /// <value>The default value is 10.</value>
    public int Iterations { get; set; } = 10;

    /// <summary>
    /// Whether <see cref="BaselineRatingPredictor.PredictRating"/> clips predictions to the range of the training
    /// ratings (Surprise clips to the rating scale by default, so RMSE figures compare only with clipping on).
    /// Recommendation scores are never clipped, so clipping does not create ties in top-N lists.
    /// </summary>
    /// <value>The default value is <see langword="true"/>.</value>
    public bool ClipPredictions { get; set; } = true;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, naming the property.</exception>
    public void Validate()
    {
        if (!(UserRegularization >= 0.0 && double.IsFinite(UserRegularization)))
        {
            throw new ArgumentOutOfRangeException(nameof(UserRegularization), UserRegularization, "The regularization must be a finite number of at least 0.");
        }

        if (!(ItemRegularization >= 0.0 && double.IsFinite(ItemRegularization)))
        {
            throw new ArgumentOutOfRangeException(nameof(ItemRegularization), ItemRegularization, "The regularization must be a finite number of at least 0.");
        }

        if (Iterations < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Iterations), Iterations, "At least one iteration is needed.");
        }
    }

    /// <summary>Writes the options into saved state.</summary>
    internal void Write(StateWriter writer)
    {
        writer.Write(UserRegularization);
        writer.Write(ItemRegularization);
        writer.Write(Iterations);
        writer.Write(ClipPredictions);
    }

    /// <summary>Reads options written by <see cref="Write"/>.</summary>
    internal static BaselineOptions Read(StateReader reader) => new()
    {
        UserRegularization = reader.ReadDouble(),
        ItemRegularization = reader.ReadDouble(),
        Iterations = reader.ReadInt32(),
        ClipPredictions = reader.ReadBoolean(),
    };
}
