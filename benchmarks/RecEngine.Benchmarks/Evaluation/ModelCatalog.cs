using System.Globalization;
using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Models.Factorization;
using RecEngine.Models.Popularity;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>The models the runner knows, under stable names, built from the command's options.</summary>
internal static class ModelCatalog
{
    public static IReadOnlyList<string> Names { get; } = ["popularity", "popularity-decay", "baseline", "als", "als-explicit"];

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

    private static MatrixValues ParseValues(string text) => text.ToLower(CultureInfo.InvariantCulture) switch
    {
        "one" => MatrixValues.One,
        "weight" => MatrixValues.Weight,
        "value" => MatrixValues.Value,
        _ => throw new ArgumentException($"Option '--values' expects one, weight or value, found '{text}'."),
    };
}
