using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class DelimitedColumnTests
{
    [Fact]
    public void At_ChoosesByPosition()
    {
        DelimitedColumn column = DelimitedColumn.At(2);
        Assert.Equal(2, column.Index);
        Assert.Null(column.Name);
        Assert.Equal("column 2", column.ToString());
    }

    [Fact]
    public void Named_ChoosesByHeaderName()
    {
        DelimitedColumn column = DelimitedColumn.Named("userId");
        Assert.Null(column.Index);
        Assert.Equal("userId", column.Name);
        Assert.Equal("column 'userId'", column.ToString());
    }

    [Fact]
    public void At_NegativeIndex_Throws()
    {
        Assert.Equal("index", Assert.Throws<ArgumentOutOfRangeException>(() => DelimitedColumn.At(-1)).ParamName);
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    public void Named_EmptyName_Throws(string name)
    {
        Assert.Equal("name", Assert.Throws<ArgumentException>(() => DelimitedColumn.Named(name)).ParamName);
    }
}
