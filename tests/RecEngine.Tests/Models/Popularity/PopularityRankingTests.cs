using RecEngine.Models.Popularity;

namespace RecEngine.Tests.Models.Popularity;

public sealed class PopularityRankingTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void UnorderedAdditionsThenReorder_GiveTheRankingOfOrderedAdditions(int seed)
    {
        // Few distinct amounts, some negative, so that ties (broken by lower index) are common.
        var random = new Random(seed);
        const int items = 60;
        var ordered = new PopularityRanking([]);
        var unordered = new PopularityRanking([]);
        ordered.Grow(items);
        unordered.Grow(items);
        for (int i = 0; i < 2_000; i++)
        {
            int item = random.Next(items);
            double amount = random.Next(-1, 3);
            ordered.Add(item, amount);
            unordered.AddUnordered(item, amount);
        }

        unordered.Reorder();

        (float[] expectedScores, int[] expectedOrder) = ordered.Publish();
        (float[] scores, int[] order) = unordered.Publish();
        Assert.Equal(expectedScores, scores);
        Assert.Equal(expectedOrder, order);
        for (int at = 1; at < order.Length; at++)
        {
            Assert.True(scores[order[at - 1]] > scores[order[at]] || (scores[order[at - 1]] == scores[order[at]] && order[at - 1] < order[at]));
        }
    }

    [Fact]
    public void AddUnordered_ToAnItemNotRankedYet_Throws()
    {
        var ranking = new PopularityRanking([1f, 2f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ranking.AddUnordered(2, 1.0));
        Assert.Equal([1, 0], ranking.Publish().Order);
    }
}
