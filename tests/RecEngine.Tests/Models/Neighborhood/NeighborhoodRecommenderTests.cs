using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Models.Neighborhood;

namespace RecEngine.Tests.Models.Neighborhood;

public sealed class NeighborhoodRecommenderTests
{
    /// <summary>Builds a dataset from (user, item, rating) triples, one second apart.</summary>
    private static InteractionDataset Ratings(params (string User, string Item, float Rating)[] rows)
    {
        var builder = new InteractionDatasetBuilder();
        long t = 0;
        foreach ((string user, string item, float rating) in rows)
        {
            builder.Add(user, item, rating, t += 1000, EventKind.Rating);
        }

        return builder.Build();
    }

    // Items over users (1 = interaction):
    //        a  b  c
    //   x    1  1  .
    //   y    1  .  1
    //   z    .  .  1
    // cosine: sim(x, y) = 1/2, sim(y, z) = 1/√2, sim(x, z) = 0.
    private static readonly InteractionDataset Small = Ratings(("a", "x", 5), ("a", "y", 3), ("b", "x", 4), ("c", "y", 2), ("c", "z", 1));

    [Fact]
    public void ItemKnn_TopN_IsTheSumOfTheUsersItemsSimilarities()
    {
        var model = new ItemKnnRecommender();
        model.Fit(Small);

        // User b has x: z is no neighbour of x, y is (1/2).
        float[] scores = new float[2];
        model.Score("b", ["y", "z"], scores);
        Assert.Equal(0.5f, scores[0], 6);
        Assert.Equal(0f, scores[1]);

        // User a has x and y: z scores sim(y, z) = 1/√2.
        model.Score("a", ["z"], scores.AsSpan(0, 1));
        Assert.Equal(1 / MathF.Sqrt(2), scores[0], 6);

        IReadOnlyList<ScoredItem> similar = model.SimilarItems("y", 5);
        Assert.Equal(["z", "x"], similar.Select(s => s.ItemId));
        Assert.Equal(1 / MathF.Sqrt(2), similar[0].Score, 6);
    }

    [Fact]
    public void ItemKnn_Explain_DecomposesTheScoreIntoTheUsersItems()
    {
        // A user with x and z: y is a neighbour of both, sim(x, y) = 1/√6 and sim(z, y) = 1/2.
        var data = Ratings(("a", "x", 5), ("a", "y", 3), ("b", "x", 4), ("c", "y", 2), ("c", "z", 1), ("d", "x", 1), ("d", "z", 1));
        var model = new ItemKnnRecommender();
        model.Fit(data);
        float[] score = new float[1];
        model.Score("d", ["y"], score);

        Explanation why = model.Explain("d", "y")!;
        Assert.Equal(["z", "x"], why.Contributions.Select(c => c.ItemId));
        Assert.Equal(score[0], why.Score, 6);
        Assert.Equal(why.Score, why.Contributions.Sum(c => c.Contribution), 6);
        Assert.Single(model.Explain("d", "y", count: 1)!.Contributions);
        Assert.Null(model.Explain("nobody", "y"));
        Assert.Null(model.Explain("d", "unknown"));
    }

    [Fact]
    public void ItemKnn_NormalizedSimilarities_DivideEachListByItsSum()
    {
        var model = new ItemKnnRecommender(new NeighborhoodOptions { NormalizeSimilarities = true });
        model.Fit(Small);

        // x's list is {y: 1/2}: normalised to 1. User b (only x) scores y at 1.
        float[] scores = new float[1];
        model.Score("b", ["y"], scores);
        Assert.Equal(1f, scores[0], 6);

        // y's list is {z: 1/√2, x: 1/2}: user c (y and z) scores x at (1/2) / (1/√2 + 1/2).
        model.Score("c", ["x"], scores);
        Assert.Equal(0.5f / ((1 / MathF.Sqrt(2)) + 0.5f), scores[0], 6);
    }

    [Fact]
    public void UserKnn_TopN_IsTheSumOfTheNeighboursSimilarities()
    {
        // Users over items: a = {x, y}, b = {x}, c = {y, z}; cos(a, b) = 1/√2, cos(a, c) = 1/2, cos(b, c) = 0.
        var model = new UserKnnRecommender();
        model.Fit(Small);
        float[] scores = new float[1];

        // b's only neighbour is a, who has y: sim(b, a) = 1/√2.
        model.Score("b", ["y"], scores);
        Assert.Equal(1 / MathF.Sqrt(2), scores[0], 6);

        // a's neighbours b (x) and c (y, z): z scores sim(a, c) = 1/2.
        model.Score("a", ["z"], scores);
        Assert.Equal(0.5f, scores[0], 6);
    }

    [Fact]
    public void PredictRating_IsTheBaselinePlusTheWeightedResidualsOfRatedNeighbours()
    {
        var data = Ratings(
            ("a", "x", 5), ("a", "y", 4), ("a", "z", 1),
            ("b", "x", 4), ("b", "y", 5), ("b", "w", 2),
            ("c", "x", 1), ("c", "z", 5), ("c", "w", 4),
            ("d", "y", 2), ("d", "z", 4), ("d", "w", 5));
        var options = new NeighborhoodOptions { Measure = SimilarityMeasure.Cosine, Values = MatrixValues.Value, Neighbors = 10, PredictionNeighbors = 2 };
        var baseline = new BaselineRatingPredictor(options.Baseline);
        baseline.Fit(data);
        var bias = (string u, string i) => (double)baseline.PredictRating(u, i);

        var items = new ItemKnnRecommender(options);
        items.Fit(data);

        // Item-based, user d and item x: d rated y, z, w; the 2 most similar to x among them, by x's list.
        var neighbors = items.SimilarItems("x", 10).Where(s => s.ItemId is "y" or "z" or "w").Take(2).ToArray();
        var rating = new Dictionary<string, double> { ["y"] = 2, ["z"] = 4, ["w"] = 5 };
        double expected = bias("d", "x")
            + (neighbors.Sum(n => n.Score * (rating[n.ItemId] - bias("d", n.ItemId))) / neighbors.Sum(n => n.Score));
        Assert.Equal(Math.Clamp(expected, 1, 5), items.PredictRating("d", "x"), 4);

        // Unknown user or item: the baseline with that bias 0.
        Assert.Equal(bias("nobody", "x"), items.PredictRating("nobody", "x"), 5);
        Assert.Equal(bias("d", "nothing"), items.PredictRating("d", "nothing"), 5);

        // User-based, user d and item x: the 2 users most similar to d (cosine over ratings) among x's raters a, b, c.
        var vectors = new Dictionary<string, Dictionary<string, double>>();
        foreach (string user in new[] { "a", "b", "c", "d" })
        {
            vectors[user] = [];
        }

        for (int r = 0; r < data.Count; r++)
        {
            vectors[data.Users.GetId(data.UserIndices[r])][data.Items.GetId(data.ItemIndices[r])] = data.Values[r];
        }

        double Cosine(string u, string v) =>
            vectors[u].Keys.Intersect(vectors[v].Keys).Sum(i => vectors[u][i] * vectors[v][i])
            / Math.Sqrt(vectors[u].Values.Sum(x => x * x) * vectors[v].Values.Sum(x => x * x));
        var raters = new[] { "a", "b", "c" }.OrderByDescending(v => Cosine("d", v)).Take(2).ToArray();
        double userExpected = bias("d", "x")
            + (raters.Sum(v => Cosine("d", v) * (vectors[v]["x"] - bias(v, "x"))) / raters.Sum(v => Cosine("d", v)));
        var users = new UserKnnRecommender(options);
        users.Fit(data);
        Assert.Equal(Math.Clamp(userExpected, 1, 5), users.PredictRating("d", "x"), 4);
    }

    [Fact]
    public void Weighting_NeedsNonNegativeValues()
    {
        var data = Ratings(("a", "x", -1), ("a", "y", 2), ("b", "x", 1));
        var model = new ItemKnnRecommender(new NeighborhoodOptions { Values = MatrixValues.Value, Weighting = NeighborWeighting.Bm25 });
        var error = Assert.Throws<ArgumentException>(() => model.Fit(data));
        Assert.Contains("non-negative", error.Message);
        Assert.False(model.IsFitted);
    }

    [Fact]
    public void Bm25_WeighsByTheDefinition()
    {
        // Rows (documents) r0 = {c0: 1, c1: 3}, r1 = {c0: 2}; N = 2 rows.
        float[,] m = { { 1, 3 }, { 2, float.NaN } };
        (SparseRows rows, SparseRows transposed) = SparseMatrices.FromDense(m);
        (SparseRows weighted, SparseRows weightedT) = RowWeighting.Apply(rows, transposed, NeighborWeighting.Bm25, k1: 1.2, b: 0.75);

        double idf0 = Math.Log(2.0 / 3), idf1 = Math.Log(2.0 / 2);
        double meanLength = (4 + 2) / 2.0;
        double norm0 = 0.25 + (0.75 * 4 / meanLength), norm1 = 0.25 + (0.75 * 2 / meanLength);
        double W(double x, double norm, double idf) => x * 2.2 / ((1.2 * norm) + x) * idf;
        Assert.Equal(W(1, norm0, idf0), weighted.ValuesOf(0)[0], 6);
        Assert.Equal(W(3, norm0, idf1), weighted.ValuesOf(0)[1], 6);
        Assert.Equal(W(2, norm1, idf0), weighted.ValuesOf(1)[0], 6);

        // The transposed orientation carries the same weights.
        Assert.Equal(weighted.ValuesOf(0)[0], weightedT.ValuesOf(0)[0]);
        Assert.Equal(weighted.ValuesOf(1)[0], weightedT.ValuesOf(0)[1]);

        (SparseRows tfidf, _) = RowWeighting.Apply(rows, transposed, NeighborWeighting.TfIdf, 0, 0);
        Assert.Equal(Math.Sqrt(3) * idf1, tfidf.ValuesOf(0)[1], 6);
        Assert.Equal(Math.Sqrt(2) * idf0, tfidf.ValuesOf(1)[0], 6);
    }

    [Fact]
    public void Options_Validate_NameTheBadProperty()
    {
        Assert.Equal("Neighbors", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 0 })).ParamName);
        Assert.Equal("Bm25B", Assert.Throws<ArgumentOutOfRangeException>(() => new UserKnnRecommender(new NeighborhoodOptions { Bm25B = 1.5 })).ParamName);
        Assert.Equal("PredictionNeighbors", Assert.Throws<ArgumentOutOfRangeException>(() => new UserKnnRecommender(new NeighborhoodOptions { PredictionNeighbors = 0 })).ParamName);
        Assert.Equal("Shrinkage", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemKnnRecommender(new NeighborhoodOptions { Shrinkage = float.NaN })).ParamName);
        Assert.Equal("Weighting", Assert.Throws<ArgumentOutOfRangeException>(() => new ItemKnnRecommender(new NeighborhoodOptions { Weighting = (NeighborWeighting)7 })).ParamName);
    }
}
