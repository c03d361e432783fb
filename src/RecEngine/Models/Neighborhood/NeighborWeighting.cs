namespace RecEngine.Models.Neighborhood;

/// <summary>
/// Re-weighting of the matrix before similarities are computed. Each row whose neighbours are sought (an item for
/// item-kNN, a user for user-kNN) is a document and each column a term; N is the number of rows and n_c the number
/// of rows with an entry in column c.
/// </summary>
public enum NeighborWeighting
{
    /// <summary>The values as they are.</summary>
    None,

    /// <summary>TF-IDF: √x · idf_c with idf_c = ln(N / (1 + n_c)); frequent columns (very active users) count less.</summary>
    TfIdf,

    /// <summary>
    /// Okapi BM25: x (k1 + 1) / (k1 · L_r + x) · idf_c, with the row's length norm L_r = 1 − b + b · s_r / mean(s),
    /// where s_r is the row's value sum; saturates repeated values and discounts long rows as well as frequent
    /// columns. k1 and b are <see cref="NeighborhoodOptions.Bm25K1"/> and <see cref="NeighborhoodOptions.Bm25B"/>.
    /// Usually paired with <see cref="SimilarityMeasure.DotProduct"/>.
    /// </summary>
    Bm25,
}
