namespace RecEngine.Evaluation;

/// <summary>How <see cref="RankingEvaluator"/> turns a model's output into ranks.</summary>
public enum EvaluationProtocol
{
    /// <summary>
    /// Full ranking: for each test user the model recommends its top k among all catalog items except the user's
    /// training items (<see cref="RecommendOptions.ExcludeSeen"/>), and the list is compared with all of the user's
    /// test items. The unbiased protocol (Krichene and Rendle 2020, "On Sampled Metrics for Item Recommendation").
    /// </summary>
    Full,

    /// <summary>
    /// Sampled ranking: each test interaction's item is ranked against a few sampled items the user never
    /// interacted with, scored with <see cref="IRecommender.Score"/> (Koren 2008; Cremonesi et al. 2010; He et al.
    /// 2017 with 99 negatives). Cheaper, but not comparable with full-ranking figures.
    /// </summary>
    Sampled,
}
