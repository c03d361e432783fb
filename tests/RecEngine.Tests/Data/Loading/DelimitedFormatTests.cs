using RecEngine.Data;
using RecEngine.Data.Loading;

namespace RecEngine.Tests.Data.Loading;

public sealed class DelimitedFormatTests
{
    [Fact]
    public void Defaults_DescribeACsvFileWithHeaderUserThenItem()
    {
        var format = new DelimitedFormat();
        Assert.Equal(",", format.Delimiter);
        Assert.True(format.HasHeader);
        Assert.True(format.AllowQuotedFields);
        Assert.True(format.SkipBlankLines);
        Assert.Equal(0, format.UserColumn.Index);
        Assert.Equal(1, format.ItemColumn.Index);
        Assert.Null(format.ValueColumn);
        Assert.Null(format.TimestampColumn);
        Assert.Null(format.KindColumn);
        Assert.Equal(TimestampFormat.UnixSeconds, format.TimestampFormat);
        Assert.Equal(EventKind.Rating, format.DefaultKind);
        Assert.Equal(1 << 20, format.MaxLineLength);
        Assert.Equal(int.MaxValue, format.MaxRows);
        format.Validate();
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n")]
    [InlineData(",\r")]
    [InlineData("\"")]
    public void Validate_BadDelimiter_ThrowsNamingDelimiter(string delimiter)
    {
        var format = new DelimitedFormat { Delimiter = delimiter };
        Assert.Equal(nameof(DelimitedFormat.Delimiter), Assert.Throws<ArgumentException>(format.Validate).ParamName);
    }

    [Fact]
    public void Validate_MissingRequiredColumn_ThrowsNamingIt()
    {
        var format = new DelimitedFormat { ItemColumn = null! };
        Assert.Equal(nameof(DelimitedFormat.ItemColumn), Assert.Throws<ArgumentNullException>(format.Validate).ParamName);
    }

    [Fact]
    public void Validate_NamedColumnWithoutHeader_ThrowsNamingIt()
    {
        var format = new DelimitedFormat { HasHeader = false, TimestampColumn = DelimitedColumn.Named("ts") };
        Assert.Equal(nameof(DelimitedFormat.TimestampColumn), Assert.Throws<ArgumentException>(format.Validate).ParamName);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData((1 << 30) + 1)]
    public void Validate_MaxLineLengthOutOfRange_ThrowsNamingIt(int maxLineLength)
    {
        var format = new DelimitedFormat { MaxLineLength = maxLineLength };
        Assert.Equal(nameof(DelimitedFormat.MaxLineLength), Assert.Throws<ArgumentOutOfRangeException>(format.Validate).ParamName);
    }

    [Fact]
    public void Validate_MaxRowsBelowOne_ThrowsNamingIt()
    {
        var format = new DelimitedFormat { MaxRows = 0 };
        Assert.Equal(nameof(DelimitedFormat.MaxRows), Assert.Throws<ArgumentOutOfRangeException>(format.Validate).ParamName);
    }

    [Fact]
    public void Validate_UndefinedTimestampFormat_ThrowsNamingIt()
    {
        var format = new DelimitedFormat { TimestampFormat = (TimestampFormat)42 };
        Assert.Equal(nameof(DelimitedFormat.TimestampFormat), Assert.Throws<ArgumentOutOfRangeException>(format.Validate).ParamName);
    }
}
