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
/// not the table's size. Deterministic: plain loops in a fixed order.
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
        Update(parameters, gradients, 0, settings);

    /// <summary>Updates rows <paramref name="rows"/> (each <paramref name="width"/> wide) of a row-major table.</summary>
    public void StepRows(Span<T> table, ReadOnlySpan<T> gradients, ReadOnlySpan<int> rows, int width, AdamSettings settings)
    {
        foreach (int row in rows)
        {
            int start = row * width;
            Update(table.Slice(start, width), gradients.Slice(start, width), start, settings);
        }
    }

    private void Update(Span<T> parameters, ReadOnlySpan<T> gradients, int offset, AdamSettings settings)
    {
        T beta1 = T.CreateChecked(settings.Beta1);
        T beta2 = T.CreateChecked(settings.Beta2);
        T oneMinusBeta1 = T.One - beta1;
        T oneMinusBeta2 = T.One - beta2;
        T learningRate = T.CreateChecked(settings.LearningRate);
        T decay = T.CreateChecked(settings.LearningRate * settings.WeightDecay);
        T epsilon = T.CreateChecked(settings.Epsilon);
        T correction1 = T.One / (T.One - T.CreateChecked(Math.Pow(settings.Beta1, Step)));
        T correction2 = T.One / (T.One - T.CreateChecked(Math.Pow(settings.Beta2, Step)));
        Span<T> first = _first.AsSpan(offset, parameters.Length);
        Span<T> second = _second.AsSpan(offset, parameters.Length);
        for (int i = 0; i < parameters.Length; i++)
        {
            T g = gradients[i];
            first[i] = (beta1 * first[i]) + (oneMinusBeta1 * g);
            second[i] = (beta2 * second[i]) + (oneMinusBeta2 * g * g);
            T step = learningRate * first[i] * correction1 / (T.Sqrt(second[i] * correction2) + epsilon);
            parameters[i] -= step + (decay * parameters[i]);
        }
    }
}

/// <summary>The settings of one <see cref="AdamW{T}"/> update.</summary>
/// <param name="LearningRate">η.</param>
/// <param name="WeightDecay">λ, decoupled from the gradient.</param>
/// <param name="Beta1">β₁, the decay of the first moment.</param>
/// <param name="Beta2">β₂, the decay of the second moment.</param>
/// <param name="Epsilon">ε, added to the root of the second moment.</param>
internal readonly record struct AdamSettings(double LearningRate, double WeightDecay, double Beta1 = 0.9, double Beta2 = 0.999, double Epsilon = 1e-8);
