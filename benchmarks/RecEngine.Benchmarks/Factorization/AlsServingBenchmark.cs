using BenchmarkDotNet.Attributes;
using RecEngine.Data;
using RecEngine.Kernels;
using RecEngine.Models.Factorization;

namespace RecEngine.Benchmarks.Factorization;

/// <summary>
/// Serving a trained implicit-ALS model (k = 64): one user's top-10 through the public API (seen items excluded),
/// every user's top-10 on two threads, the bare kernel path (score every item, then top-10), and one user fold-in
/// through the public API. Catalogs: MovieLens 100K (1,682 items) and the MovieLens-1M shape (3,706 items).
/// </summary>
[MemoryDiagnoser]
public class AlsServingBenchmark
{
    private ImplicitAlsRecommender _model = null!;
    private string[] _users = [];
    private float[] _user = [];
    private float[] _itemFactors = [];
    private float[] _scores = [];
    private readonly int[] _topIndices = new int[10];
    private readonly float[] _topScores = new float[10];
    private readonly ScoredItem[] _top = new ScoredItem[10];
    private string[] _foldInItems = [];
    private float[] _foldInValues = [];
    private readonly float[] _folded = new float[64];
    private int _next;

    [Params("ml-100k", "ml-1m-shape")]
    public string Dataset { get; set; } = "ml-100k";

    [GlobalSetup]
    public void Setup()
    {
        InteractionDataset data = Dataset == "ml-100k" ? BenchmarkData.MovieLens100K() : BenchmarkData.MovieLens1MShape();
        _model = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 64, Iterations = 5, Values = MatrixValues.One });
        _model.Fit(data);
        _users = Enumerable.Range(0, data.UserCount).Select(data.Users.GetId).Where(_model.IsKnownUser).ToArray();
        int k = _model.Factors;
        _itemFactors = new float[data.ItemCount * k];
        for (int i = 0; i < data.ItemCount; i++)
        {
            _model.TryGetItemFactors(data.Items.GetId(i), _itemFactors.AsSpan(i * k, k));
        }

        _user = new float[k];
        _model.TryGetUserFactors(_users[0], _user);
        _scores = new float[data.ItemCount];

        // The fold-in user: the one whose history length is closest to 165 (a typical MovieLens-1M user).
        var matrix = InteractionMatrix.Build(data, MatrixValues.One, DuplicatePolicy.Sum);
        int chosen = Enumerable.Range(0, matrix.Rows).MinBy(u => Math.Abs(matrix.RowColumns(u).Length - 165));
        _foldInItems = matrix.RowColumns(chosen).ToArray().Select(data.Items.GetId).ToArray();
        _foldInValues = matrix.RowValues(chosen).ToArray();
    }

    [Benchmark]
    public int RecommendTop10OneUser()
    {
        string user = _users[_next];
        _next = (_next + 1) % _users.Length;
        return _model.Recommend(user, _top);
    }

    [Benchmark]
    public void RecommendTop10AllUsersTwoThreads() =>
        Parallel.ForEach(
            System.Collections.Concurrent.Partitioner.Create(0, _users.Length),
            new ParallelOptions { MaxDegreeOfParallelism = 2 },
            range =>
            {
                var top = new ScoredItem[10];
                for (int u = range.Item1; u < range.Item2; u++)
                {
                    _model.Recommend(_users[u], top);
                }
            });

    [Benchmark]
    public int ScoreAllItemsTop10Kernel()
    {
        Simd.MultiplyRows(_itemFactors, _user, _scores);
        return TopK.Select(_scores, _topIndices, _topScores);
    }

    [Benchmark]
    public void FoldInUser() => _model.FoldInUser(_foldInItems, _foldInValues, _folded);
}
