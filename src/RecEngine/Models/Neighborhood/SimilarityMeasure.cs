namespace RecEngine.Models.Neighborhood;

/// <summary>
/// How the similarity of two rows (two items over their users, or two users over their items) is computed. For
/// items i and j with value vectors r_i, r_j over users, and U_ij the users who interacted with both:
/// </summary>
/// <remarks>
/// Every measure is symmetric. Cosine, adjusted cosine and Pearson lie in [−1, 1] and Jaccard in [0, 1], shrinkage
/// included (it only scales towards 0); only similarities of at least 1e-6 make neighbours. The dot product is not
/// bounded.
/// </remarks>
public enum SimilarityMeasure
{
    /// <summary>
    /// Vector cosine: Σ_{u∈U_ij} r_ui r_uj / (‖r_i‖ ‖r_j‖), with the norms over all of each row's entries (so two
    /// items sharing one user out of hundreds are not similar). The usual measure for implicit feedback.
    /// </summary>
    Cosine,

    /// <summary>
    /// Adjusted cosine (Sarwar et al. 2001): each value is centred by its column mean (for items, the user's mean
    /// value), then the cosine is taken over the common entries U_ij only.
    /// </summary>
    AdjustedCosine,

    /// <summary>
    /// Pearson correlation over the common entries U_ij, each row centred by its own mean over all its entries
    /// (for items, the item's mean value), as Surprise's <c>pearson</c> for items.
    /// </summary>
    Pearson,

    /// <summary>Jaccard index of the supports: |U_i ∩ U_j| / |U_i ∪ U_j|; values are ignored.</summary>
    Jaccard,

    /// <summary>
    /// The plain dot product Σ_{u∈U_ij} r_ui r_uj, not normalised: meant for values already weighted, such as
    /// <see cref="NeighborWeighting.Bm25"/> (the BM25 item-kNN of the implicit library).
    /// </summary>
    DotProduct,
}
