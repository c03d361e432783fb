using RecEngine.Data;
using RecEngine.Persistence;

namespace RecEngine.Models.Content;

/// <summary>
/// The fitted feature space of the content model: the category vocabulary, the token vocabulary with its inverse
/// document frequencies, and the mean and standard deviation of each numeric attribute. Turns any
/// <see cref="ItemAttributes"/> — of a catalog item or of a brand-new one — into a unit-length sparse vector.
/// </summary>
/// <remarks>
/// <para>Blocks, each scaled by its weight in <see cref="ContentOptions"/>:</para>
/// <list type="bullet">
/// <item>categories: one-hot over the known categories, scaled to unit length;</item>
/// <item>text: the tokens of the title and the tags (<see cref="TextTokenizer"/>), weighted by TF-IDF,
/// tf = 1 + ln(count) and idf = ln((1 + N) / (1 + df)) + 1 over the N items with text, scaled to unit length;</item>
/// <item>numeric: each known attribute standardised over the items that have it, z = (x − mean) / sd, clipped to
/// [−3, 3] and divided by 3, then divided by √(number of numeric attributes) (not scaled to unit length, so a value
/// near the mean counts less than an extreme one).</item>
/// </list>
/// <para>
/// The whole vector is then scaled to unit length, so the dot product of two vectors is their cosine similarity.
/// Unknown categories and tokens are ignored; an item with no known feature has the zero vector.
/// </para>
/// </remarks>
internal sealed class FeatureSpace
{
    private const double ZClip = 3;

    private readonly Dictionary<string, int> _categories;
    private readonly Dictionary<string, int> _tokens;
    private readonly float[] _idf;
    private readonly string[] _numericNames;
    private readonly double[] _means;
    private readonly double[] _deviations;
    private readonly ContentOptions _options;
    private readonly TextTokenizer _tokenizer;

    private FeatureSpace(
        Dictionary<string, int> categories, Dictionary<string, int> tokens, float[] idf, string[] numericNames,
        double[] means, double[] deviations, ContentOptions options, TextTokenizer tokenizer)
    {
        _categories = categories;
        _tokens = tokens;
        _idf = idf;
        _numericNames = numericNames;
        _means = means;
        _deviations = deviations;
        _options = options;
        _tokenizer = tokenizer;
    }

    /// <summary>Dimension: categories, then tokens, then numeric attributes.</summary>
    public int Count => _categories.Count + _tokens.Count + _numericNames.Length;

    public int CategoryCount => _categories.Count;

    public int TokenCount => _tokens.Count;

    public int NumericCount => _numericNames.Length;

    /// <summary>Fits the vocabularies and statistics to every described item of <paramref name="catalog"/>.</summary>
    public static FeatureSpace Build(ItemCatalog catalog, ContentOptions options)
    {
        var tokenizer = new TextTokenizer(options.MinimumTokenLength, options.RemoveStopWords);
        var categories = new Dictionary<string, int>(StringComparer.Ordinal);
        var documentFrequency = new Dictionary<string, int>(StringComparer.Ordinal);
        var numeric = new SortedDictionary<string, (double Sum, double Squares, int Count)>(StringComparer.Ordinal);
        var tokens = new List<string>();
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        int documents = 0;
        for (int item = 0; item < catalog.Count; item++)
        {
            if (!catalog.HasAttributes(item))
            {
                continue;
            }

            ItemAttributes attributes = catalog[item];
            foreach (string category in attributes.Categories)
            {
                categories.TryAdd(category, categories.Count);
            }

            tokens.Clear();
            Tokens(attributes, tokenizer, tokens);
            distinct.Clear();
            distinct.UnionWith(tokens);
            documents += distinct.Count > 0 ? 1 : 0;
            foreach (string token in distinct)
            {
                documentFrequency[token] = documentFrequency.GetValueOrDefault(token) + 1;
            }

            foreach ((string name, float value) in attributes.Numeric)
            {
                if (float.IsFinite(value))
                {
                    (double sum, double squares, int count) = numeric.GetValueOrDefault(name);
                    numeric[name] = (sum + value, squares + ((double)value * value), count + 1);
                }
            }
        }

        // Token ids in ordinal order, so the feature space does not depend on the catalog's order.
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var idf = new List<float>();
        foreach ((string token, int df) in documentFrequency.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (df >= options.MinimumDocumentFrequency)
            {
                vocabulary.Add(token, vocabulary.Count);
                idf.Add((float)(Math.Log((1.0 + documents) / (1.0 + df)) + 1.0));
            }
        }

        string[] names = [.. numeric.Keys];
        var means = new double[names.Length];
        var deviations = new double[names.Length];
        for (int n = 0; n < names.Length; n++)
        {
            (double sum, double squares, int count) = numeric[names[n]];
            means[n] = sum / count;
            deviations[n] = Math.Sqrt(Math.Max(0, (squares / count) - (means[n] * means[n])));
        }

        return new FeatureSpace(categories, vocabulary, [.. idf], names, means, deviations, options, tokenizer);
    }

    /// <summary>Writes the vocabularies and statistics into saved state (the options are written by the recommender).</summary>
    public void Write(StateWriter writer)
    {
        writer.WriteStrings(InIndexOrder(_categories));
        writer.WriteStrings(InIndexOrder(_tokens));
        writer.WriteArray<float>(_idf);
        writer.WriteStrings(_numericNames);
        writer.WriteArray<double>(_means);
        writer.WriteArray<double>(_deviations);
    }

    /// <summary>Reads a feature space written by <see cref="Write"/>.</summary>
    public static FeatureSpace Read(StateReader reader, ContentOptions options)
    {
        Dictionary<string, int> categories = ByIndex(reader, reader.ReadStrings("category"), "category");
        Dictionary<string, int> tokens = ByIndex(reader, reader.ReadStrings("token"), "token");
        float[] idf = reader.ReadFinite(tokens.Count, "inverse document frequency");
        string[] names = reader.ReadStrings("numeric attribute");
        double[] means = reader.ReadFiniteDoubles(names.Length, "numeric mean");
        double[] deviations = reader.ReadFiniteDoubles(names.Length, "numeric deviation");
        return new FeatureSpace(categories, tokens, idf, names, means, deviations, options, new TextTokenizer(options.MinimumTokenLength, options.RemoveStopWords));
    }

    private static string[] InIndexOrder(Dictionary<string, int> ids)
    {
        var names = new string[ids.Count];
        foreach ((string name, int id) in ids)
        {
            names[id] = name;
        }

        return names;
    }

    private static Dictionary<string, int> ByIndex(StateReader reader, string[] names, string what)
    {
        var ids = new Dictionary<string, int>(names.Length, StringComparer.Ordinal);
        foreach (string name in names)
        {
            if (!ids.TryAdd(name, ids.Count))
            {
                throw reader.Invalid($"lists the {what} '{name}' twice.");
            }
        }

        return ids;
    }

    /// <summary>The unit-length vector of <paramref name="attributes"/>, indices ascending; appended to the lists.</summary>
    public void Vectorize(ItemAttributes attributes, List<int> indices, List<float> values)
    {
        var entries = new SortedDictionary<int, double>();

        // Categories: one-hot, unit length, times the weight.
        var categories = new HashSet<int>();
        foreach (string category in attributes.Categories)
        {
            if (_categories.TryGetValue(category, out int id))
            {
                categories.Add(id);
            }
        }

        foreach (int id in categories)
        {
            entries[id] = _options.CategoryWeight / Math.Sqrt(categories.Count);
        }

        // Text: TF-IDF, unit length, times the weight.
        var tokens = new List<string>();
        Tokens(attributes, _tokenizer, tokens);
        var counts = new Dictionary<int, int>();
        foreach (string token in tokens)
        {
            if (_tokens.TryGetValue(token, out int id))
            {
                counts[id] = counts.GetValueOrDefault(id) + 1;
            }
        }

        double textNorm = 0;
        foreach ((int id, int count) in counts)
        {
            double tfidf = (1 + Math.Log(count)) * _idf[id];
            textNorm += tfidf * tfidf;
        }

        foreach ((int id, int count) in counts)
        {
            entries[_categories.Count + id] = _options.TextWeight * (1 + Math.Log(count)) * _idf[id] / Math.Sqrt(textNorm);
        }

        // Numeric: standardised, clipped, scaled.
        for (int n = 0; n < _numericNames.Length; n++)
        {
            if (attributes.Numeric.TryGetValue(_numericNames[n], out float value) && float.IsFinite(value) && _deviations[n] > 0)
            {
                double z = Math.Clamp((value - _means[n]) / _deviations[n], -ZClip, ZClip) / ZClip;
                if (z != 0)
                {
                    entries[_categories.Count + _tokens.Count + n] = _options.NumericWeight * z / Math.Sqrt(_numericNames.Length);
                }
            }
        }

        double norm = 0;
        foreach (double v in entries.Values)
        {
            norm += v * v;
        }

        norm = Math.Sqrt(norm);
        foreach ((int id, double v) in entries)
        {
            if (v != 0)
            {
                indices.Add(id);
                values.Add((float)(v / norm));
            }
        }
    }

    /// <summary>The tokens of the title and of every tag.</summary>
    private static void Tokens(ItemAttributes attributes, TextTokenizer tokenizer, List<string> tokens)
    {
        tokenizer.Tokenize(attributes.Title, tokens);
        foreach (string tag in attributes.Tags)
        {
            tokenizer.Tokenize(tag, tokens);
        }
    }
}
