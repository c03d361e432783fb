// RecEngine quickstart: train models on the embedded synthetic dataset (or MovieLens with
// --movielens <folder>), compare them offline, then ask for recommendations, explanations and similar items
// (collaborative and content-based, including an item known only by its attributes), and end with a live engine
// that learns from a stream of events while it serves.
using System.Diagnostics;
using System.Globalization;
using RecEngine;
using RecEngine.Data;
using RecEngine.Data.Loading;
using RecEngine.Data.Synthetic;
using RecEngine.Evaluation;
using RecEngine.Ingest;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Popularity;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var total = Stopwatch.StartNew();

// 1. Data: every user event is (user, item, value, timestamp, kind); ids are the caller's own strings.
InteractionDataset data;
string source;
int folderArg = Array.IndexOf(args, "--movielens");
if (folderArg >= 0)
{
    if (folderArg + 1 >= args.Length)
    {
        Console.Error.WriteLine("usage: RecEngine.Quickstart [--movielens <folder with u.data, ratings.csv or ratings.dat>]");
        return 2;
    }

    string folder = args[folderArg + 1];
    try
    {
        (data, source) = LoadMovieLens(folder);
    }
    catch (IOException e)
    {
        Console.Error.WriteLine(e.Message);
        return 1;
    }
}
else
{
    data = SyntheticDatasetGenerator.Generate(SyntheticDatasetOptions.SmallShape());
    source = "synthetic (embedded generator, seed 42)";
}

Console.WriteLine($"RecEngine quickstart - {source}");
Console.WriteLine($"  {data.CountActiveUsers():N0} users, {data.ItemCount:N0} items, {data.Count:N0} interactions");
Console.WriteLine();

// 2. Offline comparison: hold out each user's latest interaction, rank every item the user has not seen.
var split = DatasetSplit.LeaveLastOut(data);
IRecommender[] models =
[
    new PopularityRecommender(),
    new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.FromDays(30) }),
    new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Values = MatrixValues.One }),
    new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 10, NormalizeSimilarities = true }),
    new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 20 }),
    new ContentRecommender(),
];
Console.WriteLine("Top-10 quality, leave-last-out, full ranking over unseen items:");
Console.WriteLine($"  {"model",-18} {"HR@10",7} {"NDCG@10",8} {"MRR@10",7} {"Coverage",9} {"fit",8}");
foreach (IRecommender model in models)
{
    var fit = Stopwatch.StartNew();
    model.Fit(split.Train);
    fit.Stop();
    EvaluationResult result = RankingEvaluator.Evaluate(model, split);
    Console.WriteLine($"  {model.Name,-18} {result["HR@10"],7:F4} {result["NDCG@10"],8:F4} {result["MRR@10"],7:F4} {result["Coverage@10"],9:F4} {fit.Elapsed.TotalSeconds,7:F2}s");
}

Console.WriteLine();

// 3. Rating prediction: 20 % of the ratings held out at random.
var ratingSplit = DatasetSplit.RandomHoldout(data, testFraction: 0.2, seed: 1);
Console.WriteLine("Rating prediction, 20 % random holdout:");
Console.WriteLine($"  {"model",-18} {"RMSE",7} {"MAE",7}");
IRatingPredictor[] predictors =
[
    new BaselineRatingPredictor(),
    new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 16, Regularization = 0.1f }),
    new ItemKnnRecommender(new NeighborhoodOptions { Values = MatrixValues.Value, Neighbors = 200 }),
];
foreach (IRatingPredictor predictor in predictors)
{
    var recommender = (IRecommender)predictor;
    recommender.Fit(ratingSplit.Train);
    EvaluationResult result = RatingEvaluator.Evaluate(predictor, ratingSplit);
    Console.WriteLine($"  {recommender.Name,-18} {result["RMSE"],7:F4} {result["MAE"],7:F4}");
}

Console.WriteLine();

// 4. Serving: fit on everything, then recommend, explain and find similar items.
var als = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Values = MatrixValues.One });
als.Fit(data);
string user = data.Users.GetId(0);
Console.WriteLine($"User {user} recently interacted with:");
foreach (int row in LatestRowsOf(data, userIndex: 0, count: 5))
{
    Console.WriteLine($"  {Describe(data, data.ItemIndices[row])}");
}

Console.WriteLine($"Recommended for {user} (ALS):");
IReadOnlyList<ScoredItem> top = als.Recommend(user, 5);
foreach (ScoredItem item in top)
{
    Console.WriteLine($"  {item.Score,6:F3}  {Describe(data, item.ItemId)}");
}

if (als.Explain(user, top[0].ItemId, count: 3) is { } why)
{
    Console.WriteLine($"Why {top[0].ItemId}? Because {user} liked:");
    foreach (ItemContribution part in why.Contributions)
    {
        Console.WriteLine($"  {part.Contribution,6:F3}  {Describe(data, part.ItemId)}");
    }
}

Console.WriteLine($"Items similar to {top[0].ItemId}:");
foreach (ScoredItem item in als.SimilarItems(top[0].ItemId, 3))
{
    Console.WriteLine($"  {item.Score,6:F3}  {Describe(data, item.ItemId)}");
}

// Item-kNN: "because you liked X", straight from the neighbour lists.
var knn = new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 10, NormalizeSimilarities = true });
knn.Fit(data);
Console.WriteLine($"Recommended for {user} (item-kNN):");
foreach (ScoredItem item in knn.Recommend(user, 3))
{
    string because = knn.Explain(user, item.ItemId, count: 1) is { } reason
        ? $"because you liked {Describe(data, reason.Contributions[0].ItemId)}"
        : "popular";
    Console.WriteLine($"  {item.Score,6:F3}  {Describe(data, item.ItemId)} - {because}");
}

// Content: a brand-new item, known only by its attributes, already has look-alikes.
var content = new ContentRecommender();
content.Fit(data);
ItemAttributes template = data.Catalog[data.Items.TryGetIndex(top[0].ItemId, out int topIndex) ? topIndex : 0];
var brandNew = new ItemAttributes { Title = "Brand-new item", Categories = template.Categories, Tags = template.Tags };
Console.WriteLine($"Items like a brand-new item, not in the catalog, described like {top[0].ItemId} (content):");
foreach (ScoredItem item in content.SimilarItems(brandNew, 3))
{
    Console.WriteLine($"  {item.Score,6:F3}  {Describe(data, item.ItemId)}");
}

var inStock = new RecommendOptions { Filter = id => !id.EndsWith('7') };
Console.WriteLine($"A new visitor gets the popular fallback ({(als.IsKnownUser("new-visitor") ? "personal" : "fallback")}), filtered to items whose id does not end in 7:");
foreach (ScoredItem item in als.Recommend("new-visitor", 3, inStock))
{
    Console.WriteLine($"  {Describe(data, item.ItemId)}");
}

Console.WriteLine();

// 5. Live: an engine trained on the older 80 % of the events takes the newer 20 % as a stream. Meanwhile a new
// visitor clicks three items of one category, and their recommendations follow each click.
int[] byTime = [.. Enumerable.Range(0, data.Count).OrderBy(r => data.Timestamps[r])];
int cut = byTime.Length * 4 / 5;
var engineOptions = new RecommendationEngineOptions();
engineOptions.Models.Add(EngineModel.ImplicitAls(new ImplicitAlsOptions { Factors = 64, Values = MatrixValues.One }));
engineOptions.Models.Add(EngineModel.ItemKnn(new NeighborhoodOptions { Neighbors = 20 }));
await using RecommendationEngine engine = await RecommendationEngine.StartAsync(engineOptions, data.Subset(byTime.AsSpan(0, cut)));
IReadOnlyList<string> latestCategories = data.Catalog[data.ItemIndices[byTime[^1]]].Categories;
string category = latestCategories.Count > 0 ? latestCategories[0] : "";
string[] visitorClicks = [.. Enumerable.Range(0, data.ItemCount)
    .Where(i => data.Catalog[i].Categories.Contains(category))
    .OrderBy(i => i)
    .Take(3)
    .Select(i => data.Items.GetId(i))];
Console.WriteLine($"Live engine: {string.Join(" + ", engine.ModelNames)} trained on {cut:N0} older events; streaming the newer {byTime.Length - cut:N0}.");
ShowLive("before any click", engine.Recommender.Recommend("visitor", 5));
var streaming = Stopwatch.StartNew();
int stride = (byTime.Length - cut) / (visitorClicks.Length + 1);
for (int step = 0; step <= visitorClicks.Length; step++)
{
    // Everyone else's events, as they happen: one submission for the whole slice.
    int from = cut + (step * stride);
    int to = step == visitorClicks.Length ? byTime.Length : from + stride;
    await engine.SubmitAsync(byTime[from..to].Select(r => data[r]));
    if (step < visitorClicks.Length)
    {
        await engine.SubmitAsync(new Interaction("visitor", visitorClicks[step], 1f, DateTimeOffset.UtcNow, EventKind.Click));

        // Read-your-writes: once the flush returns, every recommender reflects the click.
        await engine.FlushAsync();
        ShowLive($"after clicking {Describe(data, visitorClicks[step])}", engine.Recommender.Recommend("visitor", 5));
    }
}

await engine.FlushAsync();
IngestCounters counters = engine.Counters;
Console.WriteLine($"Streamed {counters.Applied:N0} events in {streaming.Elapsed.TotalSeconds:F2} s ({counters.Applied / streaming.Elapsed.TotalSeconds:N0} events/s, {counters.Batches:N0} micro-batches, every one applied to both models).");
Console.WriteLine($"Similar to {visitorClicks[0]} now (item-kNN, neighbour lists kept exact per event):");
foreach (ScoredItem item in engine.GetRecommender("item-knn").SimilarItems(visitorClicks[0], 3))
{
    Console.WriteLine($"  {item.Score,6:F3}  {Describe(data, item.ItemId)}");
}

Console.WriteLine();
Console.WriteLine($"Done in {total.Elapsed.TotalSeconds:F1} s.");
return 0;

void ShowLive(string moment, IReadOnlyList<ScoredItem> items)
{
    int matching = items.Count(i => data.Items.TryGetIndex(i.ItemId, out int index) && data.Catalog[index].Categories.Contains(category));
    Console.WriteLine($"Visitor's top 5 {moment} ({matching} of 5 in '{category}'):");
    foreach (ScoredItem item in items)
    {
        Console.WriteLine($"  {item.Score,6:F3}  {Describe(data, item.ItemId)}");
    }
}

static (InteractionDataset Data, string Source) LoadMovieLens(string folder)
{
    if (File.Exists(Path.Combine(folder, "u.data")))
    {
        return (MovieLens.Load100K(folder), "MovieLens 100K");
    }

    if (File.Exists(Path.Combine(folder, "ratings.csv")))
    {
        return (MovieLens.LoadLatest(folder), "MovieLens (latest)");
    }

    if (File.Exists(Path.Combine(folder, "ratings.dat")))
    {
        return (MovieLens.Load1M(folder), "MovieLens 1M");
    }

    throw new FileNotFoundException($"No MovieLens ratings file (u.data, ratings.csv or ratings.dat) in '{folder}'.");
}

static IEnumerable<int> LatestRowsOf(InteractionDataset data, int userIndex, int count)
{
    var rows = new List<int>();
    for (int row = 0; row < data.Count; row++)
    {
        if (data.UserIndices[row] == userIndex)
        {
            rows.Add(row);
        }
    }

    return rows.OrderByDescending(r => data.Timestamps[r]).Take(count);
}

static string Describe(InteractionDataset data, object item)
{
    int index = item is int i ? i : data.Items.TryGetIndex((string)item, out int found) ? found : -1;
    if (index < 0)
    {
        return item.ToString() ?? "";
    }

    ItemAttributes attributes = data.Catalog[index];
    string title = attributes.Title ?? data.Items.GetId(index);
    return attributes.Categories.Count == 0 ? title : $"{title} [{string.Join(", ", attributes.Categories)}]";
}
