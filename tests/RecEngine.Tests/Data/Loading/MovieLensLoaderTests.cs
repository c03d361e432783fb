using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class MovieLensLoaderTests
{
    [Theory]
    [InlineData("Toy Story (1995)", 1995)]
    [InlineData("City of Lost Children, The (Cité des enfants perdus, La) (1995)", 1995)]
    [InlineData("(1995)", 1995)]
    [InlineData("Babylon 5", null)]
    [InlineData("Death Note: Desu nôto (2006–2007)", null)]
    [InlineData("Heat (95)", null)]
    [InlineData("Heat (199x)", null)]
    [InlineData("Heat 1995)", null)]
    [InlineData("", null)]
    public void ParseYear_TrailingFourDigitYearInParentheses_IsTheYear(string title, int? expected)
    {
        Assert.Equal(expected, MovieLensLoader.ParseYear(title));
    }
}
