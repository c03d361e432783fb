using System.Text;

namespace RecEngine.Tests.Data.Loading;

/// <summary>A fresh folder under the system temp folder, deleted with everything in it on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = Directory.CreateTempSubdirectory("recengine-loading-").FullName;
    }

    public string Path { get; }

    /// <summary>Writes <paramref name="text"/> as UTF-8 without a byte order mark, exactly as given (no line-end translation).</summary>
    public string Write(string name, string text) => Write(name, Encoding.UTF8.GetBytes(text));

    /// <summary>Writes <paramref name="text"/> as ISO-8859-1.</summary>
    public string WriteLatin1(string name, string text) => Write(name, Encoding.Latin1.GetBytes(text));

    public string Write(string name, byte[] bytes)
    {
        string path = System.IO.Path.Combine(Path, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
