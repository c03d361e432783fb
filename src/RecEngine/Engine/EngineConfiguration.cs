using System.Text;
using RecEngine.Ingest;
using RecEngine.Persistence;

namespace RecEngine;

/// <summary>
/// The declarative part of an engine's options, as a saved state records it: the models (name, factory kind and
/// options), the default model, the ingest options (event weights, limits, queue and batch policies), the half-life of
/// training and the retrain interval. What belongs to the host (the data directory, the event log's fsync policy,
/// snapshots, the logger and the meter) is not recorded: <see cref="EngineLoadOptions"/> gives it at load.
/// </summary>
/// <remarks>
/// Layout (little-endian, strings UTF-8 with a 7-bit encoded length): the default model (flag, string), the ingest
/// options, the half-life and the retrain interval (each a flag and i64 ticks), i32 model count, then per model its
/// name, its kind (<see cref="EngineModel.Kinds"/>) and its options as a byte array in the layout of the options
/// classes' own saved form (empty for <see cref="EngineModel.Kinds.Retrained"/>).
/// </remarks>
internal static class EngineConfiguration
{
    /// <summary>The configuration of <paramref name="options"/>, or <see langword="null"/> when a name cannot be written (not well-formed UTF-16).</summary>
    public static byte[]? Encode(RecommendationEngineOptions options)
    {
        using var buffer = new MemoryStream();
        try
        {
            using (var writer = new StateWriter(buffer))
            {
                writer.Write(options.DefaultModel is not null);
                writer.Write(options.DefaultModel ?? "");
                options.Ingest.Write(writer);
                writer.WriteOptional(options.HalfLife?.Ticks);
                writer.WriteOptional(options.RetrainInterval?.Ticks);
                writer.Write(options.Models.Count);
                foreach (EngineModel model in options.Models)
                {
                    writer.Write(model.Name);
                    writer.Write(model.Kind);
                    using var settings = new MemoryStream();
                    if (model.CanRebuild)
                    {
                        using var inner = new StateWriter(settings);
                        model.WriteSettings(inner);
                    }

                    writer.WriteArray<byte>(settings.ToArray());
                }
            }
        }
        catch (EncoderFallbackException)
        {
            return null;
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// Engine options with the configuration in <paramref name="bytes"/> and the host's settings of
    /// <paramref name="host"/>.
    /// </summary>
    /// <exception cref="InvalidDataException">The configuration is malformed, names an unknown kind or holds invalid options.</exception>
    /// <exception cref="NotSupportedException">A model was made by <see cref="EngineModel.Retrained"/> (a factory of the host's own); the message names it.</exception>
    public static RecommendationEngineOptions Decode(byte[] bytes, string source, EngineLoadOptions host)
    {
        using var input = new MemoryStream(bytes, writable: false);
        using var reader = new StateReader(input, bytes.Length, source);
        try
        {
            bool hasDefault = reader.ReadBoolean();
            string defaultModel = reader.ReadString();
            IngestOptions ingest = IngestOptions.Read(reader);
            long? halfLife = reader.ReadOptional<long>();
            long? retrain = reader.ReadOptional<long>();
            var options = new RecommendationEngineOptions
            {
                DefaultModel = hasDefault ? defaultModel : null,
                Ingest = ingest,
                HalfLife = halfLife is { } h ? TimeSpan.FromTicks(h) : null,
                RetrainInterval = retrain is { } r ? TimeSpan.FromTicks(r) : null,
                DataDirectory = host.DataDirectory,
                EventLog = host.EventLog,
                SnapshotInterval = host.SnapshotInterval,
                SnapshotsToKeep = host.SnapshotsToKeep,
            };

            int count = reader.ReadCount(3 * sizeof(int), "configured model");
            for (int m = 0; m < count; m++)
            {
                string name = reader.ReadString();
                string kind = reader.ReadString();
                byte[] settings = reader.ReadArray<byte>("model option byte");
                using var settingsInput = new MemoryStream(settings, writable: false);
                using var settingsReader = new StateReader(settingsInput, settings.Length, $"{source}'s options of model '{name}'");
                options.Models.Add(EngineModel.Read(settingsReader, name, kind));
                settingsReader.CheckEnd();
            }

            reader.CheckEnd();
            foreach ((string message, _) in RecommendationEngineOptions.ModelNameProblems([.. options.Models.Select(m => m.Name)], options.DefaultModel))
            {
                throw reader.Invalid($"has a configuration the engine refuses: {message}");
            }

            try
            {
                ingest.Validate();
            }
            catch (ArgumentException e)
            {
                throw reader.Invalid($"has invalid ingest options: {e.Message}");
            }

            return options;
        }
        catch (Exception e) when (e is EndOfStreamException or DecoderFallbackException or OverflowException)
        {
            throw new InvalidDataException($"{source} has a malformed configuration: {e.Message}", e);
        }
    }
}
