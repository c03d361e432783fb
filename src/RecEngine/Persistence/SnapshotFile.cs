using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Persistence;

/// <summary>
/// Reads and writes <see cref="EngineSnapshot"/> files: <c>snapshot-&lt;sequence&gt;.rsnp</c> in the engine's data
/// directory.
/// </summary>
/// <remarks>
/// <para>
/// <b>Format</b> (little-endian): magic <c>RSNP</c>, format version (u32, 1), sequence (i64), the ageing of the last
/// training (a flag, the reference time i64, the aged row count i32 and the half-life in milliseconds f64), user
/// ids, item ids,
/// item attributes, the interactions as columns (user and item indices, values, weights, timestamps, kinds by index
/// into a table of kind names), the model states (name, kind, bytes), and last the CRC-32C of everything before it.
/// </para>
/// <para>
/// <b>Writing</b> goes to a temporary file that is forced to storage and then renamed over the final name, so a
/// reader sees a complete file or none. <b>Reading</b> checks the checksum over the whole file before it parses
/// anything, then checks every count against the bytes that remain (a hostile header cannot make it allocate more
/// than the file holds) and every index against its range; any problem is an <see cref="InvalidDataException"/>
/// naming it, and a newer format version is refused.
/// </para>
/// </remarks>
internal static class SnapshotFile
{
    /// <summary>The newest format version this code reads and the one it writes.</summary>
    public const uint FormatVersion = 2;

    private const string Prefix = "snapshot-";
    private const string Extension = ".rsnp";
    private const string Temporary = ".tmp";
    private const string OtherVersionKey = "RecEngine.SnapshotFormatVersion";
    private static readonly byte[] Magic = "RSNP"u8.ToArray();
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Whether <paramref name="error"/> from <see cref="Read"/> says the file is of another format version: not
    /// damaged, so it is to be left where it is (another version of RecEngine may read it), only not used.
    /// </summary>
    public static bool IsOtherVersion(Exception error) => error is InvalidDataException && error.Data.Contains(OtherVersionKey);

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
        EnsureLittleEndian();
        string path = Path.Combine(directory, $"{Prefix}{snapshot.Sequence:D20}{Extension}");
        string temporary = path + Temporary;
        long bytes;
        try
        {
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize: 1 << 16))
            {
                var checksummed = new ChecksumWriteStream(file);
                using (var writer = new BinaryWriter(checksummed, StrictUtf8, leaveOpen: true))
                {
                    WriteBody(writer, snapshot);
                }

                Span<byte> crc = stackalloc byte[4];
                System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(crc, checksummed.Checksum);
                file.Write(crc);
                file.Flush(flushToDisk: true);
                bytes = file.Length;
            }

            File.Move(temporary, path, overwrite: true);
        }
        catch
        {
            File.Delete(temporary);
            throw;
        }

        return (path, bytes);
    }

    /// <summary>Reads the snapshot at <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">The file is damaged, not a snapshot, or of a newer format version.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static EngineSnapshot Read(string path)
    {
        EnsureLittleEndian();
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        VerifyChecksum(file, path);
        file.Position = 0;
        using var reader = new BinaryReader(file, StrictUtf8, leaveOpen: true);
        try
        {
            return ReadBody(reader, file.Length - 4, path);
        }
        catch (Exception e) when (e is EndOfStreamException or DecoderFallbackException or ArgumentException or OverflowException)
        {
            throw new InvalidDataException($"Snapshot '{path}' is malformed: {e.Message}", e);
        }
    }

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

        foreach (string path in Directory.EnumerateFiles(directory, Prefix + "*" + Extension + Temporary))
        {
            File.Delete(path);
        }
    }

    /// <summary>Renames an unreadable snapshot out of the way (kept for inspection, never read or pruned again); returns its new path.</summary>
    public static string SetAside(string path)
    {
        string aside = path + ".unreadable";
        File.Move(path, aside, overwrite: true);
        return aside;
    }

    private static void WriteBody(BinaryWriter writer, EngineSnapshot snapshot)
    {
        InteractionDataset history = snapshot.History;
        writer.Write(Magic);
        writer.Write(FormatVersion);
        writer.Write(snapshot.Sequence);
        writer.Write(snapshot.Decay is not null);
        writer.Write(snapshot.Decay?.ReferenceMilliseconds ?? 0);
        writer.Write(snapshot.Decay?.Rows ?? 0);
        writer.Write(snapshot.Decay?.HalfLifeMilliseconds ?? 0);
        WriteIds(writer, history.Users, history.UserCount);
        WriteIds(writer, history.Items, history.ItemCount);
        WriteCatalog(writer, history.Catalog);

        writer.Write(history.Count);
        writer.Write(MemoryMarshal.AsBytes(history.UserIndices));
        writer.Write(MemoryMarshal.AsBytes(history.ItemIndices));
        writer.Write(MemoryMarshal.AsBytes(history.Values));
        writer.Write(MemoryMarshal.AsBytes(history.Weights));
        writer.Write(MemoryMarshal.AsBytes(history.Timestamps));
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

        writer.Write(MemoryMarshal.AsBytes(kindIndices.AsSpan()));

        writer.Write(snapshot.Models.Count);
        foreach ((string name, SavedState state) in snapshot.Models)
        {
            writer.Write(name);
            writer.Write(state.Kind);
            writer.Write(state.Data.Length);
            writer.Write(state.Data);
        }
    }

    private static EngineSnapshot ReadBody(BinaryReader reader, long end, string path)
    {
        var limits = new Limits(reader, end, path);
        if (!reader.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic))
        {
            throw new InvalidDataException($"'{path}' is not a RecEngine snapshot (no RSNP header).");
        }

        uint version = reader.ReadUInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Snapshot '{path}' has format version {version}; this version of RecEngine reads version {FormatVersion} only.")
            {
                Data = { [OtherVersionKey] = version },
            };
        }

        long sequence = reader.ReadInt64();
        if (sequence < 0)
        {
            throw new InvalidDataException($"Snapshot '{path}' has a negative sequence ({sequence}).");
        }

        bool aged = reader.ReadBoolean();
        var decay = new TrainingDecay(reader.ReadInt64(), reader.ReadInt32(), reader.ReadDouble());

        IdMap users = ReadIds(reader, limits, "user");
        IdMap items = ReadIds(reader, limits, "item");
        ItemCatalog catalog = ReadCatalog(reader, limits, items.Count);

        int count = limits.Count(sizeof(int) + sizeof(int) + sizeof(float) + sizeof(float) + sizeof(long) + sizeof(int), "interaction");
        int[] userIndices = ReadArray<int>(reader, count);
        int[] itemIndices = ReadArray<int>(reader, count);
        float[] values = ReadArray<float>(reader, count);
        float[] weights = ReadArray<float>(reader, count);
        long[] timestamps = ReadArray<long>(reader, count);
        int kindCount = limits.Count(1, "event kind");
        var kindNames = new EventKind[kindCount];
        for (int k = 0; k < kindCount; k++)
        {
            string name = reader.ReadString();
            kindNames[k] = string.IsNullOrWhiteSpace(name) ? throw new InvalidDataException($"Snapshot '{path}' has an empty event kind.") : new EventKind(name);
        }

        int[] kindIndices = ReadArray<int>(reader, count);
        var kinds = new EventKind[count];
        for (int row = 0; row < count; row++)
        {
            limits.Index(userIndices[row], users.Count, "user index");
            limits.Index(itemIndices[row], items.Count, "item index");
            limits.Index(kindIndices[row], kindCount, "event kind index");
            if (!float.IsFinite(values[row]) || !float.IsFinite(weights[row]))
            {
                throw new InvalidDataException($"Snapshot '{path}' has a non-finite value or weight at interaction {row}.");
            }

            kinds[row] = kindNames[kindIndices[row]];
        }

        int modelCount = limits.Count(3 * sizeof(int), "model");
        var models = new Dictionary<string, SavedState>(modelCount, StringComparer.Ordinal);
        for (int m = 0; m < modelCount; m++)
        {
            string name = reader.ReadString();
            string kind = reader.ReadString();
            int length = limits.Count(1, "model state byte");
            if (!models.TryAdd(name, new SavedState(kind, reader.ReadBytes(length))))
            {
                throw new InvalidDataException($"Snapshot '{path}' holds two states for model '{name}'.");
            }
        }

        if (reader.BaseStream.Position != end)
        {
            throw new InvalidDataException($"Snapshot '{path}' has {end - reader.BaseStream.Position} unexpected bytes before its checksum.");
        }

        if (aged && (decay.Rows < 0 || decay.Rows > count || !(decay.HalfLifeMilliseconds > 0) || double.IsInfinity(decay.HalfLifeMilliseconds)))
        {
            throw new InvalidDataException($"Snapshot '{path}' says {decay.Rows} of its {count} interactions were aged with a half-life of {decay.HalfLifeMilliseconds} ms.");
        }

        var history = new InteractionDataset(users, items, users.Count, items.Count, catalog, userIndices, itemIndices, values, weights, timestamps, kinds);
        return new EngineSnapshot(sequence, history, models, aged ? decay : null);
    }

    private static void WriteIds(BinaryWriter writer, IdMap ids, int count)
    {
        writer.Write(count);
        for (int i = 0; i < count; i++)
        {
            writer.Write(ids.GetId(i));
        }
    }

    private static IdMap ReadIds(BinaryReader reader, Limits limits, string what)
    {
        int count = limits.Count(2, what + " id");
        var ids = new IdMap(count);
        for (int i = 0; i < count; i++)
        {
            string id = reader.ReadString();
            if (id.Length == 0 || ids.GetOrAdd(id) != i)
            {
                throw new InvalidDataException($"Snapshot '{limits.Path}' has an empty or repeated {what} id at index {i}.");
            }
        }

        return ids;
    }

    private static void WriteCatalog(BinaryWriter writer, ItemCatalog catalog)
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
            WriteStrings(writer, attributes.Categories);
            WriteStrings(writer, attributes.Tags);
            writer.Write(attributes.Numeric.Count);
            foreach ((string name, float value) in attributes.Numeric)
            {
                writer.Write(name);
                writer.Write(value);
            }
        }
    }

    private static ItemCatalog ReadCatalog(BinaryReader reader, Limits limits, int itemCount)
    {
        int described = limits.Count(4 * sizeof(int), "described item");
        var attributes = new ItemAttributes?[itemCount];
        int tags = 0;
        for (int d = 0; d < described; d++)
        {
            int item = reader.ReadInt32();
            limits.Index(item, itemCount, "described item index");
            bool hasTitle = reader.ReadBoolean();
            string title = reader.ReadString();
            string[] categories = ReadStrings(reader, limits);
            string[] itemTags = ReadStrings(reader, limits);
            int numericCount = limits.Count(1 + sizeof(float), "numeric attribute");
            var numeric = new Dictionary<string, float>(numericCount);
            for (int n = 0; n < numericCount; n++)
            {
                numeric[reader.ReadString()] = reader.ReadSingle();
            }

            attributes[item] = new ItemAttributes { Title = hasTitle ? title : null, Categories = categories, Tags = itemTags, Numeric = numeric };
            tags += itemTags.Length;
        }

        return new ItemCatalog(attributes, tags);
    }

    private static void WriteStrings(BinaryWriter writer, IReadOnlyList<string> strings)
    {
        writer.Write(strings.Count);
        foreach (string text in strings)
        {
            writer.Write(text);
        }
    }

    private static string[] ReadStrings(BinaryReader reader, Limits limits)
    {
        var strings = new string[limits.Count(1, "string")];
        for (int i = 0; i < strings.Length; i++)
        {
            strings[i] = reader.ReadString();
        }

        return strings;
    }

    private static T[] ReadArray<T>(BinaryReader reader, int count)
        where T : unmanaged
    {
        var array = new T[count];
        Span<byte> bytes = MemoryMarshal.AsBytes(array.AsSpan());
        reader.BaseStream.ReadExactly(bytes);
        return array;
    }

    private static void VerifyChecksum(FileStream file, string path)
    {
        long length = file.Length;
        if (length < Magic.Length + sizeof(uint) + sizeof(uint))
        {
            throw new InvalidDataException($"Snapshot '{path}' is truncated ({length} bytes).");
        }

        byte[] buffer = new byte[1 << 16];
        uint state = Crc32C.Start;
        long remaining = length - 4;
        while (remaining > 0)
        {
            int read = file.Read(buffer, 0, (int)Math.Min(buffer.Length, remaining));
            if (read == 0)
            {
                throw new InvalidDataException($"Snapshot '{path}' ended while being read.");
            }

            state = Crc32C.Append(state, buffer.AsSpan(0, read));
            remaining -= read;
        }

        Span<byte> stored = stackalloc byte[4];
        file.ReadExactly(stored);
        if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(stored) != Crc32C.Finish(state))
        {
            throw new InvalidDataException($"Snapshot '{path}' is damaged: its checksum does not match its contents.");
        }
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Snapshots are written and read on little-endian processors only.");
        }
    }

    /// <summary>Checks counts against the bytes left before the checksum, and indices against their ranges.</summary>
    private sealed class Limits(BinaryReader reader, long end, string path)
    {
        public string Path => path;

        /// <summary>Reads a count of elements of at least <paramref name="bytesEach"/> bytes; refuses one the rest of the file cannot hold.</summary>
        public int Count(int bytesEach, string what)
        {
            int count = reader.ReadInt32();
            long left = end - reader.BaseStream.Position;
            if (count < 0 || (long)count * bytesEach > left)
            {
                throw new InvalidDataException($"Snapshot '{path}' claims {count} {what}s, more than its remaining {left} bytes can hold.");
            }

            return count;
        }

        public void Index(int index, int count, string what)
        {
            if ((uint)index >= (uint)count)
            {
                throw new InvalidDataException($"Snapshot '{path}' has {what} {index} outside [0, {count}).");
            }
        }
    }
}
