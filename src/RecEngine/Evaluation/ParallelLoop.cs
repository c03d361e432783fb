using System.Runtime.ExceptionServices;

namespace RecEngine.Evaluation;

/// <summary>Runs a per-user loop on the thread pool with a bounded degree of parallelism.</summary>
internal static class ParallelLoop
{
    /// <summary>
    /// Calls <paramref name="body"/> for <c>0..count-1</c>. A single exception from the body is rethrown as it is
    /// (not wrapped), so callers see the recommender's own exception; several are thrown as an <see cref="AggregateException"/>.
    /// </summary>
    public static void For(int count, int maxDegreeOfParallelism, Action<int> body, CancellationToken cancellationToken)
    {
        var options = new ParallelOptions { MaxDegreeOfParallelism = maxDegreeOfParallelism, CancellationToken = cancellationToken };
        try
        {
            Parallel.For(0, count, options, body);
        }
        catch (AggregateException e) when (e.InnerExceptions.Count == 1)
        {
            ExceptionDispatchInfo.Throw(e.InnerExceptions[0]);
        }
    }
}
