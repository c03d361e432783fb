using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class DataFormatExceptionTests
{
    [Fact]
    public void Constructor_PrefixesTheMessageWithSourceAndLine()
    {
        var error = new DataFormatException("u.data", 17, "expected 4 tab-separated fields (user, item, rating, timestamp), found 3");
        Assert.Equal("u.data:17: expected 4 tab-separated fields (user, item, rating, timestamp), found 3", error.Message);
        Assert.Equal("u.data", error.FilePath);
        Assert.Equal(17, error.LineNumber);
        Assert.Equal("expected 4 tab-separated fields (user, item, rating, timestamp), found 3", error.Detail);
    }

    [Fact]
    public void Constructor_KeepsTheInnerException()
    {
        var inner = new FormatException("bad");
        Assert.Same(inner, new DataFormatException("f.csv", 1, "bad", inner).InnerException);
    }

    [Fact]
    public void DataFormatException_IsAnIOException()
    {
        Assert.IsAssignableFrom<IOException>(new DataFormatException("f.csv", 1, "bad"));
    }

    [Fact]
    public void Constructor_LineNumberBelowOne_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new DataFormatException("f.csv", 0, "bad"));
    }

    [Fact]
    public void Constructor_NullPathOrDetail_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new DataFormatException(null!, 1, "bad"));
        Assert.Throws<ArgumentNullException>(() => new DataFormatException("f.csv", 1, null!));
    }
}
