using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace RecEngine.WebApi;

/// <summary>Healthy once the engine has started, with its ingest counters; unhealthy before or after.</summary>
public sealed class EngineHealthCheck(RecommendationEngineProvider provider) : IHealthCheck
{
    /// <inheritdoc/>
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!provider.IsStarted)
        {
            return HealthCheckResult.Unhealthy("The recommendation engine is not running.");
        }

        RecommendationEngine engine = await provider.GetEngineAsync(cancellationToken);
        Ingest.IngestCounters counters = engine.Counters;
        var data = new Dictionary<string, object>
        {
            ["applied"] = counters.Applied,
            ["queued"] = counters.QueueLength,
            ["failed"] = counters.Failed,
            ["models"] = string.Join(",", engine.ModelNames),
        };
        return counters.Failed > 0
            ? HealthCheckResult.Degraded("A micro-batch failed; a retrain reconciles the models.", data: data)
            : HealthCheckResult.Healthy("The recommendation engine is running.", data);
    }
}
