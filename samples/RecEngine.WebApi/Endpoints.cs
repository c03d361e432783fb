using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.WebApi;

/// <summary>The HTTP face of the engine: three endpoints over the injected ingest API and recommenders.</summary>
public static class Endpoints
{
    /// <summary>The largest list a client may ask for.</summary>
    public const int MaxCount = 100;

    /// <summary>Maps <c>POST /events</c>, <c>GET /users/{id}/recommendations</c> and <c>GET /items/{id}/similar</c>.</summary>
    public static void MapRecEngineEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapPost("/events", PostEvents)
            .WithSummary("Submits user events (view, click, add-to-cart, purchase, rating).")
            .WithDescription("Each event is checked and queued; rejected events are listed with their reason. With wait=true the call returns once the events are visible to recommendations (read-your-writes).");
        app.MapGet("/users/{id}/recommendations", GetRecommendations)
            .WithSummary("Top items for a user, best first; the popular items for a user the model does not know yet.");
        app.MapGet("/items/{id}/similar", GetSimilar)
            .WithSummary("Items similar to an item (item-kNN neighbours), best first.");
    }

    private static async Task<Results<Accepted<SubmitResponse>, BadRequest<SubmitResponse>, JsonHttpResult<SubmitResponse>, ValidationProblem>> PostEvents(
        EventRequest?[] events, IEventIngest ingest, bool? wait, CancellationToken cancellationToken)
    {
        if (events is null || events.Length == 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["events"] = ["Send a JSON array of at least one event."] });
        }

        // Checked before anything is submitted, so a bad request never applies part of itself.
        int missing = Array.IndexOf(events, null);
        if (missing >= 0)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["events"] = [$"Event {missing} is null."] });
        }

        DateTimeOffset now = DateTimeOffset.UtcNow;
        BatchSubmitResult result = await ingest.SubmitAsync(events.Select(e => e!.ToInteraction(now)), cancellationToken);
        if (wait == true)
        {
            await ingest.FlushAsync(cancellationToken);
        }

        var response = new SubmitResponse(result.Accepted, [.. result.Rejections.Select(r => new RejectedEvent(r.Position, r.Reason.ToString()))]);
        if (result.Accepted > 0)
        {
            return TypedResults.Accepted((string?)null, response);
        }

        // Nothing taken: the client's fault (400), or the server's, a full queue or a stopping engine (503, retry later).
        bool serverSide = result.Rejections.Any(r => r.Reason is EventRejectionReason.QueueFull or EventRejectionReason.Stopped);
        return serverSide ? TypedResults.Json(response, statusCode: StatusCodes.Status503ServiceUnavailable) : TypedResults.BadRequest(response);
    }

    private static Results<Ok<RecommendationResponse>, ValidationProblem> GetRecommendations(string id, int? count, IRecommender recommender)
    {
        if (Invalid(count) is { } problem)
        {
            return problem;
        }

        IReadOnlyList<ScoredItem> items = recommender.Recommend(id, count ?? 10);
        return TypedResults.Ok(new RecommendationResponse(id, recommender.Name, recommender.IsKnownUser(id), [.. items.Select(i => new ItemScore(i.ItemId, i.Score))]));
    }

    private static Results<Ok<SimilarResponse>, ValidationProblem> GetSimilar(string id, int? count, [FromKeyedServices("similar")] IRecommender similar)
    {
        if (Invalid(count) is { } problem)
        {
            return problem;
        }

        IReadOnlyList<ScoredItem> items = similar.SimilarItems(id, count ?? 10);
        return TypedResults.Ok(new SimilarResponse(id, similar.Name, [.. items.Select(i => new ItemScore(i.ItemId, i.Score))]));
    }

    private static ValidationProblem? Invalid(int? count) =>
        count is < 1 or > MaxCount
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["count"] = [$"count must be between 1 and {MaxCount}; it was {count}."] })
            : null;
}

/// <summary>One event as clients send it.</summary>
/// <param name="UserId">Who acted.</param>
/// <param name="ItemId">On what.</param>
/// <param name="Kind">view, click, add-to-cart, purchase or rating; <c>click</c> when omitted.</param>
/// <param name="Value">The rating for a rating, else 1 when omitted.</param>
/// <param name="Timestamp">When; now when omitted.</param>
public sealed record EventRequest(string UserId, string ItemId, string? Kind = null, float? Value = null, DateTimeOffset? Timestamp = null)
{
    /// <summary>The engine's event; a bad kind name becomes an event the engine rejects with a typed reason.</summary>
    public Interaction ToInteraction(DateTimeOffset now) =>
        new(UserId ?? "", ItemId ?? "", Value ?? 1f, Timestamp ?? now, string.IsNullOrWhiteSpace(Kind) ? EventKind.Click : new EventKind(Kind));
}

/// <summary>How many events were accepted, and which were rejected and why.</summary>
public sealed record SubmitResponse(long Accepted, IReadOnlyList<RejectedEvent> Rejected);

/// <summary>A rejected event: its position in the request and the reason.</summary>
public sealed record RejectedEvent(long Index, string Reason);

/// <summary>An item with its score.</summary>
public sealed record ItemScore(string ItemId, float Score);

/// <summary>A user's recommendations; <c>Personalized</c> is false while the model does not know the user.</summary>
public sealed record RecommendationResponse(string UserId, string Model, bool Personalized, IReadOnlyList<ItemScore> Items);

/// <summary>Items similar to an item.</summary>
public sealed record SimilarResponse(string ItemId, string Model, IReadOnlyList<ItemScore> Items);
