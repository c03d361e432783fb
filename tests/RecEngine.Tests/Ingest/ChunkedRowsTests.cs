using RecEngine.Ingest;

namespace RecEngine.Tests.Ingest;

public sealed class ChunkedRowsTests
{
    private static float[] Rows(int count, int width) => [.. Enumerable.Range(0, count * width).Select(i => (float)i)];

    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(256)]
    public void Writes_StayInvisibleUntilPublished_AndOldVersionsNeverChange(int chunkRows)
    {
        float[] initial = Rows(600, 4);
        var rows = new ChunkedRows(4, initial, chunkRows);
        ChunkedRows.Version first = rows.Published;
        Assert.Equal(600, first.Count);
        Assert.Equal(initial.AsSpan(300 * 4, 4).ToArray(), first.Row(300).ToArray());

        rows.Writable(300).Fill(-1f);
        rows.Writable(301).Fill(-2f);
        Assert.Equal(-1f, rows.Current(300)[0]);
        Assert.Same(first, rows.Published);
        Assert.Equal(initial[300 * 4], first.Row(300)[0]);

        ChunkedRows.Version second = rows.Publish();
        Assert.Same(second, rows.Published);
        Assert.Equal([-1f, -1f, -1f, -1f], second.Row(300).ToArray());
        Assert.Equal([-2f, -2f, -2f, -2f], second.Row(301).ToArray());
        Assert.Equal(initial.AsSpan(299 * 4, 4).ToArray(), second.Row(299).ToArray());

        // The first version still reads the original values, and a write after the publish does not reach the second.
        Assert.Equal(initial[300 * 4], first.Row(300)[0]);
        rows.Writable(300).Fill(-3f);
        Assert.Equal(-1f, second.Row(300)[0]);
        Assert.Equal(-3f, rows.Publish().Row(300)[0]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(16)]
    [InlineData(256)]
    public void Grow_AddsZeroRowsAcrossChunks_VisibleAfterPublish(int chunkRows)
    {
        var rows = new ChunkedRows(3, Rows(10, 3), chunkRows);
        rows.Grow(1_000);
        Assert.Equal(1_000, rows.Count);
        Assert.Equal(10, rows.Published.Count);
        rows.Writable(999).Fill(7f);

        ChunkedRows.Version grown = rows.Publish();
        Assert.Equal(1_000, grown.Count);
        Assert.Equal([0f, 0f, 0f], grown.Row(500).ToArray());
        Assert.Equal([7f, 7f, 7f], grown.Row(999).ToArray());
        Assert.Equal(9f, grown.Row(3)[0]);
        Assert.Throws<ArgumentOutOfRangeException>(() => grown.Row(1_000));
        Assert.Throws<ArgumentOutOfRangeException>(() => rows.Writable(1_000));

        // The contiguous block of a chunk: from a row to the chunk's end, then a whole chunk, then the last row.
        Assert.Equal((chunkRows - (250 % chunkRows)) * 3, grown.RowsFrom(250).Length);
        Assert.Equal(chunkRows * 3, grown.RowsFrom(256).Length);
        Assert.Equal(3, grown.RowsFrom(999).Length);
        Assert.Equal(Rows(10, 3).AsSpan(3 * 3, 3).ToArray(), grown.RowsFrom(3)[..3].ToArray());
    }

    [Fact]
    public async Task ConcurrentReaders_NeverSeeATornRow_NorGoBackInTime()
    {
        // Few, wide rows: a reader and the writer meet on the same row often, and a row takes a while to write.
        const int Width = 4_096, Count = 8;
        var rows = new ChunkedRows(Width, new float[Count * Width], chunkRows: 2);
        // The writer goes on until it has published 50 versions and the readers have made 5,000 reads (however loaded
        // the machine is), then stops everything.
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        int versionsSeen = 0, published = 0;

        // Dedicated threads: on a busy thread pool the writer could start only after the readers stopped.
        Task writer = Task.Factory.StartNew(() =>
        {
            var random = new Random(1);
            float stamp = 0;
            while (!stop.IsCancellationRequested && (Volatile.Read(ref published) < 50 || Volatile.Read(ref versionsSeen) < 5_000))
            {
                // Every row is always written whole with one value, which only grows.
                for (int w = 0; w < 4; w++)
                {
                    rows.Writable(random.Next(Count)).Fill(++stamp);
                }

                rows.Publish();
                Interlocked.Increment(ref published);
            }

            stop.Cancel();
        }, TaskCreationOptions.LongRunning);
        int torn = 0, backwards = 0;
        Task[] readers = [.. Enumerable.Range(0, 2).Select(seed => Task.Factory.StartNew(() =>
        {
            var random = new Random(seed + 10);
            var last = new float[Count];
            while (!stop.IsCancellationRequested)
            {
                ChunkedRows.Version version = rows.Published;
                int row = random.Next(Count);
                ReadOnlySpan<float> values = version.Row(row);
                float first = values[0];

                // A plain loop (no assertion per element) keeps the reader fast enough to meet the writer.
                if (values.ContainsAnyExcept(first))
                {
                    Interlocked.Increment(ref torn);
                }

                if (first < last[row])
                {
                    Interlocked.Increment(ref backwards);
                }

                last[row] = first;
                Interlocked.Increment(ref versionsSeen);
            }
        }, TaskCreationOptions.LongRunning))];

        await Task.WhenAll([writer, .. readers]).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(0, torn);
        Assert.Equal(0, backwards);
        Assert.True(published >= 50 && versionsSeen >= 5_000, $"{versionsSeen} reads of {published} versions in 20 s");
    }

    [Fact]
    public void BadArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedRows(0, [], 4));
        Assert.Throws<ArgumentException>(() => new ChunkedRows(3, new float[4], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChunkedRows(3, [], 3));
    }
}
