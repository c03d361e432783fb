using System.Globalization;
using RecEngine.Data;

namespace RecEngine.Persistence;

/// <summary>
/// Reads and writes <see cref="EngineSnapshot"/>s: <c>snapshot-&lt;sequence&gt;.rsnp</c> files in the engine's data
/// directory, or any stream.
/// </summary>
/// <remarks>
/// <para>
/// <b>Format</b>: a <see cref="StateFrame"/> with magic <c>RSNP</c> and format version 4, whose body holds the
/// sequence (i64), the ageing of the last training (a flag, the reference time i64, the aged row count i32 and the
/// half-life in milliseconds f64), user ids, item ids, item attributes, the interactions as columns (user and item
/// indices, values, weights, timestamps, kinds by index into a table of kind names), the model states (name,
/// kind, bytes) and the engine's configuration (a flag, then bytes in the layout of <see cref="EngineConfiguration"/>).
/// Version 3 is the same without the configuration; it is still read.
/// </para>
/// <para>
/// <b>Writing</b> a file goes to a temporary file that is forced to storage and then renamed over the final name,
/// so a reader sees a complete file or none. <b>Reading</b> checks the checksum over the whole body before it parses
/// anything, then checks every count against the bytes that remain (a hostile header cannot make it allocate more
/// than the input holds), every index against its range, and every value, weight and numeric attribute for finiteness; any problem is an <see cref="InvalidDataException"/>
/// naming it, and another format version is refused by name.
/// </para>
/// </remarks>
internal static class SnapshotFile
{
    /// <summary>The newest format version this code reads and the one it writes.</summary>
    public const uint FormatVersion = 4;

    /// <summary>The oldest format version this code reads: version 3 holds no configuration.</summary>
    public const uint OldestFormatVersion = 3;

    private const string Prefix = "snapshot-";
    private const string Extension = ".rsnp";
    private static readonly byte[] Magic = "RSNP"u8.ToArray();

    /// <summary>
    /// Whether <paramref name="error"/> from <see cref="Read(string)"/> says the file is of another format version:
    /// not damaged, so it is to be left where it is (another version of RecEngine may read it), only not used.
    /// </summary>
    public static bool IsOtherVersion(Exception error) => StateFrame.IsOtherVersion(error);

    /// <summary>The snapshot files in <paramref name="directory"/>, newest (highest sequence) first.</summary>
    public static IReadOnlyList<(long Sequence, string Path)> List(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return [];
        }

        var found = new List<(long, string)>();
        foreach (string path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension))
        {
            string name = Path.GetFileNameWithoutExtension(path);
            if (long.TryParse(name.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out long sequence))
            {
                found.Add((sequence, path));
            }
        }

        return [.. found.OrderByDescending(f => f.Item1)];
    }

    /// <summary>Writes <paramref name="snapshot"/> into <paramref name="directory"/> atomically; returns its path and size.</summary>
    /// <exception cref="IOException">The file cannot be written; no snapshot file is left behind.</exception>
    public static (string Path, long Bytes) Write(string directory, EngineSnapshot snapshot)
    {
        string path = Path.Combine(directory, $"{Prefix}{snapshot.Sequence:D20}{Extension}");
        return (path, StateFrame.WriteFile(path, file => Write(file, snapshot)));
    }

    /// <summary>Writes <paramref name="snapshot"/> at the stream's position; returns the bytes written.</summary>
    public static long Write(Stream destination, EngineSnapshot snapshot) => Write(destination, snapshot, FormatVersion);

    /// <summary>Writes <paramref name="snapshot"/> in format <paramref name="version"/> (3 leaves the configuration out).</summary>
    internal static long Write(Stream destination, EngineSnapshot snapshot, uint version)
    {
        if (version is < OldestFormatVersion or > FormatVersion)
        {
            throw new ArgumentOutOfRangeException(nameof(version), version, $"Snapshots are written in format versions {OldestFormatVersion} to {FormatVersion}.");
        }

        return StateFrame.Write(destination, Magic, version, writer => WriteBody(writer, snapshot, version));
    }

    /// <summary>Reads the snapshot at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, not a snapshot, or of another format version.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static EngineSnapshot Read(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(file, $"Snapshot '{path}'");
    }

    /// <summary>Reads the snapshot at the stream's position, leaving the stream after it.</summary>
    /// <param name="input">The input.</param>
    /// <param name="source">How error messages name the input.</param>
    /// <exception cref="InvalidDataException">The input is damaged, not a snapshot, or of another format version.</exception>
    public static EngineSnapshot Read(Stream input, string source) =>
        StateFrame.Read(input, Magic, OldestFormatVersion, FormatVersion, source, "snapshot", ReadBody);

    /// <summary>
    /// Deletes all but the newest <paramref name="keep"/> snapshots (never <paramref name="written"/>, the one just
    /// written), and temporary files of interrupted writes.
    /// </summary>
    public static void Prune(string directory, int keep, string written)
    {
        foreach ((_, string path) in List(directory).Where(s => s.Path != written).Skip(keep - 1))
        {
            File.Delete(path);
        }

        foreach (string path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension + ".*tmp"))
        {
            File.Delete(path);
        }
    }

    /// <summary>
    /// Deletes every snapshot of <paramref name="directory"/> but <paramref name="keep"/>: older and newer ones, those
    /// of other format versions, those set aside as unreadable and temporary files (for erasure: each may hold what was
    /// erased).
    /// </summary>
    /// <returns>How many files were deleted.</returns>
    /// <exception cref="IOException">A file could not be deleted.</exception>
    public static int DeleteAllBut(string directory, string keep)
    {
        int deleted = 0;
        foreach (string path in Directory.GetFiles(directory, Prefix + "*"))
        {
            if (!string.Equals(Path.GetFullPath(path), Path.GetFullPath(keep), StringComparison.Ordinal))
            {
                File.Delete(path);
                deleted++;
            }
        }

        return deleted;
    }

    /// <summary>Renames an unreadable snapshot out of the way (kept for inspection, never read or pruned again); returns its new path.</summary>
    public static string SetAside(string path)
    {
        string aside = path + ".unreadable";
        File.Move(path, aside, overwrite: true);
        return aside;
    }

    private static void WriteBody(StateWriter writer, EngineSnapshot snapshot, uint version)
    {
        InteractionDataset history = snapshot.History;
        writer.Write(snapshot.Sequence);
        writer.Write(snapshot.Decay is not null);
        writer.Write(snapshot.Decay?.ReferenceMilliseconds ?? 0);
        writer.Write(snapshot.Decay?.Rows ?? 0);
        writer.Write(snapshot.Decay?.HalfLifeMilliseconds ?? 0);
        writer.WriteIds(history.Users, history.UserCount);
        writer.WriteIds(history.Items, history.ItemCount);
        WriteCatalog(writer, history.Catalog);

        writer.Write(history.Count);
        writer.WriteValues(history.UserIndices);
        writer.WriteValues(history.ItemIndices);
        writer.WriteValues(history.Values);
        writer.WriteValues(history.Weights);
        writer.WriteValues(history.Timestamps);
        var kinds = new Dictionary<EventKind, int>();
        var kindIndices = new int[history.Count];
        for (int row = 0; row < history.Count; row++)
        {
            EventKind kind = history.Kinds[row];
            if (!kinds.TryGetValue(kind, out int index))
            {
                kinds.Add(kind, index = kinds.Count);
            }

            kindIndices[row] = index;
        }

        writer.Write(kinds.Count);
        foreach (EventKind kind in kinds.Keys)
        {
            writer.Write(kind.Name);
        }

        writer.WriteValues<int>(kindIndices);

        writer.Write(snapshot.Models.Count);
        foreach ((string name, SavedState state) in snapshot.Models)
        {
            writer.Write(name);
            writer.Write(state.Kind);
            writer.WriteArray<byte>(state.Data);
        }

        if (version >= 4)
        {
            writer.Write(snapshot.Configuration is not null);
            writer.WriteArray<byte>(snapshot.Configuration ?? []);
        }
    }

    private static EngineSnapshot ReadBody(StateReader reader, uint version)
    {
        long sequence = reader.ReadInt64();
        if (sequence < 0)
        {
            throw reader.Invalid($"has a negative sequence ({sequence}).");
        }

        bool aged = reader.ReadBoolean();
        var decay = new TrainingDecay(reader.ReadInt64(), reader.ReadInt32(), reader.ReadDouble());

        IdMap users = reader.ReadIds("user");
        IdMap items = reader.ReadIds("item");
        ItemCatalog catalog = ReadCatalog(reader, items.Count);

        int count = reader.ReadCount(sizeof(int) + sizeof(int) + sizeof(float) + sizeof(float) + sizeof(long) + sizeof(int), "interaction");
        int[] userIndices = reader.ReadValues<int>(count);
        int[] itemIndices = reader.ReadValues<int>(count);
        float[] values = reader.ReadValues<float>(count);
        float[] weights = reader.ReadValues<float>(count);
        long[] timestamps = reader.ReadValues<long>(count);
        int kindCount = reader.ReadCount(1, "event kind");
        var kindNames = new EventKind[kindCount];
        for (int k = 0; k < kindCount; k++)
        {
            string name = reader.ReadString();
            kindNames[k] = string.IsNullOrWhiteSpace(name) ? throw reader.Invalid("has an empty event kind.") : new EventKind(name);
        }

        int[] kindIndices = reader.ReadValues<int>(count);
        var kinds = new EventKind[count];
        for (int row = 0; row < count; row++)
        {
            reader.CheckIndex(userIndices[row], users.Count, "user index");
            reader.CheckIndex(itemIndices[row], items.Count, "item index");
            reader.CheckIndex(kindIndices[row], kindCount, "event kind index");
            kinds[row] = kindNames[kindIndices[row]];
        }

        reader.CheckFinite(values, "value");
        reader.CheckFinite(weights, "weight");

        int modelCount = reader.ReadCount(3 * sizeof(int), "model");
        var models = new Dictionary<string, SavedState>(modelCount, StringComparer.Ordinal);
        for (int m = 0; m < modelCount; m++)
        {
            string name = reader.ReadString();
            string kind = reader.ReadString();
            if (!models.TryAdd(name, new SavedState(kind, reader.ReadArray<byte>("model state byte"))))
            {
                throw reader.Invalid($"holds two states for model '{name}'.");
            }
        }

        byte[]? configuration = null;
        if (version >= 4)
        {
            bool configured = reader.ReadBoolean();
            byte[] bytes = reader.ReadArray<byte>("configuration byte");
            configuration = configured ? bytes : null;
        }

        if (aged && (decay.Rows < 0 || decay.Rows > count || !(decay.HalfLifeMilliseconds > 0) || double.IsInfinity(decay.HalfLifeMilliseconds)))
        {
            throw reader.Invalid($"says {decay.Rows} of its {count} interactions were aged with a half-life of {decay.HalfLifeMilliseconds} ms.");
        }

        var history = new InteractionDataset(users, items, users.Count, items.Count, catalog, userIndices, itemIndices, values, weights, timestamps, kinds);
        return new EngineSnapshot(sequence, history, models, aged ? decay : null, configuration);
    }

    private static void WriteCatalog(StateWriter writer, ItemCatalog catalog)
    {
        writer.Write(catalog.DescribedCount);
        for (int item = 0; item < catalog.Count; item++)
        {
            if (!catalog.HasAttributes(item))
            {
                continue;
            }

            ItemAttributes attributes = catalog[item];
            writer.Write(item);
            writer.Write(attributes.Title is not null);
            writer.Write(attributes.Title ?? "");
            writer.WriteStrings(attributes.Categories);
            writer.WriteStrings(attributes.Tags);
            writer.Write(attributes.Numeric.Count);
            foreach ((string name, float value) in attributes.Numeric)
            {
                writer.Write(name);
                writer.Write(value);
            }
        }
    }

    private static ItemCatalog ReadCatalog(StateReader reader, int itemCount)
    {
        int described = reader.ReadCount(4 * sizeof(int), "described item");
        var attributes = new ItemAttributes?[itemCount];
        int tags = 0;
        for (int d = 0; d < described; d++)
        {
            int item = reader.ReadInt32();
            reader.CheckIndex(item, itemCount, "described item index");
            if (attributes[item] is not null)
            {
                throw reader.Invalid($"describes item {item} twice.");
            }

            bool hasTitle = reader.ReadBoolean();
            string title = reader.ReadString();
            string[] categories = reader.ReadStrings("string");
            string[] itemTags = reader.ReadStrings("string");
            int numericCount = reader.ReadCount(1 + sizeof(float), "numeric attribute");
            var numeric = new Dictionary<string, float>(numericCount);
            for (int n = 0; n < numericCount; n++)
            {
                string name = reader.ReadString();
                float value = reader.ReadSingle();
                numeric[name] = float.IsFinite(value) ? value : throw reader.Invalid($"has a non-finite numeric attribute '{name}' ({value}) of item {item}.");
            }

            attributes[item] = new ItemAttributes { Title = hasTitle ? title : null, Categories = categories, Tags = itemTags, Numeric = numeric };
            tags += itemTags.Length;
        }

        return new ItemCatalog(attributes, tags);
    }
}
