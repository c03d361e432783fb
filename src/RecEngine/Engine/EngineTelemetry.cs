using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace RecEngine;

/// <summary>What an engine's recommenders report through: the recommend-duration histogram and the activity source.</summary>
internal sealed record EngineTelemetry(Histogram<double> RecommendDuration, ActivitySource Activities);
