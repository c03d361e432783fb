using RecEngine.Data;

namespace RecEngine.Persistence;

/// <summary>
/// An engine's state after the event numbered <see cref="Sequence"/>: every interaction it knows (with id maps and
/// item attributes) and the state of each model that the interactions alone do not determine.
/// </summary>
/// <param name="Sequence">The sequence of the last event the state includes; the log is replayed after it.</param>
/// <param name="History">Every interaction: the starting ones, then each applied event in order.</param>
/// <param name="Models">Saved states by model name, for the models that have one.</param>
/// <param name="Decay">How the weights of the models' last training were aged, if they were.</param>
/// <param name="Configuration">
/// The engine's declarative configuration (<see cref="EngineConfiguration"/>), or <see langword="null"/> when the state
/// has none (format version 3, or names that could not be written).
/// </param>
internal sealed record EngineSnapshot(
    long Sequence, InteractionDataset History, IReadOnlyDictionary<string, SavedState> Models, TrainingDecay? Decay = null, byte[]? Configuration = null);

/// <summary>The saved state of one model.</summary>
/// <param name="Kind">What wrote <paramref name="Data"/> and in which layout (for example <c>implicit-als/2</c>).</param>
/// <param name="Data">The state, in the layout of <paramref name="Kind"/>.</param>
internal sealed record SavedState(string Kind, byte[] Data);
