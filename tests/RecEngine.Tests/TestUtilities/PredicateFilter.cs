using RecEngine.Kernels;

namespace RecEngine.Tests.TestUtilities;

/// <summary>A top-k candidate filter backed by a predicate on the index.</summary>
internal readonly struct PredicateFilter(Func<int, bool> accept) : ICandidateFilter
{
    public bool Accept(int index) => accept(index);
}
