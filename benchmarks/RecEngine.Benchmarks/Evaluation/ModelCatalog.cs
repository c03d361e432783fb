using System.Globalization;
using RecEngine.Data;
using RecEngine.Evaluation;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>The models the runner knows, under stable names, built from the command's options.</summary>
internal static class ModelCatalog
{
    public static IReadOnlyList<string> Names { get; } =
        ["popularity", "popularity-decay", "baseline", "als", "als-explicit", "item-knn", "user-knn", "content", "mlp", "mlp-rerank-als", "hybrid"];

    /// <summary>Creates a fresh model and the parameters it was given (for the JSON record).</summary>
    public static (IRecommender Model, Dictionary<string, object> Parameters) Create(string name, EvaluateArguments args)
    {
        int? threads = args.Threads;
        switch (name)
        {
            case "popularity":
                return (new PopularityRecommender(), []);
            case "popularity-decay":
            {
                double days = args.Double("half-life-days", 30);
                return (new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.FromDays(days) }), new() { ["halfLifeDays"] = days });
            }

            case "baseline":
                return (new BaselineRatingPredictor(), new() { ["userRegularization"] = 15.0, ["itemRegularization"] = 10.0 });
            case "als":
            {
                var options = new ImplicitAlsOptions
                {
                    Factors = args.Int("factors", 64),
                    Regularization = (float)args.Double("regularization", 0.05),
                    Alpha = (float)args.Double("alpha", 4),
                    Iterations = args.Int("iterations", 15),
                    Solver = ParseSolver(args.Text("solver") ?? "cg"),
                    ConjugateGradientSteps = args.Int("cg-steps", 3),
                    Values = ParseValues(args.Text("values") ?? "one"),
                    Seed = args.Seed,
                    DegreeOfParallelism = threads,
                };
                return (new ImplicitAlsRecommender(options), new()
                {
                    ["factors"] = options.Factors,
                    ["regularization"] = options.Regularization,
                    ["alpha"] = options.Alpha,
                    ["iterations"] = options.Iterations,
                    ["solver"] = options.Solver.ToString(),
                    ["cgSteps"] = options.ConjugateGradientSteps,
                    ["values"] = options.Values.ToString(),
                    ["threads"] = threads ?? Environment.ProcessorCount,
                });
            }

            case "mlp":
            {
                var options = new NeuralOptions
                {
                    EmbeddingSize = args.Int("embedding", 32),
                    HiddenLayers = [.. (args.Text("hidden") ?? "64,32").Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture))],
                    Loss = (args.Text("loss") ?? "bce") == "bpr" ? NeuralLoss.Bpr : NeuralLoss.BinaryCrossEntropy,
                    Negatives = (args.Text("sampling") ?? "uniform") == "popularity" ? NegativeSampling.Popularity : NegativeSampling.Uniform,
                    NegativesPerPositive = args.Int("mlp-negatives", 4),
                    Epochs = args.Int("epochs", 20),
                    BatchSize = args.Int("batch", 256),
                    LearningRate = args.Double("learning-rate", 0.002),
                    WeightDecay = args.Double("weight-decay", 1e-4),
                    ValidationFraction = args.Double("validation", 0.05),
                    UseContent = args.Text("content") != "false",
                    UseContext = args.Text("context") != "false",
                    IncludeProduct = args.Text("product") != "false",
                    Seed = args.Seed,
                    DegreeOfParallelism = threads,
                };
                return (new NeuralRecommender(options), new()
                {
                    ["embedding"] = options.EmbeddingSize,
                    ["hidden"] = string.Join(",", options.HiddenLayers),
                    ["loss"] = options.Loss.ToString(),
                    ["sampling"] = options.Negatives.ToString(),
                    ["negatives"] = options.NegativesPerPositive,
                    ["epochs"] = options.Epochs,
                    ["batch"] = options.BatchSize,
                    ["learningRate"] = options.LearningRate,
                    ["weightDecay"] = options.WeightDecay,
                    ["validation"] = options.ValidationFraction,
                    ["threads"] = threads ?? Environment.ProcessorCount,
                });
            }

            case "mlp-rerank-als":
            {
                (IRecommender als, Dictionary<string, object> alsParameters) = Create("als", args);
                (IRecommender mlp, Dictionary<string, object> mlpParameters) = Create("mlp", args);
                int candidates = args.Int("candidates", 100);
                return (new RerankingRecommender((RecommenderBase)als, (RecommenderBase)mlp, candidates), new()
                {
                    ["candidates"] = candidates,
                    ["als"] = alsParameters,
                    ["mlp"] = mlpParameters,
                });
            }

            case "hybrid":
            {
                (IRecommender als, Dictionary<string, object> alsParameters) = Create("als", args);
                (IRecommender mlp, Dictionary<string, object> mlpParameters) = Create("mlp", args);
                bool learn = args.Text("learn-weights") != "false";
                double[] weights = [.. (args.Text("hybrid-weights") ?? "0.5,0.5").Split(',').Select(w => double.Parse(w, CultureInfo.InvariantCulture))];
                var options = new HybridOptions
                {
                    LearnWeights = learn,
                    Validation = new RankingEvaluationOptions
                    {
                        Protocol = args.Protocol == "sampled" ? EvaluationProtocol.Sampled : EvaluationProtocol.Full,
                        NegativeSampleCount = args.Int("negatives", 99),
                        Seed = args.NegativeSeed,
                    },
                };
                return (new HybridRecommender([((RecommenderBase)als, weights[0]), ((RecommenderBase)mlp, weights[1])], options), new()
                {
                    ["learnWeights"] = learn,
                    ["weights"] = string.Join(",", weights),
                    ["als"] = alsParameters,
                    ["mlp"] = mlpParameters,
                });
            }

            case "als-explicit":
            {
                var defaults = new ExplicitAlsOptions();
                var options = new ExplicitAlsOptions
                {
                    Factors = args.Int("factors", defaults.Factors),
                    Regularization = (float)args.Double("regularization", defaults.Regularization),
                    BiasRegularization = (float)args.Double("bias-regularization", defaults.BiasRegularization),
                    Iterations = args.Int("iterations", defaults.Iterations),
                    Seed = args.Seed,
                    DegreeOfParallelism = threads,
                };
                return (new ExplicitAlsRecommender(options), new()
                {
                    ["factors"] = options.Factors,
                    ["regularization"] = options.Regularization,
                    ["biasRegularization"] = options.BiasRegularization,
                    ["iterations"] = options.Iterations,
                    ["threads"] = threads ?? Environment.ProcessorCount,
                });
            }

            case "item-knn":
            case "user-knn":
            {
                NeighborhoodOptions options = NeighborhoodOptions(args);
                IRecommender model = name == "item-knn" ? new ItemKnnRecommender(options) : new UserKnnRecommender(options);
                return (model, new()
                {
                    ["measure"] = options.Measure.ToString(),
                    ["neighbors"] = options.Neighbors,
                    ["shrinkage"] = options.Shrinkage,
                    ["weighting"] = options.Weighting.ToString(),
                    ["bm25K1"] = options.Bm25K1,
                    ["bm25B"] = options.Bm25B,
                    ["normalize"] = options.NormalizeSimilarities,
                    ["predictionNeighbors"] = options.PredictionNeighbors,
                    ["values"] = options.Values.ToString(),
                    ["threads"] = threads ?? Environment.ProcessorCount,
                });
            }

            case "content":
            {
                ContentOptions options = ContentOptions(args);
                return (new ContentRecommender(options), new()
                {
                    ["categoryWeight"] = options.CategoryWeight,
                    ["textWeight"] = options.TextWeight,
                    ["numericWeight"] = options.NumericWeight,
                    ["values"] = options.Values.ToString(),
                });
            }

            default:
                throw new ArgumentException($"Unknown model '{name}'. Known models: {string.Join(", ", Names)}.");
        }
    }

    private static AlsSolver ParseSolver(string text) => text.ToLowerInvariant() switch
    {
        "cg" or "conjugate-gradient" => AlsSolver.ConjugateGradient,
        "cholesky" => AlsSolver.Cholesky,
        _ => throw new ArgumentException($"Option '--solver' expects cg or cholesky, found '{text}'."),
    };

    /// <summary>The content options the command line asks for.</summary>
    public static ContentOptions ContentOptions(EvaluateArguments args) => new()
    {
        CategoryWeight = (float)args.Double("category-weight", 1),
        TextWeight = (float)args.Double("text-weight", 1),
        NumericWeight = (float)args.Double("numeric-weight", 0.5),
        Values = ParseValues(args.Text("values") ?? "one"),
    };

    /// <summary>The neighbourhood options the command line asks for.</summary>
    public static NeighborhoodOptions NeighborhoodOptions(EvaluateArguments args) => new()
    {
        Measure = ParseMeasure(args.Text("measure") ?? "cosine"),
        Neighbors = args.Int("neighbors", 20),
        Shrinkage = (float)args.Double("shrinkage", 0),
        Weighting = ParseWeighting(args.Text("weighting") ?? "none"),
        Bm25K1 = args.Double("bm25-k1", 1.2),
        Bm25B = args.Double("bm25-b", 0.75),
        NormalizeSimilarities = ParseBool("normalize", args.Text("normalize") ?? "false"),
        PredictionNeighbors = args.Int("prediction-neighbors", 40),
        Values = ParseValues(args.Text("values") ?? "one"),
        DegreeOfParallelism = args.Threads,
    };

    private static SimilarityMeasure ParseMeasure(string text) => text.ToLowerInvariant() switch
    {
        "cosine" => SimilarityMeasure.Cosine,
        "adjusted-cosine" => SimilarityMeasure.AdjustedCosine,
        "pearson" => SimilarityMeasure.Pearson,
        "jaccard" => SimilarityMeasure.Jaccard,
        "dot" => SimilarityMeasure.DotProduct,
        _ => throw new ArgumentException($"Option '--measure' expects cosine, adjusted-cosine, pearson, jaccard or dot, found '{text}'."),
    };

    private static NeighborWeighting ParseWeighting(string text) => text.ToLowerInvariant() switch
    {
        "none" => NeighborWeighting.None,
        "tfidf" => NeighborWeighting.TfIdf,
        "bm25" => NeighborWeighting.Bm25,
        _ => throw new ArgumentException($"Option '--weighting' expects none, tfidf or bm25, found '{text}'."),
    };

    private static bool ParseBool(string name, string text) => text.ToLowerInvariant() switch
    {
        "true" => true,
        "false" => false,
        _ => throw new ArgumentException($"Option '--{name}' expects true or false, found '{text}'."),
    };

    private static MatrixValues ParseValues(string text) => text.ToLower(CultureInfo.InvariantCulture) switch
    {
        "one" => MatrixValues.One,
        "weight" => MatrixValues.Weight,
        "value" => MatrixValues.Value,
        _ => throw new ArgumentException($"Option '--values' expects one, weight or value, found '{text}'."),
    };
}
