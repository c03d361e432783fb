using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace RecEngine.Tests.Packaging;

/// <summary>
/// The symbols the packages ship: portable PDBs with every source file embedded, so a debugger steps into the
/// library without fetching anything. (Source Link, which needs the repository's hosted remote, is checked by CI
/// on a clone given one.)
/// </summary>
public sealed class SymbolsTests
{
    /// <summary>The Portable PDB custom debug information kind of an embedded source file.</summary>
    private static readonly Guid EmbeddedSource = new("0E8A571B-6926-466E-B4AD-8AB04611F5FE");

    [Theory]
    [InlineData(typeof(RecommendationEngine))]
    [InlineData(typeof(RecEngineBuilderHostingExtensions))]
    public void EverySourceFile_IsEmbeddedInThePortablePdb(Type typeInAssembly)
    {
        string dll = typeInAssembly.Assembly.Location;
        string pdb = Path.ChangeExtension(dll, ".pdb");
        using (var pe = new PEReader(File.OpenRead(dll)))
        {
            Assert.Contains(pe.ReadDebugDirectory(), entry => entry.Type == DebugDirectoryEntryType.CodeView);
        }

        using var provider = MetadataReaderProvider.FromPortablePdbStream(File.OpenRead(pdb));
        MetadataReader reader = provider.GetMetadataReader();
        var embedded = new HashSet<DocumentHandle>();
        foreach (CustomDebugInformationHandle handle in reader.CustomDebugInformation)
        {
            CustomDebugInformation info = reader.GetCustomDebugInformation(handle);
            if (reader.GetGuid(info.Kind) == EmbeddedSource && info.Parent.Kind == HandleKind.Document)
            {
                embedded.Add((DocumentHandle)info.Parent);
            }
        }

        DocumentHandle[] sources = [.. reader.Documents
            .Where(d => reader.GetString(reader.GetDocument(d).Name).EndsWith(".cs", StringComparison.Ordinal))];
        Assert.NotEmpty(sources);
        Assert.Empty(sources.Where(d => !embedded.Contains(d)).Select(d => reader.GetString(reader.GetDocument(d).Name)));
    }
}
