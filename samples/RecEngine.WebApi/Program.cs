// RecEngine in an ASP.NET Core minimal API: events in, recommendations out, with health, OpenAPI and OpenTelemetry.
//
//   dotnet run --project samples/RecEngine.WebApi -- --urls http://127.0.0.1:5080
//   curl -X POST 'http://127.0.0.1:5080/events?wait=true' -H 'Content-Type: application/json' \
//        -d '[{"userId":"alice","itemId":"i12","kind":"click"}]'
//   curl 'http://127.0.0.1:5080/users/alice/recommendations?count=5'
//   curl 'http://127.0.0.1:5080/items/i12/similar?count=5'
//   curl 'http://127.0.0.1:5080/health'  and  'http://127.0.0.1:5080/openapi/v1.json'
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using RecEngine;
using RecEngine.Data.Synthetic;
using RecEngine.WebApi;

WebApplicationBuilder builder = WebApplication.CreateBuilder(args);

// The engine: live implicit ALS for personal recommendations, live item-kNN for "similar items", popularity as
// the fallback, trained on the embedded synthetic dataset (nothing downloaded). Set RecEngine:DataDirectory to
// keep events and snapshots across restarts.
builder.Services.AddRecEngine(engine => engine
    .AddImplicitAls("als", als =>
    {
        als.Factors = 32;
        als.Iterations = 8;
    })
    .AddItemKnn("similar", knn => knn.Neighbors = 30)
    .AddPopularity()
    .StartFrom(_ => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 2_000,
        ItemCount = 1_000,
        InteractionCount = 60_000,
        Feedback = SyntheticFeedback.ImplicitEvents,
    }))
    .ConfigureEngine(options =>
    {
        options.DataDirectory = builder.Configuration["RecEngine:DataDirectory"];
        options.SnapshotInterval = options.DataDirectory is null ? null : TimeSpan.FromMinutes(10);
    })
    .UseHostedService());

builder.Services.AddHealthChecks().AddCheck<EngineHealthCheck>("recengine");
builder.Services.AddOpenApi();

// OpenTelemetry picks RecEngine up by its meter and activity source names. Traces show each request with the model
// call inside it; metrics include ingest throughput, queue length, submit-to-visible latency and recommend time.
// Export over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set, or to the console with Telemetry:Console=true.
OpenTelemetryBuilder telemetry = builder.Services.AddOpenTelemetry()
    .WithMetrics(metrics => metrics.AddMeter(RecEngineDiagnostics.MeterName).AddAspNetCoreInstrumentation())
    .WithTracing(tracing => tracing.AddSource(RecEngineDiagnostics.ActivitySourceName).AddAspNetCoreInstrumentation());
if (!string.IsNullOrEmpty(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
{
    telemetry.UseOtlpExporter();
}

if (builder.Configuration.GetValue<bool>("Telemetry:Console"))
{
    telemetry.WithMetrics(metrics => metrics.AddConsoleExporter()).WithTracing(tracing => tracing.AddConsoleExporter());
}

WebApplication app = builder.Build();
app.MapOpenApi();
app.MapHealthChecks("/health");
app.MapRecEngineEndpoints();
app.Run();
