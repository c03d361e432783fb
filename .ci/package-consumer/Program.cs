// Uses the packed RecEngine packages as an application would: fit, save and load a model, then run the engine
// with dependency injection and the hosted service, submit an event and see it served. Exits 1 on any mismatch.
using System.Reflection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using RecEngine;
using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Models.Factorization;
using RecEngine.Persistence;

InteractionDataset data = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
{
    UserCount = 300,
    ItemCount = 200,
    InteractionCount = 6_000,
    MinInteractionsPerUser = 5,
    Feedback = SyntheticFeedback.ImplicitEvents,
});
var model = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 16, Iterations = 5 });
model.Fit(data);
string user = data.Users.GetId(0);
IReadOnlyList<ScoredItem> top = model.Recommend(user, 5);
using var saved = new MemoryStream();
ModelFile.Save(model, saved);
saved.Position = 0;
IReadOnlyList<ScoredItem> loaded = ModelFile.Load(saved).Recommend(user, 5);
Check(top.Count == 5 && top.SequenceEqual(loaded), "a saved and loaded model recommends the same");

HostApplicationBuilder builder = Host.CreateApplicationBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services.AddRecEngine(engine => engine
    .AddImplicitAls("als", als => als.Factors = 16)
    .AddItemKnn("similar")
    .StartFrom(_ => data)
    .UseHostedService());
using IHost host = builder.Build();
await host.StartAsync();
IEventIngest ingest = host.Services.GetRequiredService<IEventIngest>();
IRecommender recommender = host.Services.GetRequiredService<IRecommender>();
IRecommender similar = host.Services.GetRequiredKeyedService<IRecommender>("similar");
Check(!recommender.IsKnownUser("package-consumer"), "a new user is unknown before any event");
await ingest.SubmitAsync(new Interaction("package-consumer", data.Items.GetId(3), 1f, DateTimeOffset.UtcNow, EventKind.Click));
await ingest.FlushAsync();
Check(recommender.IsKnownUser("package-consumer"), "the event is visible after a flush");
Check(similar.SimilarItems(data.Items.GetId(3), 5).Count == 5, "the keyed item-kNN model serves similar items");
await host.StopAsync();

string version = typeof(IRecommender).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;
Console.WriteLine($"The RecEngine {version} packages work in a fresh application.");
return 0;

static void Check(bool condition, string what)
{
    if (!condition)
    {
        Console.Error.WriteLine($"FAILED: {what}");
        Environment.Exit(1);
    }
}
