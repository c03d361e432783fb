using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;

namespace RecEngine.Persistence;

/// <summary>
/// Saves a fitted recommender to a file or stream and loads it back, ready to serve without training: the same
/// recommendations, scores and similar items, bit for bit.
/// </summary>
/// <remarks>
/// <para>
/// Every fitted RecEngine model can be saved: <see cref="PopularityRecommender"/>, <see cref="BaselineRatingPredictor"/>,
/// <see cref="ItemKnnRecommender"/>, <see cref="UserKnnRecommender"/>, <see cref="ImplicitAlsRecommender"/>,
/// <see cref="ExplicitAlsRecommender"/>, <see cref="ContentRecommender"/> and <see cref="NeuralRecommender"/>. The models of a running
/// <see cref="RecommendationEngine"/> follow its events and are saved with the engine instead
/// (<see cref="RecommendationEngine.SnapshotAsync"/>).
/// </para>
/// <para>
/// <b>Format</b> (little-endian): magic <c>RMDL</c>, format version (u32, <see cref="FormatVersion"/>), the body's
/// length (i64), the body, and a CRC-32C of the body followed by the length bytes. The body holds the model kind,
/// the fit context (user and item ids, the items each user has seen, item popularity), the model's options and its
/// trained arrays. Load time is dominated by reading the arrays: no training, no similarity computation.
/// </para>
/// <para>
/// <b>Safety</b>: saving to a path writes a temporary file beside it, forces it to storage and renames it over the
/// path, so the path holds the old file or the complete new one. Loading verifies the checksum before parsing and
/// checks every count against the bytes that are there (a damaged or hostile header cannot cause a huge
/// allocation), every index against its range and every value for finiteness. A bad file never yields a half-built
/// model: loading either returns a complete new instance or throws, and touches nothing else.
/// </para>
/// </remarks>
public static class ModelFile
{
    /// <summary>The format version written, and the only one read.</summary>
    public const uint FormatVersion = 1;

    private static readonly byte[] Magic = "RMDL"u8.ToArray();

    /// <summary>Writes <paramref name="recommender"/>'s current trained state at the stream's position.</summary>
    /// <param name="recommender">A fitted RecEngine model.</param>
    /// <param name="destination">A writable stream; left open, positioned after the model.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id of the model is not well-formed UTF-16 (the stream then holds an incomplete frame).</exception>
    /// <exception cref="NotSupportedException">The recommender is not one of the models this class saves (see the remarks).</exception>
    /// <exception cref="InvalidOperationException">The recommender has not been fitted.</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public static long Save(IRecommender recommender, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        (RecommenderBase model, TrainedModel state) = Savable(recommender);
        return StateFrame.Write(destination, Magic, FormatVersion, writer => WriteBody(writer, model, state));
    }

    /// <summary>Writes <paramref name="recommender"/>'s current trained state to <paramref name="path"/>, atomically.</summary>
    /// <param name="recommender">A fitted RecEngine model.</param>
    /// <param name="path">The file; replaced whole if it exists.</param>
    /// <returns>The file's length in bytes.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or an id of the model is not well-formed UTF-16 (nothing is written).</exception>
    /// <exception cref="NotSupportedException">The recommender is not one of the models this class saves (see the remarks).</exception>
    /// <exception cref="InvalidOperationException">The recommender has not been fitted.</exception>
    /// <exception cref="IOException">The file cannot be written; any earlier file at the path is left as it was.</exception>
    public static long Save(IRecommender recommender, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        (RecommenderBase model, TrainedModel state) = Savable(recommender);
        return StateFrame.WriteFile(path, file => StateFrame.Write(file, Magic, FormatVersion, writer => WriteBody(writer, model, state)));
    }

    /// <summary>Reads a model saved by <see cref="Save(IRecommender, Stream)"/> from the stream's position.</summary>
    /// <param name="source">A readable stream; left open, positioned after the model.</param>
    /// <returns>A new fitted recommender of the saved class, with the saved options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> is null.</exception>
    /// <exception cref="InvalidDataException">
    /// The data is not a RecEngine model, is truncated or damaged, holds an unknown model kind, or has another format
    /// version (the message names it).
    /// </exception>
    /// <exception cref="IOException">The stream cannot be read.</exception>
    public static IRecommender Load(Stream source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return Read(source, "Model stream");
    }

    /// <summary>Reads a model saved by <see cref="Save(IRecommender, string)"/>.</summary>
    /// <param name="path">The file.</param>
    /// <returns>A new fitted recommender of the saved class, with the saved options.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty.</exception>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a RecEngine model, is truncated or damaged, holds an unknown model kind, or has another format
    /// version (the message names the file and the problem).
    /// </exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static IRecommender Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        return Read(file, $"Model file '{path}'");
    }

    /// <summary>Reads a model of class <typeparamref name="T"/> from the stream's position.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Load(Stream)"/>, or the model is of another class.</exception>
    public static T Load<T>(Stream source)
        where T : class, IRecommender => Expect<T>(Load(source));

    /// <summary>Reads a model of class <typeparamref name="T"/> from <paramref name="path"/>.</summary>
    /// <exception cref="InvalidDataException">As for <see cref="Load(string)"/>, or the model is of another class.</exception>
    public static T Load<T>(string path)
        where T : class, IRecommender => Expect<T>(Load(path));

    private static T Expect<T>(IRecommender loaded)
        where T : class, IRecommender =>
        loaded as T ?? throw new InvalidDataException($"The saved model is a {loaded.GetType().Name} ('{loaded.Name}'), not a {typeof(T).Name}.");

    private static (RecommenderBase Model, TrainedModel State) Savable(IRecommender recommender)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        if (recommender is not RecommenderBase model || model.StateKind is null)
        {
            throw new NotSupportedException(
                $"The '{recommender.Name}' recommender ({recommender.GetType().Name}) cannot be saved on its own. ModelFile saves RecEngine's fitted models; save a running engine with RecommendationEngine.SnapshotAsync.");
        }

        TrainedModel state = model.TrainedOrNull ?? throw new InvalidOperationException($"The '{model.Name}' recommender must be fitted before it is saved.");
        return (model, state);
    }

    private static void WriteBody(StateWriter writer, RecommenderBase model, TrainedModel state)
    {
        writer.Write(model.StateKind!);
        FitContext context = state.Context;
        writer.WriteIds(context.Users, context.UserCount);
        writer.WriteIds(context.Items, context.ItemCount);
        var offsets = new int[context.UserCount + 1];
        for (int user = 0; user < context.UserCount; user++)
        {
            offsets[user + 1] = checked(offsets[user] + context.Seen.RowLength(user));
        }

        var columns = new int[offsets[^1]];
        for (int user = 0; user < context.UserCount; user++)
        {
            context.Seen.RowColumns(user).CopyTo(columns.AsSpan(offsets[user]));
        }

        writer.WriteRows(new SparseRows(offsets, columns, []), values: false);

        writer.WriteArray<float>(context.Popularity.AsSpan(0, context.ItemCount));
        model.WriteState(writer, state);
    }

    private static RecommenderBase Read(Stream source, string name) =>
        StateFrame.Read<RecommenderBase>(source, Magic, FormatVersion, name, "model", reader =>
        {
            string kind = reader.ReadString();
            FitContext context = ReadContext(reader);
            return kind switch
            {
                PopularityRecommender.Kind => PopularityRecommender.ReadState(reader, context),
                BaselineRatingPredictor.Kind => BaselineRatingPredictor.ReadState(reader, context),
                ItemKnnRecommender.Kind => ItemKnnRecommender.ReadState(reader, context),
                UserKnnRecommender.Kind => UserKnnRecommender.ReadState(reader, context),
                ImplicitAlsRecommender.Kind => ImplicitAlsRecommender.ReadState(reader, context),
                ExplicitAlsRecommender.Kind => ExplicitAlsRecommender.ReadState(reader, context),
                ContentRecommender.Kind => ContentRecommender.ReadState(reader, context),
                NeuralRecommender.Kind => NeuralRecommender.ReadState(reader, context),
                _ => throw reader.Invalid($"holds a model of kind '{kind}', which this version of RecEngine does not know."),
            };
        });

    private static FitContext ReadContext(StateReader reader)
    {
        IdMap users = reader.ReadIds("user");
        IdMap items = reader.ReadIds("item");
        SparseRows seen = reader.ReadRows(users.Count, items.Count, "seen item", values: false);
        float[] popularity = reader.ReadFinite(items.Count, "popularity");
        return new FitContext(users, items, users.Count, items.Count, SeenItems.Of(seen), popularity, FitContext.OrderByDescending(popularity));
    }
}
