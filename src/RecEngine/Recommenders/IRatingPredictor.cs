namespace RecEngine;

/// <summary>
/// A model that predicts the rating a user would give an item (explicit feedback), as evaluated by RMSE and MAE.
/// Implemented alongside <see cref="IRecommender"/> by models fitted on ratings.
/// </summary>
/// <remarks>
/// <para>
/// <b>Unknown users and items are normal traffic</b>: they get the model's documented fallback (for example the
/// global mean rating, or the global mean plus the known side's bias), never an exception.
/// </para>
/// <para>
/// <b>Errors</b>: a null id throws <see cref="ArgumentNullException"/>; calling it before the model is fitted throws
/// <see cref="InvalidOperationException"/>. <b>Thread safety</b>: implementations in this library allow any number
/// of concurrent callers.
/// </para>
/// </remarks>
public interface IRatingPredictor
{
    /// <summary>The predicted rating of <paramref name="itemId"/> by <paramref name="userId"/>, on the scale of the training ratings.</summary>
    /// <param name="userId">The caller's user id; unknown users get the model's fallback.</param>
    /// <param name="itemId">The caller's item id; unknown items get the model's fallback.</param>
    /// <exception cref="ArgumentNullException">An id is null.</exception>
    /// <exception cref="InvalidOperationException">The model has not been fitted.</exception>
    float PredictRating(string userId, string itemId);
}
