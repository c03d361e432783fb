using RecEngine.Data;
using RecEngine.Ingest;

namespace RecEngine.Models.Content;

/// <summary>
/// The content model following events in real time: each event adds its item's vector to the user's profile
/// (<see cref="ContentProfiles"/>), and each micro-batch publishes the touched users' profiles, served by
/// <see cref="Recommender"/> with the scoring of <see cref="ContentRecommender"/>.
/// </summary>
/// <remarks>
/// <para>
/// The feature space and the catalog are those of the start: events on items outside the catalog are ignored (an
/// event carries no attributes to describe a new item). Values follow <see cref="ContentOptions.Values"/>: 1 or the
/// value with the latest one winning (a repeated event changes nothing, a new value replaces the old one's share),
/// or summed event weights, as a fit counts them.
/// </para>
/// <para>The writer side (<see cref="Apply"/>) is single-threaded, as the ingest pipeline calls it.</para>
/// </remarks>
internal sealed class LiveContent : ILiveModel
{
    private readonly ContentOptions _options;
    private readonly FeatureSpace _space;
    private readonly SparseRows _items;
    private readonly ContentProfiles _profiles;
    private readonly List<SortedEntries> _values = [];
    private readonly ChunkedArrays<Profile> _published = new();
    private readonly HashSet<int> _touched = [];
    private readonly LiveServing _serving;

    /// <summary>Starts from <paramref name="dataset"/> and its catalog, as a fit with <paramref name="options"/> would.</summary>
    public LiveContent(InteractionDataset dataset, ContentOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        _options = options ?? new ContentOptions();
        _options.Validate();
        _serving = new LiveServing("content", FitContext.Create(dataset));
        _space = FeatureSpace.Build(dataset.Catalog, _options);
        _items = ContentRecommender.ItemVectors(dataset.Catalog, _space, CancellationToken.None);
        var matrix = InteractionMatrix.Build(dataset, _options.Values, Policy);
        _profiles = ContentProfiles.Build(matrix, _items, _space.Count);
        for (int user = 0; user < dataset.UserCount; user++)
        {
            _values.Add(new SortedEntries(matrix.RowColumns(user), matrix.RowValues(user)));
            _published.Set(user, new Profile(_profiles.IndicesOf(user).ToArray(), _profiles.ValuesOf(user).ToArray()));
        }

        Publish();
    }

    /// <summary>Serves the latest published version.</summary>
    public IRecommender Recommender => _serving.Recommender;

    private DuplicatePolicy Policy => _options.Values == MatrixValues.Weight ? DuplicatePolicy.Sum : DuplicatePolicy.LastWins;

    /// <summary>Adds each event's share to its user's profile, then publishes the touched profiles as one version.</summary>
    public void Apply(ReadOnlySpan<WeightedEvent> batch)
    {
        foreach (WeightedEvent e in batch)
        {
            if (!_serving.Items.TryGetIndex(e.Event.ItemId, out int item) || item >= _items.Count)
            {
                continue;
            }

            int user = _serving.Users.GetOrAdd(e.Event.UserId);
            while (_values.Count <= user)
            {
                _values.Add(default);
            }

            float value = e.ValueFor(_options.Values);
            SortedEntries values = _values[user];
            int at = values.Find(item);
            float old = at >= 0 ? values.Values[at] : 0f;
            float updated = Policy == DuplicatePolicy.Sum ? old + value : value;
            if (at >= 0)
            {
                values.Set(at, updated);
            }
            else
            {
                values.Insert(~at, item, updated);
            }

            _values[user] = values;
            if (updated != old)
            {
                _profiles.Apply(user, item, updated - old);
            }

            _serving.Observe(user, item);
            _touched.Add(user);
        }

        foreach (int user in _touched)
        {
            _published.Set(user, new Profile(_profiles.IndicesOf(user).ToArray(), _profiles.ValuesOf(user).ToArray()));
        }

        _touched.Clear();
        Publish();
    }

    private void Publish()
    {
        ChunkedArrays<Profile>.Version profiles = _published.Publish();
        _serving.Show(profiles.Count, _items.Count, context => new ContentRecommender.ContentModel(context, _space, _items, new PublishedProfiles(profiles)));
    }

    /// <summary>A user's profile at one moment; never changed once made.</summary>
    private sealed record Profile(int[] Indices, float[] Values);

    private sealed class PublishedProfiles(ChunkedArrays<Profile>.Version profiles) : ProfileView
    {
        public override ReadOnlySpan<int> IndicesOf(int user) => profiles[user]?.Indices;

        public override ReadOnlySpan<float> ValuesOf(int user) => profiles[user]?.Values;
    }
}
