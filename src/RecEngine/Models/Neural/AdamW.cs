using System.Numerics;

namespace RecEngine.Models.Neural;

/// <summary>
/// Adam with decoupled weight decay (Loshchilov and Hutter 2019, "Decoupled Weight Decay Regularization"): per
/// parameter θ, with gradient g at step t,
/// <c>m ← β₁ m + (1 − β₁) g</c>, <c>v ← β₂ v + (1 − β₂) g²</c>,
/// <c>θ ← θ − η (m / (1 − β₁ᵗ) / (√(v / (1 − β₂ᵗ)) + ε) + λ θ)</c>.
/// </summary>
/// <remarks>
/// <see cref="StepRows"/> updates only the given rows of a row-major table (embeddings a batch touched), with the
/// step count of the whole optimiser for the bias correction: "lazy" Adam, so a step costs what the batch touched,
/// not the table's size. Deterministic: element-wise updates in a fixed order, vectorised (<see cref="Vector{T}"/>) with
/// the same operations as the scalar reference <see cref="UpdateReference"/>, so both give the same bits.
/// </remarks>
internal sealed class AdamW<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly T[] _first;
    private readonly T[] _second;

    /// <param name="size">Number of parameters.</param>
    public AdamW(int size)
    {
        _first = new T[size];
        _second = new T[size];
    }

    /// <summary>Steps taken: the t of the bias correction.</summary>
    public int Step { get; private set; }

    /// <summary>The first and second moment estimates (for saving and tests).</summary>
    public (T[] First, T[] Second) Moments => (_first, _second);

    /// <summary>Counts one step; call once per mini-batch, before the updates of that batch.</summary>
    public void Advance() => Step++;

    /// <summary>Updates every parameter from its gradient.</summary>
    public void Update(Span<T> parameters, ReadOnlySpan<T> gradients, AdamSettings settings) =>
        Update(parameters, gradients, 0, new Constants(settings, Step));

    /// <summary>Updates rows <paramref name="rows"/> (each <paramref name="width"/> wide) of a row-major table.</summary>
    public void StepRows(Span<T> table, ReadOnlySpan<T> gradients, ReadOnlySpan<int> rows, int width, AdamSettings settings)
    {
        Constants c = new(settings, Step);
        foreach (int row in rows)
        {
            int start = row * width;
            Update(table.Slice(start, width), gradients.Slice(start, width), start, c);
        }
    }

    /// <summary>
    /// The scalar reference of <see cref="Update(Span{T}, ReadOnlySpan{T}, AdamSettings)"/>, one parameter at a time (for
    /// tests: the vector path must give the same bits).
    /// </summary>
    internal void UpdateReference(Span<T> parameters, ReadOnlySpan<T> gradients, AdamSettings settings)
    {
        Constants c = new(settings, Step);
        UpdateScalar(parameters, gradients, _first.AsSpan(0, parameters.Length), _second.AsSpan(0, parameters.Length), c);
    }

    private void Update(Span<T> parameters, ReadOnlySpan<T> gradients, int offset, Constants c)
    {
        if (gradients.Length != parameters.Length)
        {
            throw new ArgumentException($"{gradients.Length} gradients for {parameters.Length} parameters.", nameof(gradients));
        }

        Span<T> first = _first.AsSpan(offset, parameters.Length);
        Span<T> second = _second.AsSpan(offset, parameters.Length);
        int done = 0;
        if (Vector.IsHardwareAccelerated && Vector<T>.IsSupported)
        {
            // The scalar loop's operations in its order, lane by lane (no reduction, no fused multiply-add): the same
            // bits, so training stays deterministic whatever the vector width.
            var beta1 = new Vector<T>(c.Beta1);
            var beta2 = new Vector<T>(c.Beta2);
            var oneMinusBeta1 = new Vector<T>(c.OneMinusBeta1);
            var oneMinusBeta2 = new Vector<T>(c.OneMinusBeta2);
            var learningRate = new Vector<T>(c.LearningRate);
            var decay = new Vector<T>(c.Decay);
            var epsilon = new Vector<T>(c.Epsilon);
            var correction1 = new Vector<T>(c.Correction1);
            var correction2 = new Vector<T>(c.Correction2);
            for (; done <= parameters.Length - Vector<T>.Count; done += Vector<T>.Count)
            {
                var g = new Vector<T>(gradients[done..]);
                Vector<T> m = (beta1 * new Vector<T>(first[done..])) + (oneMinusBeta1 * g);
                Vector<T> v = (beta2 * new Vector<T>(second[done..])) + (oneMinusBeta2 * g * g);
                m.CopyTo(first[done..]);
                v.CopyTo(second[done..]);
                Vector<T> step = learningRate * m * correction1 / (Vector.SquareRoot(v * correction2) + epsilon);
                var p = new Vector<T>(parameters[done..]);
                (p - (step + (decay * p))).CopyTo(parameters[done..]);
            }
        }

        UpdateScalar(parameters[done..], gradients[done..], first[done..], second[done..], c);
    }

    private static void UpdateScalar(Span<T> parameters, ReadOnlySpan<T> gradients, Span<T> first, Span<T> second, Constants c)
    {
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i];
            first[i] = (c.Beta1 * first[i]) + (c.OneMinusBeta1 * g);
            second[i] = (c.Beta2 * second[i]) + (c.OneMinusBeta2 * g * g);
            T step = c.LearningRate * first[i] * c.Correction1 / (T.Sqrt(second[i] * c.Correction2) + c.Epsilon);
            parameters[i] -= step + (c.Decay * parameters[i]);
        }
    }

    /// <summary>The settings at step t in <typeparamref name="T"/>, bias corrections included.</summary>
    private readonly struct Constants(AdamSettings settings, int step)
    {
        public T Beta1 { get; } = T.CreateChecked(settings.Beta1);

        public T Beta2 { get; } = T.CreateChecked(settings.Beta2);

        public T OneMinusBeta1 { get; } = T.One - T.CreateChecked(settings.Beta1);

        public T OneMinusBeta2 { get; } = T.One - T.CreateChecked(settings.Beta2);

        public T LearningRate { get; } = T.CreateChecked(settings.LearningRate);

        public T Decay { get; } = T.CreateChecked(settings.LearningRate * settings.WeightDecay);

        public T Epsilon { get; } = T.CreateChecked(settings.Epsilon);

        public T Correction1 { get; } = T.One / (T.One - T.CreateChecked(Math.Pow(settings.Beta1, step)));

        public T Correction2 { get; } = T.One / (T.One - T.CreateChecked(Math.Pow(settings.Beta2, step)));
    }
}

/// <summary>The settings of one <see cref="AdamW{T}"/> update.</summary>
/// <param name="LearningRate">η.</param>
/// <param name="WeightDecay">λ, decoupled from the gradient.</param>
/// <param name="Beta1">β₁, the decay of the first moment.</param>
/// <param name="Beta2">β₂, the decay of the second moment.</param>
/// <param name="Epsilon">ε, added to the root of the second moment.</param>
internal readonly record struct AdamSettings(double LearningRate, double WeightDecay, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);
