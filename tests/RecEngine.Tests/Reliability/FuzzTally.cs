namespace RecEngine.Tests.Reliability;

/// <summary>
/// Runs fuzz cases and keeps their tally. A case either loads, and its result then goes through the test's own
/// consistency checks, or is refused with one of the documented exception types; anything else (an
/// <see cref="IndexOutOfRangeException"/>, a <see cref="NullReferenceException"/>, an <see cref="OverflowException"/>,
/// an <see cref="ArgumentOutOfRangeException"/> thrown from inside, running out of memory) fails the test with the
/// case's seed and description, so the case can be replayed alone.
/// </summary>
internal sealed class FuzzTally(string name, params Type[] documented)
{
    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);

    /// <summary>Cases run.</summary>
    public int Cases { get; private set; }

    /// <summary>Cases that loaded (and passed their checks).</summary>
    public int Loaded { get; private set; }

    /// <summary>Cases refused with a documented exception.</summary>
    public int Refused { get; private set; }

    /// <summary>
    /// Runs <paramref name="load"/> for the case of <paramref name="seed"/> described by <paramref name="description"/>.
    /// </summary>
    /// <returns>Whether it loaded (its checks ran and passed inside <paramref name="load"/>).</returns>
    public bool Run(int seed, string description, Action load)
    {
        Cases++;
        try
        {
            load();
        }
        catch (Exception e)
        {
            return Refuse(seed, description, e);
        }

        Loaded++;
        return true;
    }

    /// <summary>As <see cref="Run"/>, for a load that is asynchronous.</summary>
    public async Task<bool> RunAsync(int seed, string description, Func<Task> load)
    {
        Cases++;
        try
        {
            await load();
        }
        catch (Exception e)
        {
            return Refuse(seed, description, e);
        }

        Loaded++;
        return true;
    }

    private bool Refuse(int seed, string description, Exception e)
    {
        if (e is Xunit.Sdk.XunitException failed)
        {
            Assert.Fail($"{name}, case seed {seed} ({description}): the load succeeded but its result is inconsistent: {failed.Message}");
        }

        if (!documented.Any(type => type.IsInstanceOfType(e)))
        {
            Assert.Fail($"{name}, case seed {seed} ({description}): {e.GetType().FullName} escaped, which is not documented: {e}");
        }

        Refused++;
        string type = e.GetType().Name;
        _refusals[type] = _refusals.GetValueOrDefault(type) + 1;
        return false;
    }

    /// <summary>The line the test writes to its output: cases run, loaded, refused (by exception type).</summary>
    public override string ToString() =>
        $"{name}: {Cases} cases, {Loaded} loaded and consistent, {Refused} refused ({string.Join(", ", _refusals.OrderBy(r => r.Key, StringComparer.Ordinal).Select(r => $"{r.Key} {r.Value}"))})";
}
