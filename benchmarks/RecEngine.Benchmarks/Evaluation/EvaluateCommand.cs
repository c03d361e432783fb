using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using RecEngine.Data;
using RecEngine.Evaluation;

namespace RecEngine.Benchmarks.Evaluation;

/// <summary>
/// <c>evaluate</c>: fits each requested model under one protocol, prints a table and, with <c>--json</c>, writes one
/// JSON object per model and line: <c>{"model", "dataset", "protocol", "metrics", "fitSeconds", "params"}</c>.
/// </summary>
internal static class EvaluateCommand
{
    private static readonly JsonSerializerOptions s_json = new() { WriteIndented = false };

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        EvaluateArguments arguments;
        InteractionDataset data;
        try
        {
            arguments = EvaluateArguments.Parse(args);
            foreach (string model in arguments.Models)
            {
                bool frozen = arguments.Protocol == "prequential" && model.EndsWith("-static", StringComparison.Ordinal);
                _ = ModelCatalog.Create(frozen ? model[..^"-static".Length] : model, arguments);
            }

            data = DatasetCatalog.Load(arguments);
        }
        catch (Exception e) when (e is ArgumentException or IOException)
        {
            error.WriteLine(e.Message);
            error.WriteLine(EvaluateArguments.Usage);
            return 2;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dataset {arguments.Dataset}: {data.CountActiveUsers():N0} users, {data.ItemCount:N0} items, {data.Count:N0} interactions; protocol {arguments.Protocol}, k = {arguments.K}"));
        var records = new List<Record>();
        foreach (string name in arguments.Models)
        {
            Record record = Evaluate(name, arguments, data);
            records.Add(record);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {name}: fitted in {record.FitSeconds:F3} s"));
        }

        WriteTable(output, records);
        if (arguments.Text("chart") is { } chart)
        {
            var curves = records.Where(r => r.Curve is not null).Select(r => (r.Model, (IReadOnlyList<(double, double)>)[.. r.Curve!.Select(p => ((double)p.Events, p.HitRate))])).ToList();
            LineChart.Save(chart, $"prequential HR@{arguments.K} per window - {arguments.Dataset}", "events replayed", $"HR@{arguments.K}", curves);
            output.WriteLine($"wrote the chart of {curves.Count} curves to {chart}");
        }

        if (arguments.JsonPath is { } path)
        {
            using var writer = new StreamWriter(path, append: false);
            foreach (Record record in records)
            {
                writer.WriteLine(JsonSerializer.Serialize(new
                {
                    model = record.Model,
                    dataset = arguments.Dataset,
                    protocol = arguments.Protocol,
                    metrics = record.Metrics,
                    fitSeconds = record.FitSeconds,
                    @params = record.Parameters,
                }, s_json));
            }

            output.WriteLine($"wrote {records.Count} records to {path}");
        }

        return 0;
    }

    private static Record Evaluate(string name, EvaluateArguments args, InteractionDataset data)
    {
        var ranking = new RankingEvaluationOptions { K = args.K, Seed = args.NegativeSeed };
        switch (args.Protocol)
        {
            case "leave-last-out":
                return FitAndEvaluate(name, args, DatasetSplit.LeaveLastOut(data), ranking);
            case "sampled":
                ranking.Protocol = EvaluationProtocol.Sampled;
                ranking.NegativeSampleCount = args.Int("negatives", 99);
                return FitAndEvaluate(name, args, DatasetSplit.LeaveLastOut(data), ranking);
            case "temporal":
                return FitAndEvaluate(name, args, DatasetSplit.TemporalByFraction(data, args.Double("train-fraction", 0.8)), ranking);
            case "prequential":
                return Prequential(name, args, data);
            case "kfold":
            {
                int folds = args.Int("folds", 5);
                var (_, parameters) = ModelCatalog.Create(name, args);
                CrossValidationResult result = CrossValidation.Run(data, () => ModelCatalog.Create(name, args).Model, folds, args.Seed, ranking);
                return new Record(name, new Dictionary<string, double>(result.Mean), result.FitTime.TotalSeconds / folds, parameters);
            }

            default:
                throw new ArgumentException($"Unknown protocol '{args.Protocol}'. Known protocols: leave-last-out, sampled, kfold, temporal, prequential.");
        }
    }

    /// <summary>
    /// Fits on the first part by time (<c>--train-fraction</c>, 0.5) and replays the rest event by event.
    /// <c>&lt;name&gt;-static</c> is the fitted model frozen; <c>&lt;name&gt;</c> is the same model updated in real time
    /// (models with a live path: als, popularity, popularity-decay, item-knn, user-knn, content, mlp). With <c>--curve</c>, the windowed HR curve is
    /// appended to a CSV file; with <c>--chart</c>, every model's curve is drawn into one PNG chart.
    /// </summary>
    private static Record Prequential(string name, EvaluateArguments args, InteractionDataset data)
    {
        bool frozen = name.EndsWith("-static", StringComparison.Ordinal);
        string baseName = frozen ? name[..^"-static".Length] : name;
        var (model, parameters) = ModelCatalog.Create(baseName, args);
        var split = DatasetSplit.TemporalByFraction(data, args.Double("train-fraction", 0.5));
        long start = Stopwatch.GetTimestamp();
        model.Fit(split.Train);
        double fitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        PrequentialModel subject = frozen
            ? new PrequentialModel(name, model, null)
            : model switch
            {
                RecEngine.Models.Factorization.ImplicitAlsRecommender als => Live(name, new RecEngine.Models.Factorization.LiveImplicitAls(als)),
                RecEngine.Models.Popularity.PopularityRecommender => LivePopularity(name, split.Train, baseName, args),
                RecEngine.Models.Neighborhood.ItemKnnRecommender => LiveNeighborhood(name, split.Train, itemBased: true, args),
                RecEngine.Models.Neighborhood.UserKnnRecommender => LiveNeighborhood(name, split.Train, itemBased: false, args),
                RecEngine.Models.Content.ContentRecommender => LiveContent(name, split.Train, args),
                RecEngine.Models.Neural.NeuralRecommender neural => LiveNeural(name, neural),
                _ => throw new ArgumentException($"Model '{baseName}' has no real-time path yet; use '{baseName}-static'."),
            };
        PrequentialModelResult result = PrequentialEvaluator.Run(split.Test, [subject], args.K)[0];
        if (args.Text("curve") is { } curve)
        {
            bool header = !File.Exists(curve);
            using var writer = new StreamWriter(curve, append: true);
            if (header)
            {
                writer.WriteLine("dataset,model,events,hit_rate");
            }

            foreach ((long events, double hitRate) in result.Curve)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{args.Dataset},{name},{events},{hitRate:F6}"));
            }
        }

        var metrics = new Dictionary<string, double>
        {
            [MetricNames.HitRate(args.K)] = result.HitRate,
            [MetricNames.Ndcg(args.K)] = result.Ndcg,
        };
        return new Record(name, metrics, fitSeconds, parameters, result.Curve);

        static PrequentialModel Live(string name, RecEngine.Models.Factorization.LiveImplicitAls live) => new(name, live.Recommender, live);

        static PrequentialModel LiveNeural(string name, RecEngine.Models.Neural.NeuralRecommender neural)
        {
            var live = new RecEngine.Models.Neural.LiveNeural(neural, new RecEngine.Models.Neural.NeuralOnlineOptions());
            return new(name, live.Recommender, live);
        }

        static PrequentialModel LiveNeighborhood(string name, InteractionDataset train, bool itemBased, EvaluateArguments args)
        {
            var live = new RecEngine.Models.Neighborhood.LiveNeighborhood(train, itemBased, ModelCatalog.NeighborhoodOptions(args));
            return new(name, live.Recommender, live);
        }

        static PrequentialModel LiveContent(string name, InteractionDataset train, EvaluateArguments args)
        {
            var live = new RecEngine.Models.Content.LiveContent(train, ModelCatalog.ContentOptions(args));
            return new(name, live.Recommender, live);
        }

        static PrequentialModel LivePopularity(string name, InteractionDataset train, string baseName, EvaluateArguments args)
        {
            var options = new RecEngine.Models.Popularity.PopularityOptions
            {
                HalfLife = baseName == "popularity-decay" ? TimeSpan.FromDays(args.Double("half-life-days", 30)) : null,
            };
            var live = new RecEngine.Models.Popularity.LivePopularity(train, options);
            return new(name, live.Recommender, live);
        }
    }

    private static Record FitAndEvaluate(string name, EvaluateArguments args, DatasetSplit split, RankingEvaluationOptions ranking)
    {
        var (model, parameters) = ModelCatalog.Create(name, args);
        long start = Stopwatch.GetTimestamp();
        model.Fit(split.Train);
        double fitSeconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        EvaluationResult result = RankingEvaluator.Evaluate(model, split, ranking);
        var metrics = new Dictionary<string, double>(result.Metrics);
        if (model is IRatingPredictor predictor)
        {
            foreach (var (metric, value) in RatingEvaluator.Evaluate(predictor, split).Metrics)
            {
                metrics[metric] = value;
            }
        }

        return new Record(name, metrics, fitSeconds, parameters);
    }

    private static void WriteTable(TextWriter output, List<Record> records)
    {
        var columns = records.SelectMany(r => r.Metrics.Keys).Distinct().ToList();
        output.WriteLine();
        output.WriteLine("| model | " + string.Join(" | ", columns) + " | fit s |");
        output.WriteLine("|---|" + string.Concat(Enumerable.Repeat("---:|", columns.Count + 1)));
        foreach (Record record in records)
        {
            IEnumerable<string> cells = columns.Select(c => record.Metrics.TryGetValue(c, out double v) ? v.ToString("F4", CultureInfo.InvariantCulture) : "");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {record.Model} | {string.Join(" | ", cells)} | {record.FitSeconds:F3} |"));
        }
    }

    private sealed record Record(string Model, Dictionary<string, double> Metrics, double FitSeconds, Dictionary<string, object> Parameters, IReadOnlyList<(long Events, double HitRate)>? Curve = null);
}
