using System.Globalization;

namespace RecEngine.Data.Synthetic;

/// <summary>
/// Item attributes that carry the hidden cluster structure, so content-based models have real signal:
/// categories named after the item's clusters, numeric attributes whose distributions differ by cluster (and
/// move with the item's latent vector), and tags drawn mostly from a vocabulary of the item's own cluster.
/// </summary>
/// <remarks>
/// <para>
/// Attributes of item <c>i</c> with main cluster <c>c</c>: title <c>"Item i"</c>; categories
/// <c>[CategoryName(c)]</c> plus the second cluster's name when there is one; <c>"price"</c> log-normal around
/// a median of the cluster (between 5 and 200); <c>"year"</c> normal around a centre of the cluster (between 60
/// and 5 years before the start time, never after it); 3 to 6 distinct tags, each from the cluster's 12 words
/// with probability 0.7, from the second cluster's words with probability 0.1 when there is one, and otherwise
/// from 40 words shared by all clusters.
/// </para>
/// <para>Words are made-up syllable pairs (or triples for very many clusters) such as <c>"tamiro"</c>.</para>
/// </remarks>
internal static class SyntheticCatalog
{
    /// <summary>Name of the numeric price attribute.</summary>
    internal const string PriceAttribute = "price";

    /// <summary>Name of the numeric release-year attribute.</summary>
    internal const string YearAttribute = "year";

    internal const int WordsPerCluster = 12;
    internal const int SharedWords = 40;
    internal const int MinTags = 3;
    internal const int MaxTags = 6;
    internal const double OwnClusterTagProbability = 0.7;
    internal const double SecondClusterTagProbability = 0.1;

    private const double MinPriceMedian = 5;
    private const double MaxPriceMedian = 200;
    private const double PriceSpread = 0.35;
    private const double PriceLatentSpread = 0.25;
    private const int OldestYearCentre = 60;
    private const int NewestYearCentre = 5;
    private const double YearSpread = 6;
    private const double YearLatentSpread = 4;
    private const int TagAttempts = 8;

    private static readonly string[] Syllables =
    [
        "ba", "be", "bi", "bo", "bu", "da", "de", "di", "do", "du", "fa", "fe", "fi", "fo", "fu",
        "ga", "ge", "gi", "go", "gu", "ka", "ke", "ki", "ko", "ku", "la", "le", "li", "lo", "lu",
        "ma", "me", "mi", "mo", "mu", "na", "ne", "ni", "no", "nu", "pa", "pe", "pi", "po", "pu",
        "ra", "re", "ri", "ro", "ru", "sa", "se", "si", "so", "su", "ta", "te", "ti", "to", "tu",
        "va", "ve", "vi", "vo", "vu", "za", "ze", "zi", "zo", "zu",
    ];

    /// <summary>The category name of <paramref name="cluster"/>: <c>"Category 1"</c> for cluster 0, and so on.</summary>
    internal static string CategoryName(int cluster) => string.Create(CultureInfo.InvariantCulture, $"Category {cluster + 1}");

    /// <summary>Draws the attributes of every item.</summary>
    /// <param name="random">The stream reserved for the catalogue.</param>
    /// <param name="items">The hidden item side.</param>
    /// <param name="latestYear">No item is dated after this year.</param>
    public static ItemCatalog Create(ref Xoshiro256 random, SyntheticItems items, int latestYear)
    {
        int clusters = items.ClusterCount;
        string[] categoryNames = new string[clusters];
        var priceMedians = new double[clusters];
        var yearCentres = new double[clusters];
        for (int c = 0; c < clusters; c++)
        {
            categoryNames[c] = CategoryName(c);
            priceMedians[c] = MinPriceMedian * Math.Exp(random.NextDouble() * Math.Log(MaxPriceMedian / MinPriceMedian));
            yearCentres[c] = latestYear - OldestYearCentre + (random.NextDouble() * (OldestYearCentre - NewestYearCentre));
        }

        string[] vocabulary = Words(ref random, (clusters * WordsPerCluster) + SharedWords);
        var attributes = new ItemAttributes?[items.Count];
        int tagCount = 0;
        int dimensions = items.LatentDimensions;
        double unitScale = dimensions > 0 ? Math.Pow(dimensions, 0.25) : 0;
        var tags = new List<string>(MaxTags);
        for (int i = 0; i < items.Count; i++)
        {
            int main = items.MainClusters[i];
            int second = items.SecondClusters[i];

            // The first two latent components, scaled back to unit variance, tie the numbers to within-cluster taste.
            ReadOnlySpan<float> factors = items.FactorsOf(i);
            double latentYear = dimensions > 0 ? factors[0] * unitScale : 0;
            double latentPrice = dimensions > 1 ? factors[1] * unitScale : 0;
            double price = Math.Round(priceMedians[main] * Math.Exp((PriceSpread * random.NextNormal()) + (PriceLatentSpread * latentPrice)), 2);
            double year = Math.Min(latestYear, Math.Round(yearCentres[main] + (YearSpread * random.NextNormal()) + (YearLatentSpread * latentYear)));

            tags.Clear();
            int wanted = MinTags + random.NextInt(MaxTags - MinTags + 1);
            for (int t = 0; t < wanted; t++)
            {
                for (int attempt = 0; attempt < TagAttempts; attempt++)
                {
                    string word = DrawTag(ref random, vocabulary, clusters, main, second);
                    if (!tags.Contains(word))
                    {
                        tags.Add(word);
                        break;
                    }
                }
            }

            tagCount += tags.Count;
            attributes[i] = new ItemAttributes
            {
                Title = string.Create(CultureInfo.InvariantCulture, $"Item {i}"),
                Categories = second >= 0 ? [categoryNames[main], categoryNames[second]] : [categoryNames[main]],
                Tags = [.. tags],
                Numeric = new Dictionary<string, float>(2, StringComparer.Ordinal)
                {
                    [PriceAttribute] = (float)price,
                    [YearAttribute] = (float)year,
                },
            };
        }

        return new ItemCatalog(attributes, tagCount);
    }

    private static string DrawTag(ref Xoshiro256 random, string[] vocabulary, int clusters, int main, int second)
    {
        double u = random.NextDouble();
        int word = random.NextInt(WordsPerCluster);
        if (u < OwnClusterTagProbability)
        {
            return vocabulary[(main * WordsPerCluster) + word];
        }

        if (second >= 0 && u < OwnClusterTagProbability + SecondClusterTagProbability)
        {
            return vocabulary[(second * WordsPerCluster) + word];
        }

        return vocabulary[(clusters * WordsPerCluster) + random.NextInt(SharedWords)];
    }

    /// <summary>Draws <paramref name="count"/> distinct made-up words.</summary>
    private static string[] Words(ref Xoshiro256 random, int count)
    {
        // Two syllables while they leave plenty of room (cheap rejection), three beyond.
        int syllables = count <= Syllables.Length * Syllables.Length / 2 ? 2 : 3;
        int space = syllables == 2 ? Syllables.Length * Syllables.Length : Syllables.Length * Syllables.Length * Syllables.Length;
        var taken = new HashSet<int>(count);
        var words = new string[count];
        for (int w = 0; w < count; w++)
        {
            int code;
            do
            {
                code = random.NextInt(space);
            }
            while (!taken.Add(code));

            string word = string.Empty;
            for (int s = 0; s < syllables; s++)
            {
                word += Syllables[code % Syllables.Length];
                code /= Syllables.Length;
            }

            words[w] = word;
        }

        return words;
    }
}
