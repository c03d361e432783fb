using System.Globalization;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>The options of the <c>evaluate</c> command, parsed from <c>--name value</c> pairs.</summary>
internal sealed class EvaluateArguments
{
    public const string Usage = """
        Usage: evaluate --dataset <synthetic|ml-100k|ml-latest-small|ml-1m|ml-10m> [--data <folder>]
                        [--users N --items N --interactions N --seed N]      (synthetic shape)
                        --protocol <leave-last-out|sampled|kfold|temporal|prequential> [--k 10] [--negatives 99]
                        [--negative-seed 0]  (seed of the sampled protocol's negatives, apart from --seed)
                        [--folds 5] [--train-fraction 0.8 (prequential: 0.5)] [--curve <csv file>] [--chart <png file>]
                        --models <comma list: popularity,popularity-decay,baseline,als,als-explicit,
                                  item-knn,user-knn,content,mlp,mlp-rerank-als,hybrid; prequential: <name>-static for any of them,
                                  <name> for those updated in real time (als, popularity, popularity-decay, item-knn, user-knn,
                                  content, mlp)>
                        [--json <file>] [--threads N]
                        model options: [--factors 64] [--regularization R] [--alpha A] [--iterations 15]
                        [--solver cg|cholesky] [--cg-steps 3] [--values one|weight|value]
                        [--bias-regularization R] [--half-life-days D]
                        kNN: [--measure cosine|adjusted-cosine|pearson|jaccard|dot] [--neighbors 20]
                        [--shrinkage B] [--weighting none|tfidf|bm25] [--bm25-k1 1.2] [--bm25-b 0.75]
                        [--normalize true|false] [--prediction-neighbors 40]
                        content: [--category-weight 1] [--text-weight 1] [--numeric-weight 0.5]
                        mlp: [--embedding 32] [--hidden 64,32] [--loss bce|bpr] [--sampling uniform|popularity]
                        [--mlp-negatives 4] [--epochs 20] [--batch 256] [--learning-rate 0.002]
                        [--weight-decay 0.0001] [--validation 0.05] [--content true|false] [--context true|false]
                        [--product true|false]
                        mlp-rerank-als: als and mlp options, [--candidates 100]
                        hybrid (als + mlp): [--learn-weights true|false] [--hybrid-weights 0.5,0.5]
        --data defaults to RECENGINE_DATA for the MovieLens datasets.
        """;

    private static readonly HashSet<string> Known =
    [
        "dataset", "data", "users", "items", "interactions", "seed", "protocol", "k", "negatives", "negative-seed", "folds",
        "train-fraction", "models", "json", "threads", "factors", "regularization", "alpha", "iterations",
        "solver", "cg-steps", "values", "bias-regularization", "half-life-days", "measure", "neighbors",
        "shrinkage", "weighting", "bm25-k1", "bm25-b", "normalize", "prediction-neighbors", "category-weight",
        "text-weight", "numeric-weight", "curve", "chart", "embedding", "hidden", "loss", "sampling", "mlp-negatives",
        "epochs", "batch", "learning-rate", "weight-decay", "validation", "content", "context", "product", "candidates", "learn-weights", "hybrid-weights",
    ];

    private readonly Dictionary<string, string> _values;

    private EvaluateArguments(Dictionary<string, string> values) => _values = values;

    public string Dataset => Required("dataset");

    public string Protocol => Required("protocol");

    public IReadOnlyList<string> Models => Required("models").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public string? DataFolder => _values.GetValueOrDefault("data") ?? Environment.GetEnvironmentVariable("RECENGINE_DATA");

    public string? JsonPath => _values.GetValueOrDefault("json");

    public int K => Int("k", 10);

    /// <summary>Seed of the models (and of the synthetic data and the folds).</summary>
    public int Seed => Int("seed", 42);

    /// <summary>
    /// Seed of the sampled protocol's negatives (and of the hybrid's validation under it), separate from the models'
    /// <see cref="Seed"/>; 0 by default, the seed of the figures in the documentation and the quality tests.
    /// </summary>
    public int NegativeSeed => Int("negative-seed", 0);

    public int? Threads => _values.ContainsKey("threads") ? Int("threads", 1) : null;

    public bool Has(string name) => _values.ContainsKey(name);

    public string? Text(string name) => _values.GetValueOrDefault(name);

    public int Int(string name, int fallback) =>
        _values.TryGetValue(name, out string? text)
            ? int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) ? value : throw Bad(name, text, "an integer")
            : fallback;

    public double Double(string name, double fallback) =>
        _values.TryGetValue(name, out string? text)
            ? double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : throw Bad(name, text, "a number")
            : fallback;

    /// <summary>Parses <c>--name value</c> pairs; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static EvaluateArguments Parse(IReadOnlyList<string> args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < args.Count; i++)
        {
            string arg = args[i];
            if (!arg.StartsWith("--", StringComparison.Ordinal) || arg.Length == 2)
            {
                throw new ArgumentException($"Expected an option like --dataset, found '{arg}'.");
            }

            string name = arg[2..];
            if (!Known.Contains(name))
            {
                throw new ArgumentException($"Unknown option '--{name}'.");
            }

            if (i + 1 >= args.Count)
            {
                throw new ArgumentException($"Option '--{name}' needs a value.");
            }

            values[name] = args[++i];
        }

        var parsed = new EvaluateArguments(values);
        _ = parsed.Dataset;
        _ = parsed.Protocol;
        _ = parsed.Models;
        return parsed;
    }

    private string Required(string name) =>
        _values.TryGetValue(name, out string? value) && value.Length > 0 ? value : throw new ArgumentException($"Option '--{name}' is required.");

    private static ArgumentException Bad(string name, string text, string expected) =>
        new($"Option '--{name}' expects {expected}, found '{text}'.");
}
