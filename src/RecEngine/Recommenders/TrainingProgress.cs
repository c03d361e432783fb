namespace RecEngine;

/// <summary>Progress of a <see cref="IRecommender.Fit"/> call, reported through <see cref="IProgress{T}"/>.</summary>
/// <param name="Stage">What is being done, for example <c>"iteration"</c> or <c>"similarities"</c>.</param>
/// <param name="Step">Steps completed in this stage (1-based once the first step is done).</param>
/// <param name="TotalSteps">Steps in this stage.</param>
/// <param name="Loss">The training objective after this step, or <see cref="double.NaN"/> when the stage has none.</param>
public readonly record struct TrainingProgress(string Stage, int Step, int TotalSteps, double Loss);
