using BenchmarkDotNet.Attributes;
using RecEngine.Kernels;

namespace RecEngine.Benchmarks.Kernels;

/// <summary>Top-k selection from a dense score vector: the bounded heap against sorting everything (the naive baseline).</summary>
[MemoryDiagnoser]
public class TopKBenchmark
{
    private float[] _scores = [];
    private float[] _sortKeys = [];
    private int[] _sortIndices = [];
    private int[] _topIndices = [];
    private float[] _topScores = [];

    /// <summary>Catalog size: MovieLens 100K, the MovieLens 1M shape, a 20k-item shop.</summary>
    [Params(1_682, 3_706, 20_000)]
    public int Items { get; set; }

    [Params(10, 100)]
    public int K { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(42);
        _scores = new float[Items];
        for (int i = 0; i < Items; i++)
        {
            _scores[i] = (float)random.NextDouble();
        }

        _sortKeys = new float[Items];
        _sortIndices = new int[Items];
        _topIndices = new int[K];
        _topScores = new float[K];
    }

    [Benchmark(Baseline = true)]
    public int FullSort()
    {
        for (int i = 0; i < Items; i++)
        {
            _sortKeys[i] = -_scores[i];
            _sortIndices[i] = i;
        }

        Array.Sort(_sortKeys, _sortIndices);
        return _sortIndices[K - 1];
    }

    [Benchmark]
    public int BoundedHeap() => TopK.Select(_scores, _topIndices, _topScores);
}
