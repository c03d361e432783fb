using System.Buffers.Binary;
using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Ingest;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Persistence;

public sealed class SnapshotFileTests
{
    private static EngineSnapshot Sample()
    {
        InteractionDataset data = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 40, ItemCount = 30, InteractionCount = 500, Feedback = SyntheticFeedback.ImplicitEvents });
        var models = new Dictionary<string, SavedState> { ["als"] = new("implicit-als/1", [1, 2, 3, 4, 5]), ["empty"] = new("nothing/1", []) };
        return new EngineSnapshot(1_234, data, models, new TrainingDecay(1_700_000_000_000, 321, 86_400_000));
    }

    private static void AssertSame(EngineSnapshot expected, EngineSnapshot actual)
    {
        Assert.Equal(expected.Sequence, actual.Sequence);
        Assert.Equal(expected.Decay, actual.Decay);
        InteractionDataset a = expected.History, b = actual.History;
        Assert.Equal(a.UserCount, b.UserCount);
        Assert.Equal(a.ItemCount, b.ItemCount);
        Assert.Equal(Enumerable.Range(0, a.UserCount).Select(a.Users.GetId), Enumerable.Range(0, b.UserCount).Select(b.Users.GetId));
        Assert.Equal(Enumerable.Range(0, a.ItemCount).Select(a.Items.GetId), Enumerable.Range(0, b.ItemCount).Select(b.Items.GetId));
        Assert.Equal(a.UserIndices.ToArray(), b.UserIndices.ToArray());
        Assert.Equal(a.ItemIndices.ToArray(), b.ItemIndices.ToArray());
        Assert.Equal(a.Values.ToArray(), b.Values.ToArray());
        Assert.Equal(a.Weights.ToArray(), b.Weights.ToArray());
        Assert.Equal(a.Timestamps.ToArray(), b.Timestamps.ToArray());
        Assert.Equal(a.Kinds.ToArray(), b.Kinds.ToArray());
        Assert.Equal(a.Catalog.DescribedCount, b.Catalog.DescribedCount);
        Assert.Equal(a.Catalog.TagCount, b.Catalog.TagCount);
        for (int item = 0; item < a.ItemCount; item++)
        {
            ItemAttributes x = a.Catalog[item], y = b.Catalog[item];
            Assert.Equal(a.Catalog.HasAttributes(item), b.Catalog.HasAttributes(item));
            Assert.Equal(x.Title, y.Title);
            Assert.Equal(x.Categories, y.Categories);
            Assert.Equal(x.Tags, y.Tags);
            Assert.Equal(x.Numeric.OrderBy(p => p.Key), y.Numeric.OrderBy(p => p.Key));
        }

        Assert.Equal(expected.Models.Keys.Order(), actual.Models.Keys.Order());
        foreach ((string name, SavedState state) in expected.Models)
        {
            Assert.Equal(state.Kind, actual.Models[name].Kind);
            Assert.Equal(state.Data, actual.Models[name].Data);
        }
    }

    [Fact]
    public void WriteThenRead_GivesBackEveryInteractionIdAttributeAndModelState()
    {
        using var folder = new TempFolder();
        EngineSnapshot snapshot = Sample();
        Assert.True(snapshot.History.Catalog.DescribedCount > 0);
        (string path, long bytes) = SnapshotFile.Write(folder.Path, snapshot);

        Assert.Equal(new FileInfo(path).Length, bytes);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
        AssertSame(snapshot, SnapshotFile.Read(path));
        Assert.Equal([(1_234L, path)], SnapshotFile.List(folder.Path));
    }

    [Fact]
    public void TruncatedOrBitFlippedFiles_AreRefusedWithInvalidDataException()
    {
        using var folder = new TempFolder();
        (string path, _) = SnapshotFile.Write(folder.Path, Sample());
        byte[] bytes = File.ReadAllBytes(path);
        var random = new Random(7);
        string damaged = Path.Combine(folder.Path, "damaged.rsnp");
        for (int trial = 0; trial < 200; trial++)
        {
            byte[] copy = trial % 2 == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
            if (trial % 2 == 1)
            {
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            }

            File.WriteAllBytes(damaged, copy);
            InvalidDataException error = Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(damaged));
            Assert.Contains("damaged.rsnp", error.Message);
        }
    }

    [Fact]
    public void NewerFormatVersion_IsRefusedByName()
    {
        using var folder = new TempFolder();
        (string path, _) = SnapshotFile.Write(folder.Path, Sample());
        byte[] bytes = File.ReadAllBytes(path);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), SnapshotFile.FormatVersion + 1);
        Frames.Reseal(bytes);
        File.WriteAllBytes(path, bytes);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(path));
        Assert.Contains($"format version {SnapshotFile.FormatVersion + 1}", error.Message);
        Assert.True(SnapshotFile.IsOtherVersion(error));
    }

    [Fact]
    public void AbsurdCount_WithAValidChecksum_IsRefusedBeforeAnyAllocation()
    {
        using var folder = new TempFolder();
        (string path, _) = SnapshotFile.Write(folder.Path, Sample());
        byte[] bytes = File.ReadAllBytes(path);

        // The user count follows the frame header, the sequence and the training decay (flag, reference, rows, half-life).
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Frames.HeaderLength + 29), int.MaxValue);
        Frames.Reseal(bytes);
        File.WriteAllBytes(path, bytes);

        Assert.Contains($"claims {int.MaxValue} user ids", Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(path)).Message);
    }

    /// <summary>A snapshot of one user and one item with the given weights and attributes, written as a hostile or older writer could.</summary>
    private static byte[] Written(float[] weights, ItemAttributes? attributes = null)
    {
        var users = new IdMap();
        users.GetOrAdd("u");
        var items = new IdMap();
        items.GetOrAdd("i");
        int n = weights.Length;
        var history = new InteractionDataset(
            users, items, 1, 1, new ItemCatalog([attributes], attributes?.Tags.Count ?? 0),
            new int[n], new int[n], [.. weights], weights, new long[n], [.. Enumerable.Repeat(EventKind.View, n)]);
        using var stream = new MemoryStream();
        SnapshotFile.Write(stream, new EngineSnapshot(1, history, new Dictionary<string, SavedState>()));
        return stream.ToArray();
    }

    [Fact]
    public void ItemNumericAttributeThatIsNotFinite_IsRefused()
    {
        var attributes = new ItemAttributes { Title = "t", Numeric = new Dictionary<string, float>(StringComparer.Ordinal) { ["year"] = float.NaN } };

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(new MemoryStream(Written([1f], attributes)), "Snapshot"));

        Assert.Contains("non-finite numeric attribute 'year'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignFile_IsNotASnapshot()
    {
        using var folder = new TempFolder();
        byte[] bytes = new byte[64];
        "PK\u0003\u0004"u8.CopyTo(bytes);
        string path = folder.Write("snapshot-00000000000000000001.rsnp", bytes);

        Assert.Contains("not a RecEngine snapshot", Assert.Throws<InvalidDataException>(() => SnapshotFile.Read(path)).Message);
    }

    [Fact]
    public void Prune_KeepsTheNewestAndRemovesInterruptedWrites()
    {
        using var folder = new TempFolder();
        EngineSnapshot sample = Sample();
        foreach (long sequence in new long[] { 5, 50, 500, 20 })
        {
            SnapshotFile.Write(folder.Path, sample with { Sequence = sequence });
        }

        folder.Write("snapshot-00000000000000000999.rsnp.tmp", [1, 2, 3]);
        SnapshotFile.Prune(folder.Path, keep: 2, written: SnapshotFile.List(folder.Path)[0].Path);

        Assert.Equal([500L, 50L], SnapshotFile.List(folder.Path).Select(s => s.Sequence));
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));
    }
}
