using RecEngine.Data;
using RecEngine.Kernels;

namespace RecEngine;

/// <summary>Applies <see cref="RecommendOptions"/> (predicate and exclusion set) and an excluded index to top-k candidates.</summary>
internal readonly struct CandidateFilter : ICandidateFilter
{
    private readonly IdMap _items;
    private readonly Func<string, bool>? _predicate;
    private readonly IReadOnlySet<string>? _exclude;
    private readonly int _excludedIndex;

    public CandidateFilter(IdMap items, RecommendOptions options, int excludedIndex = -1)
    {
        _items = items;
        _predicate = options.Filter;
        _exclude = options.Exclude is { Count: > 0 } exclude ? exclude : null;
        _excludedIndex = excludedIndex;
    }

    public bool Accept(int index)
    {
        if (index == _excludedIndex)
        {
            return false;
        }

        if (_predicate is null && _exclude is null)
        {
            return true;
        }

        string id = _items.GetId(index);
        return (_exclude is null || !_exclude.Contains(id)) && (_predicate is null || _predicate(id));
    }
}
