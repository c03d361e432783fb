using Microsoft.Extensions.Time.Testing;

namespace RecEngine.Tests.TestUtilities;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that also keeps count of the timers created on it, of those disposed, and of
/// the ticks each delivered, so a test can tell that a schedule has ended and that no tick reached it afterwards.
/// </summary>
internal sealed class TrackedTimeProvider : TimeProvider
{
    private readonly List<TrackedTimer> _timers = [];
    private readonly Lock _gate = new();

    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

    /// <summary>Timers created and not yet disposed.</summary>
    public int ActiveTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count(t => !t.Disposed);
            }
        }
    }

    /// <summary>Timers created so far.</summary>
    public int CreatedTimers
    {
        get
        {
            lock (_gate)
            {
                return _timers.Count;
            }
        }
    }

    /// <summary>Ticks delivered by every timer so far.</summary>
    public int Ticks
    {
        get
        {
            lock (_gate)
            {
                return _timers.Sum(t => t.Ticks);
            }
        }
    }

    public override TimeZoneInfo LocalTimeZone => Clock.LocalTimeZone;

    public override long TimestampFrequency => Clock.TimestampFrequency;

    public override DateTimeOffset GetUtcNow() => Clock.GetUtcNow();

    public override long GetTimestamp() => Clock.GetTimestamp();

    public void Advance(TimeSpan by) => Clock.Advance(by);

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var tracked = new TrackedTimer();
        tracked.Inner = Clock.CreateTimer(
            s =>
            {
                tracked.OnTick();
                callback(s);
            },
            state,
            dueTime,
            period);
        lock (_gate)
        {
            _timers.Add(tracked);
        }

        return tracked;
    }

    private sealed class TrackedTimer : ITimer
    {
        private int _ticks;
        private int _disposed;

        public ITimer Inner { get; set; } = null!;

        public bool Disposed => Volatile.Read(ref _disposed) != 0;

        public int Ticks => Volatile.Read(ref _ticks);

        public void OnTick() => Interlocked.Increment(ref _ticks);

        public bool Change(TimeSpan dueTime, TimeSpan period) => Inner.Change(dueTime, period);

        public void Dispose()
        {
            Volatile.Write(ref _disposed, 1);
            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Volatile.Write(ref _disposed, 1);
            return Inner.DisposeAsync();
        }
    }
}
