using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Tests.Ingest;

public sealed class ChunkedListsTests
{
    private static SeenItems Source(params int[][] rows)
    {
        var offsets = new int[rows.Length + 1];
        for (int r = 0; r < rows.Length; r++)
        {
            offsets[r + 1] = offsets[r] + rows[r].Length;
        }

        int[] columns = [.. rows.SelectMany(r => r)];
        return SeenItems.Of(InteractionMatrix.FromCsr(rows.Length, 100, offsets, columns, new float[columns.Length]));
    }

    [Fact]
    public void Add_KeepsRowsSortedAndDistinct_VisibleOnlyAfterPublish()
    {
        var lists = new ChunkedLists(Source([1, 5], [], [7]), 3);
        ChunkedLists.Version first = lists.Published;
        Assert.Equal([1, 5], first.RowColumns(0).ToArray());
        Assert.True(first.RowColumns(1).IsEmpty);

        Assert.True(lists.Add(0, 3));
        Assert.False(lists.Add(0, 5));
        Assert.True(lists.Add(1, 9));
        Assert.True(lists.Add(700, 2));
        Assert.Equal([1, 5], lists.Published.RowColumns(0).ToArray());
        Assert.True(lists.Published.RowColumns(700).IsEmpty);

        ChunkedLists.Version second = lists.Publish();
        Assert.Equal([1, 3, 5], second.RowColumns(0).ToArray());
        Assert.Equal([9], second.RowColumns(1).ToArray());
        Assert.Equal([2], second.RowColumns(700).ToArray());
        Assert.Equal(701, second.Count);
        Assert.True(second.RowColumns(701).IsEmpty);

        // Older versions never change.
        lists.Add(0, 0);
        Assert.Equal([1, 5], first.RowColumns(0).ToArray());
        Assert.Equal([1, 3, 5], second.RowColumns(0).ToArray());
        Assert.Equal([0, 1, 3, 5], lists.Publish().RowColumns(0).ToArray());
    }
}
