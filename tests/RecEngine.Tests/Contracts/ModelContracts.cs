using RecEngine.Data;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Contracts;

public sealed class PopularityContractTests : RecommenderContractTests
{
    protected override bool Personalizes => false;

    protected override IRecommender Create() => new PopularityRecommender();
}

/// <summary>
/// Two factors, one per checkerboard group: with more factors than the structure needs, ALS spends them on
/// fitting the withheld zeros of this tiny symmetric dataset, which is the objective working, not a defect.
/// </summary>
public sealed class ImplicitAlsContractTests : RecommenderContractTests
{
    protected override IRecommender Create() => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 2, Iterations = 10, Regularization = 0.1f, Values = MatrixValues.One });
}

public sealed class ImplicitAlsCholeskyContractTests : RecommenderContractTests
{
    protected override IRecommender Create() => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 2, Iterations = 10, Regularization = 0.1f, Solver = AlsSolver.Cholesky });
}

public sealed class ExplicitAlsContractTests : RecommenderContractTests
{
    // With all ratings equal, explicit ALS has nothing to rank by: use the implicit-style checkerboard
    // only for the generic contract checks.
    protected override bool Personalizes => false;

    protected override IRecommender Create() => new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 4, Iterations = 5 });
}

public sealed class ItemKnnContractTests : RecommenderContractTests
{
    protected override bool RanksEveryItemAsSimilar => false;

    protected override IRecommender Create() => new ItemKnnRecommender();
}

public sealed class ItemKnnBm25ContractTests : RecommenderContractTests
{
    protected override bool RanksEveryItemAsSimilar => false;

    protected override IRecommender Create() => new ItemKnnRecommender(new NeighborhoodOptions
    {
        Measure = SimilarityMeasure.DotProduct,
        Weighting = NeighborWeighting.Bm25,
        NormalizeSimilarities = true,
    });
}

/// <summary>User-kNN has no item-item notion: <c>SimilarItems</c> is the popularity fallback, which ranks every item.</summary>
public sealed class UserKnnContractTests : RecommenderContractTests
{
    protected override IRecommender Create() => new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 5 });
}

/// <summary>The checkerboard has no item attributes, so the content model has no profile to personalise with.</summary>
public sealed class ContentContractTests : RecommenderContractTests
{
    protected override bool Personalizes => false;

    protected override IRecommender Create() => new RecEngine.Models.Content.ContentRecommender();
}

/// <summary>
/// The neural scorer on the checkerboard: small embeddings, no side features (the checkerboard has none), and
/// enough epochs on its 264 pairs to learn the two groups.
/// </summary>
public sealed class NeuralContractTests : RecommenderContractTests
{
    protected override IRecommender Create() => new RecEngine.Models.Neural.NeuralRecommender(new RecEngine.Models.Neural.NeuralOptions
    {
        EmbeddingSize = 8,
        HiddenLayers = [16],
        Epochs = 60,
        BatchSize = 32,
        LearningRate = 0.01,
        ValidationFraction = 0,
        DegreeOfParallelism = 1,
    });
}

public sealed class RerankingContractTests : RecommenderContractTests
{
    protected override bool RanksEveryItemAsSimilar => false;

    protected override IRecommender Create() => new RecEngine.Models.Hybrid.RerankingRecommender(
        new PopularityRecommender(), new ItemKnnRecommender(), candidateCount: 15);
}

public sealed class HybridContractTests : RecommenderContractTests
{
    protected override IRecommender Create() => new RecEngine.Models.Hybrid.HybridRecommender(
        [(new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 2, Iterations = 10, Regularization = 0.1f, Values = MatrixValues.One }), 0.5), (new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 5 }), 0.5)]);
}
