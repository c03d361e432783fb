using System.Globalization;

namespace RecEngine.Models.Content;

/// <summary>
/// The content model's tokenizer: splits text at every character that is not a letter or a digit, lower-cases
/// (invariant culture), and drops tokens shorter than a minimum length, tokens made only of digits (years and
/// counts belong in numeric attributes) and, optionally, common English stop words.
/// </summary>
internal sealed class TextTokenizer(int minimumLength, bool removeStopWords)
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "from", "has", "have", "in", "into", "is",
        "it", "its", "of", "on", "or", "that", "the", "their", "this", "to", "was", "were", "with",
    };

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="tokens"/>.</summary>
    public void Tokenize(string? text, List<string> tokens)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        int start = -1;
        for (int i = 0; i <= text.Length; i++)
        {
            bool inToken = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inToken && start < 0)
            {
                start = i;
            }
            else if (!inToken && start >= 0)
            {
                Add(text.AsSpan(start, i - start), tokens);
                start = -1;
            }
        }
    }

    private void Add(ReadOnlySpan<char> token, List<string> tokens)
    {
        if (token.Length < minimumLength || !token.ContainsAnyExceptInRange('0', '9'))
        {
            return;
        }

        string lower = token.ToString().ToLower(CultureInfo.InvariantCulture);
        if (!removeStopWords || !StopWords.Contains(lower))
        {
            tokens.Add(lower);
        }
    }
}
