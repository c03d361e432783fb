using System.Diagnostics;

namespace RecEngine.Models.Neural;

/// <summary>
/// Dedicated threads that each run their share of every round of work (the slices of a mini-batch) while the calling
/// thread runs its own. A round is posted by advancing a counter the workers watch: a mini-batch takes a few hundred
/// microseconds, and a thread-pool work item would often wait tens of them for a sleeping pool thread to wake. A
/// worker spins for at most <c>spin</c> after a round (through the caller's serial work between rounds), then blocks
/// until the next one; the caller waits for the workers the same way.
/// </summary>
/// <remarks>One caller at a time. The threads are background threads; <see cref="Dispose"/> stops and joins them.</remarks>
internal sealed class SliceWorkers : IDisposable
{
    private Thread[] _threads;
    private readonly Action<int> _work;
    private readonly object _gate = new();
    private readonly long _spinTicks;
    private long _round;
    private int _running;
    private bool _stopping;
    private Exception? _failure;

    /// <param name="count">Worker threads; each runs <paramref name="work"/> with its number, 1 to <paramref name="count"/>, once per round.</param>
    /// <param name="work">A round's work of one worker; what it throws is rethrown by <see cref="Join"/>.</param>
    /// <param name="spin">How long a waiting thread spins before it blocks.</param>
    /// <param name="name">The threads' name.</param>
    public SliceWorkers(int count, Action<int> work, TimeSpan spin, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        _work = work;
        _spinTicks = (long)(spin.TotalSeconds * Stopwatch.Frequency);
        _threads = new Thread[count];
        int started = 0;
        try
        {
            for (; started < count; started++)
            {
                int number = started + 1;
                _threads[started] = new Thread(() => Loop(number)) { IsBackground = true, Name = $"{name} {number}" };
                _threads[started].Start();
            }
        }
        catch
        {
            // Stop the threads already started (Dispose joins only those).
            Array.Resize(ref _threads, started);
            Dispose();
            throw;
        }
    }

    /// <summary>Starts a round: every worker runs its work once. The caller then does its own share and calls <see cref="Join"/>.</summary>
    /// <exception cref="InvalidOperationException">The last round has not been joined.</exception>
    /// <exception cref="ObjectDisposedException">Disposed.</exception>
    public void Post()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_stopping, this);
            if (_running != 0)
            {
                throw new InvalidOperationException("The last round of the slice workers has not been joined.");
            }

            _running = _threads.Length;
            Volatile.Write(ref _round, _round + 1);
            Monitor.PulseAll(_gate);
        }
    }

    /// <summary>Waits until every worker has finished the round; rethrows the first failure of a worker's work.</summary>
    public void Join()
    {
        if (!SpinUntilJoined())
        {
            lock (_gate)
            {
                while (_running > 0)
                {
                    Monitor.Wait(_gate);
                }
            }
        }

        if (Interlocked.Exchange(ref _failure, null) is { } failure)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    /// <summary>Stops the workers (after the round they are running, if any) and waits for them to end.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_stopping)
            {
                return;
            }

            _stopping = true;
            Monitor.PulseAll(_gate);
        }

        foreach (Thread thread in _threads)
        {
            thread.Join();
        }
    }

    private void Loop(int number)
    {
        long seen = 0;
        while (AwaitRound(seen))
        {
            seen++;
            try
            {
                _work(number);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _failure, e, null);
            }

            if (Interlocked.Decrement(ref _running) == 0)
            {
                lock (_gate)
                {
                    Monitor.PulseAll(_gate);
                }
            }
        }
    }

    /// <summary>Waits for the round after <paramref name="seen"/>; false when stopping instead.</summary>
    private bool AwaitRound(long seen)
    {
        if (SpinUntilRoundAfter(seen))
        {
            return true;
        }

        lock (_gate)
        {
            while (_round == seen && !_stopping)
            {
                Monitor.Wait(_gate);
            }

            return _round != seen;
        }
    }

    // Spinning yields to other threads as it goes on (SpinWait), and never sleeps; past the spin time (or once
    // stopping) it gives up and the caller blocks. The conditions are static, so a wait allocates nothing.
    private bool SpinUntilRoundAfter(long seen) =>
        SpinUntil(static (self, seen) => Volatile.Read(ref self._round) != seen, seen);

    private bool SpinUntilJoined() =>
        SpinUntil(static (self, _) => Volatile.Read(ref self._running) == 0, 0L);

    private bool SpinUntil(Func<SliceWorkers, long, bool> done, long argument)
    {
        long start = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        while (!done(this, argument))
        {
            if (Stopwatch.GetTimestamp() - start > _spinTicks || Volatile.Read(ref _stopping))
            {
                return false;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        return true;
    }
}
