using System.Numerics.Tensors;

namespace RecEngine.Models.Neural;

/// <summary>
/// Everything the scorer computes with: the network, the user and item embeddings (row-major, contiguous) and the
/// side features. An input row is <c>[user embedding | item embedding | their element-wise product (optional) |
/// user features | item features]</c>.
/// </summary>
internal sealed class NeuralState
{
    public NeuralState(Mlp<float> network, float[] users, float[] items, int embedding, bool product, NeuralFeatures features)
    {
        Network = network;
        Users = users;
        Items = items;
        Embedding = embedding;
        Product = product;
        Features = features;
        InputWidth = InputWidthOf(embedding, product, features);
        if (network.InputSize != InputWidth)
        {
            throw new ArgumentException($"The network takes {network.InputSize} inputs; the embeddings and features make {InputWidth}.", nameof(network));
        }
    }

    public Mlp<float> Network { get; }

    public float[] Users { get; }

    public float[] Items { get; }

    public int Embedding { get; }

    public bool Product { get; }

    public NeuralFeatures Features { get; }

    public int InputWidth { get; }

    public int UserCount => Users.Length / Embedding;

    public int ItemCount => Items.Length / Embedding;

    /// <summary>Inputs per row for embeddings of width <paramref name="embedding"/> and these features.</summary>
    public static int InputWidthOf(int embedding, bool product, NeuralFeatures features) =>
        (embedding * (product ? 3 : 2)) + features.UserWidth + features.ItemWidth;

    public Span<float> UserRow(int user) => Users.AsSpan(user * Embedding, Embedding);

    public Span<float> ItemRow(int item) => Items.AsSpan(item * Embedding, Embedding);

    /// <summary>Writes the input row of (user, item).</summary>
    public void WriteInput(int user, int item, Span<float> row) => WriteInput(user, UserRow(user), item, ItemRow(item), row);

    /// <summary>Writes the input row of (user, item) with the given embedding rows (a live version's, for instance).</summary>
    public void WriteInput(int user, ReadOnlySpan<float> u, int item, ReadOnlySpan<float> i, Span<float> row)
    {
        int d = Embedding;
        u.CopyTo(row);
        i.CopyTo(row[d..]);
        int at = 2 * d;
        if (Product)
        {
            TensorPrimitives.Multiply(u, i, row.Slice(at, d));
            at += d;
        }

        Features.UserRow(user).CopyTo(row[at..]);
        Features.ItemRow(item).CopyTo(row[(at + Features.UserWidth)..]);
    }

    /// <summary>Adds the gradient of an input row into the user's and the item's embedding gradients.</summary>
    public void AddEmbeddingGradients(int user, int item, ReadOnlySpan<float> rowGradient, Span<float> userGradient, Span<float> itemGradient) =>
        AddEmbeddingGradients(UserRow(user), ItemRow(item), rowGradient, userGradient.Slice(user * Embedding, Embedding), itemGradient.Slice(item * Embedding, Embedding));

    /// <summary>
    /// Adds the gradient of an input row with respect to the user embedding <paramref name="u"/> into
    /// <paramref name="gu"/> and with respect to the item embedding <paramref name="i"/> into <paramref name="gi"/>.
    /// </summary>
    public void AddEmbeddingGradients(ReadOnlySpan<float> u, ReadOnlySpan<float> i, ReadOnlySpan<float> rowGradient, Span<float> gu, Span<float> gi)
    {
        int d = Embedding;
        TensorPrimitives.Add(gu, rowGradient[..d], gu);
        TensorPrimitives.Add(gi, rowGradient.Slice(d, d), gi);
        if (Product)
        {
            ReadOnlySpan<float> product = rowGradient.Slice(2 * d, d);
            TensorPrimitives.MultiplyAdd(product, i, gu, gu);
            TensorPrimitives.MultiplyAdd(product, u, gi, gi);
        }
    }
}
