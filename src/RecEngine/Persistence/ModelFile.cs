using RecEngine.Data;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Models.Factorization;
using RecEngine.Models.Hybrid;
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
/// <see cref="ExplicitAlsRecommender"/>, <see cref="ContentRecommender"/> and <see cref="NeuralRecommender"/>, and the composites
/// <see cref="HybridRecommender"/>, <see cref="RerankingRecommender"/> and <see cref="DiversityReranker"/> (with their
/// parts, nested up to 16 deep, when every part is one of these models). The models of a running
/// <see cref="RecommendationEngine"/> follow its events and are saved with the engine instead
/// (<see cref="RecommendationEngine.SnapshotAsync"/>).
/// </para>
/// <para>
/// <b>Format</b> (little-endian): magic <c>RMDL</c>, format version (u32, <see cref="FormatVersion"/>), the body's
/// length (i64), the body, and a CRC-32C of the body followed by the length bytes. The body holds the model kind,
/// the fit context (user and item ids, the items each user has seen, item popularity), the model's options and its
/// trained arrays. A composite stores its own settings (weights, M, λ) and then each part as a nested model: its
/// kind, a flag saying whether it shares the composite's fit context (stored once; parts fitted with the composite
/// do), the part's own context when it does not, and its state. A diversity re-ranker has no context of its own:
/// after its kind come λ, M, the inner model and, unless it is the inner model, the similarity model. Load time is
/// dominated by reading the arrays: no training, no similarity computation.
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

    /// <summary>
    /// How deep composites may nest (a part of the saved model is at depth 1): deeper files are refused, so a hostile
    /// one cannot exhaust the stack.
    /// </summary>
    internal const int MaxNesting = 16;

    private static readonly byte[] Magic = "RMDL"u8.ToArray();

    /// <summary>Writes <paramref name="recommender"/>'s current trained state at the stream's position.</summary>
    /// <param name="recommender">A fitted RecEngine model.</param>
    /// <param name="destination">A writable stream; left open, positioned after the model.</param>
    /// <returns>The number of bytes written.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">An id of the model is not well-formed UTF-16 (the stream then holds an incomplete frame).</exception>
    /// <exception cref="NotSupportedException">The recommender, or a part of it, is not one of the models this class saves (see the remarks); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">The recommender, or a part of it, has not been fitted; nothing is written.</exception>
    /// <exception cref="IOException">The stream cannot be written.</exception>
    public static long Save(IRecommender recommender, Stream destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        CheckSavable(recommender, null, 0);
        return StateFrame.Write(destination, Magic, FormatVersion, writer => WriteModel(writer, recommender, null, null));
    }

    /// <summary>Writes <paramref name="recommender"/>'s current trained state to <paramref name="path"/>, atomically.</summary>
    /// <param name="recommender">A fitted RecEngine model.</param>
    /// <param name="path">The file; replaced whole if it exists.</param>
    /// <returns>The file's length in bytes.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty, or an id of the model is not well-formed UTF-16 (nothing is written).</exception>
    /// <exception cref="NotSupportedException">The recommender, or a part of it, is not one of the models this class saves (see the remarks); nothing is written.</exception>
    /// <exception cref="InvalidOperationException">The recommender, or a part of it, has not been fitted; nothing is written.</exception>
    /// <exception cref="IOException">The file cannot be written; any earlier file at the path is left as it was.</exception>
    public static long Save(IRecommender recommender, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        CheckSavable(recommender, null, 0);
        return StateFrame.WriteFile(path, file => StateFrame.Write(file, Magic, FormatVersion, writer => WriteModel(writer, recommender, null, null)));
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

    /// <summary>Whether <see cref="Save(IRecommender, Stream)"/> would save <paramref name="recommender"/> (every part of a composite included).</summary>
    internal static bool CanSave(IRecommender recommender)
    {
        try
        {
            CheckSavable(recommender, null, 0);
            return true;
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// Refuses, before anything is written, a recommender that cannot be saved: one that is not a RecEngine model or
    /// not fitted, a composite with such a part, or composites nested deeper than <see cref="MaxNesting"/>.
    /// </summary>
    private static void CheckSavable(IRecommender recommender, TrainedModel? state, int depth)
    {
        ArgumentNullException.ThrowIfNull(recommender);
        if (depth > MaxNesting)
        {
            throw new NotSupportedException($"The '{recommender.Name}' recommender is nested {depth} composites deep; ModelFile saves composites nested at most {MaxNesting} deep.");
        }

        switch (recommender)
        {
            case DiversityReranker diversity:
                CheckSavable(diversity.Inner, null, depth + 1);
                if (!ReferenceEquals(diversity.Inner, diversity.Similarity))
                {
                    CheckSavable(diversity.Similarity, null, depth + 1);
                }

                break;
            case RecommenderBase { StateKind: not null } model:
                state ??= model.TrainedOrNull ?? throw new InvalidOperationException($"The '{model.Name}' recommender must be fitted before it is saved.");
                foreach ((RecommenderBase part, TrainedModel partState) in model.SavedParts(state))
                {
                    CheckSavable(part, partState, depth + 1);
                }

                break;
            default:
                string where = depth == 0 ? "" : " (a part of the composite being saved)";
                throw new NotSupportedException(
                    $"The '{recommender.Name}' recommender ({recommender.GetType().Name}){where} cannot be saved on its own. ModelFile saves RecEngine's fitted models and composites of them; save a running engine with RecommendationEngine.SnapshotAsync.");
        }
    }

    /// <summary>Writes a checked recommender: at the top, its kind, fit context and state (see the format in the remarks).</summary>
    private static void WriteModel(StateWriter writer, IRecommender recommender, TrainedModel? state, FitContext? parent)
    {
        if (recommender is DiversityReranker diversity)
        {
            writer.Write(DiversityReranker.Kind);
            diversity.WriteState(writer);
            return;
        }

        var model = (RecommenderBase)recommender;
        state ??= model.TrainedOrNull!;
        writer.Write(model.StateKind!);
        if (writer.Nesting > 0)
        {
            // A part fitted on the composite's data (the usual case) shares its context, which is then stored once.
            bool shared = parent is not null && parent.HasSameContents(state.Context);
            writer.Write(shared);
            if (!shared)
            {
                WriteContext(writer, state.Context);
            }
        }
        else
        {
            WriteContext(writer, state.Context);
        }

        model.WriteState(writer, state);
    }

    /// <summary>
    /// Writes one part of a composite as a nested model: its kind, whether it shares <paramref name="parent"/> (else
    /// its own fit context), and its state.
    /// </summary>
    /// <param name="writer">The writer.</param>
    /// <param name="part">The part (checked savable by <see cref="CheckSavable"/>).</param>
    /// <param name="state">The part's state as the composite uses it; <see langword="null"/> for its current one.</param>
    /// <param name="parent">The composite's context, if it has one.</param>
    internal static void WritePart(StateWriter writer, IRecommender part, TrainedModel? state, FitContext? parent)
    {
        writer.Nesting++;
        try
        {
            WriteModel(writer, part, state, parent);
        }
        finally
        {
            writer.Nesting--;
        }
    }

    /// <summary>Reads one part written by <see cref="WritePart"/>.</summary>
    /// <exception cref="InvalidDataException">The part is malformed, or composites are nested deeper than <see cref="MaxNesting"/>.</exception>
    internal static IRecommender ReadPart(StateReader reader, FitContext? parent)
    {
        if (reader.Nesting >= MaxNesting)
        {
            throw reader.Invalid($"nests composites more than {MaxNesting} deep.");
        }

        reader.Nesting++;
        try
        {
            return ReadModel(reader, parent);
        }
        finally
        {
            reader.Nesting--;
        }
    }

    /// <summary>Reads a part that must be a model of its own (not a diversity re-ranker) serving the composite's users and items.</summary>
    internal static RecommenderBase ReadModelPart(StateReader reader, FitContext parent, string role)
    {
        IRecommender part = ReadPart(reader, parent);
        if (part is not RecommenderBase { TrainedOrNull: { } state } model)
        {
            throw reader.Invalid($"has a {role} of class {part.GetType().Name}, which cannot be one.");
        }

        if (state.Context.UserCount != parent.UserCount || state.Context.ItemCount != parent.ItemCount)
        {
            throw reader.Invalid($"has a {role} of {state.Context.UserCount} users and {state.Context.ItemCount} items in a composite of {parent.UserCount} and {parent.ItemCount}.");
        }

        return model;
    }

    private static void WriteContext(StateWriter writer, FitContext context)
    {
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
    }

    private static IRecommender Read(Stream source, string name) =>
        StateFrame.Read(source, Magic, FormatVersion, name, "model", reader => ReadModel(reader, parent: null));

    private static IRecommender ReadModel(StateReader reader, FitContext? parent)
    {
        string kind = reader.ReadString();
        if (kind == DiversityReranker.Kind)
        {
            return DiversityReranker.ReadState(reader);
        }

        FitContext context;
        if (reader.Nesting > 0 && reader.ReadBoolean())
        {
            context = parent ?? throw reader.Invalid($"has a model of kind '{kind}' that shares the context of a composite that has none.");
        }
        else
        {
            context = ReadContext(reader);
        }

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
            HybridRecommender.Kind => HybridRecommender.ReadState(reader, context),
            RerankingRecommender.Kind => RerankingRecommender.ReadState(reader, context),
            _ => throw reader.Invalid($"holds a model of kind '{kind}', which this version of RecEngine does not know."),
        };
    }

    private static FitContext ReadContext(StateReader reader)
    {
        IdMap users = reader.ReadIds("user");
        IdMap items = reader.ReadIds("item");
        SparseRows seen = reader.ReadRows(users.Count, items.Count, "seen item", values: false);
        float[] popularity = reader.ReadFinite(items.Count, "popularity");
        return new FitContext(users, items, users.Count, items.Count, SeenItems.Of(seen), popularity, FitContext.OrderByDescending(popularity));
    }
}
