namespace RecEngine.Tests.TestUtilities;

/// <summary>Records progress reports on the reporting thread (unlike <see cref="Progress{T}"/>, which posts them).</summary>
public sealed class SynchronousProgress<T> : IProgress<T>
{
    private readonly List<T> _reports = [];

    public IReadOnlyList<T> Reports => _reports;

    public void Report(T value)
    {
        lock (_reports)
        {
            _reports.Add(value);
        }
    }
}
