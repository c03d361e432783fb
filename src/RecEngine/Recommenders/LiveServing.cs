using RecEngine.Data;
using RecEngine.Ingest;
using RecEngine.Models.Popularity;

namespace RecEngine;

/// <summary>
/// What every live model serves with besides its own state: id maps that grow with events (copies, so the training
/// dataset's maps never change), the items each user has seen, popularity counting every event (the fallback), and
/// the <see cref="IRecommender"/> face that shows each new version. One writer at a time.
/// </summary>
internal sealed class LiveServing
{
    private readonly ChunkedLists _seen;
    private readonly PopularityRanking? _popularity;
    private readonly LiveRecommender _recommender;

    /// <summary>Starts from a fit's context.</summary>
    /// <param name="name">The model's name.</param>
    /// <param name="start">The context the live model starts from.</param>
    /// <param name="countPopularity">Whether the fallback counts events; false when the model supplies its own popularity.</param>
    public LiveServing(string name, FitContext start, bool countPopularity = true)
    {
        Users = start.Users.Clone();
        Items = start.Items.Clone();
        _seen = new ChunkedLists(start.Seen, start.UserCount);
        _popularity = countPopularity ? new PopularityRanking(start.Popularity) : null;
        _recommender = new LiveRecommender(name);
    }

    public IdMap Users { get; }

    public IdMap Items { get; }

    /// <summary>Rows with seen items so far (users, published or not).</summary>
    public int UserRows => _seen.Count;

    public IRecommender Recommender => _recommender;

    /// <summary>Records that <paramref name="user"/> interacted with <paramref name="item"/>: seen, and one more for the item's popularity.</summary>
    public void Observe(int user, int item)
    {
        _seen.Add(user, item);
        _popularity?.Add(item, 1);
    }

    /// <summary>
    /// Publishes a version: a context with <paramref name="userCount"/> users and <paramref name="itemCount"/> items,
    /// the seen items and the popularity of this moment (or <paramref name="popularity"/>), handed to
    /// <paramref name="version"/> to make the model's own version, which readers then see atomically.
    /// </summary>
    public void Show(int userCount, int itemCount, Func<FitContext, TrainedModel> version, (float[] Scores, int[] Order)? popularity = null)
    {
        if (popularity is null)
        {
            _popularity!.Grow(itemCount);
            popularity = _popularity.Publish();
        }

        var context = new FitContext(Users, Items, userCount, itemCount, _seen.Publish(), popularity.Value.Scores, popularity.Value.Order);
        _recommender.Show(version(context));
    }
}
