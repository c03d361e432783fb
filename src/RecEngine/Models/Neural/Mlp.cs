using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using RecEngine.Kernels;

namespace RecEngine.Models.Neural;

/// <summary>
/// A multilayer perceptron over row-major batches: layer l maps <c>sizes[l]</c> inputs to <c>sizes[l + 1]</c>
/// outputs, <c>y = W x + b</c>, with a ReLU after every layer but the last, whose outputs are logits. Generic in the
/// number type so that the same code runs in <see cref="float"/> for training and serving and in
/// <see cref="double"/> for finite-difference gradient checks.
/// </summary>
/// <remarks>
/// <para>
/// <b>Storage</b>: every weight and bias lives in one contiguous <see cref="Parameters"/> array (layer by layer: the
/// weights row by row, one row per output, then the biases), with <see cref="Gradients"/> of the same layout, so an
/// optimiser step is one pass over two arrays. Per-batch buffers live in a <see cref="Workspace"/> made once per
/// thread and reused: a forward and backward pass allocates nothing.
/// </para>
/// <para>
/// <b>Kernels</b>: in <see cref="float"/>, each layer is a batched matrix product through <see cref="Gemm"/>
/// (register-blocked over 512-, 256- or 128-bit vectors): forward <c>Y = X Wᵀ + b</c> against a transposed copy of the
/// weights kept in the workspace, backward <c>dX = dY W</c>, <c>dW += dYᵀ X</c> and <c>db +=</c> the column sums of
/// <c>dY</c>. The persisted parameters stay row-major; the transpose costs about 1 / batch of the product. A workspace
/// re-takes it at every forward pass (the weights may have changed since: an optimiser step), unless it was made
/// with <c>fixedWeights</c> for a network that no longer changes (a trained model that serves), which takes it once.
/// Other number types (the <see cref="double"/> gradient checks) run one dot product or scaled row addition per row
/// and output through <see cref="TensorPrimitives"/>. Every output of a row is computed independently of the other
/// rows, so callers split a batch across threads with one workspace and one gradient buffer each, and the result
/// does not depend on the split.
/// </para>
/// </remarks>
internal sealed class Mlp<T>
    where T : unmanaged, IFloatingPointIeee754<T>
{
    private readonly int[] _sizes;
    private readonly int[] _weightOffsets;
    private readonly int[] _biasOffsets;

    private Mlp(int[] sizes, T[] parameters)
    {
        _sizes = sizes;
        _weightOffsets = new int[sizes.Length - 1];
        _biasOffsets = new int[sizes.Length - 1];
        int offset = 0;
        for (int l = 0; l < sizes.Length - 1; l++)
        {
            _weightOffsets[l] = offset;
            offset = checked(offset + (sizes[l] * sizes[l + 1]));
            _biasOffsets[l] = offset;
            offset = checked(offset + sizes[l + 1]);
        }

        if (parameters.Length != offset)
        {
            throw new ArgumentException($"{parameters.Length} parameters for layers of {offset}.", nameof(parameters));
        }

        Parameters = parameters;
        Gradients = new T[offset];
    }

    /// <summary>Every weight and bias, layer by layer.</summary>
    public T[] Parameters { get; }

    /// <summary>Gradients accumulated by <see cref="Backward(Workspace, ReadOnlySpan{T}, int, ReadOnlySpan{T}, Span{T})"/>, in the layout of <see cref="Parameters"/>.</summary>
    public T[] Gradients { get; }

    /// <summary>The layer widths, inputs first.</summary>
    public ReadOnlySpan<int> Sizes => _sizes;

    /// <summary>Number of inputs.</summary>
    public int InputSize => _sizes[0];

    /// <summary>Number of outputs (logits).</summary>
    public int OutputSize => _sizes[^1];

    /// <summary>Number of layers (weight matrices).</summary>
    public int LayerCount => _sizes.Length - 1;

    /// <summary>
    /// A network with He initialisation (weights drawn from N(0, 2 / fan-in), suited to ReLU) and zero biases,
    /// deterministic for <paramref name="seed"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Fewer than two sizes, or a size below 1.</exception>
    public static Mlp<T> Create(ReadOnlySpan<int> sizes, ulong seed)
    {
        if (sizes.Length < 2)
        {
            throw new ArgumentException("A network needs an input size and at least one layer.", nameof(sizes));
        }

        foreach (int size in sizes)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(sizes));
        }

        var network = new Mlp<T>(sizes.ToArray(), new T[CountParameters(sizes)]);
        var random = new Evaluation.SplitMix64(seed);
        for (int l = 0; l < network.LayerCount; l++)
        {
            double scale = Math.Sqrt(2.0 / sizes[l]);
            foreach (ref T weight in network.Weights(l))
            {
                weight = T.CreateChecked(scale * Gaussian(random));
            }
        }

        return network;
    }

    /// <summary>A network with the given parameters (for loading, and for tests).</summary>
    public static Mlp<T> FromParameters(ReadOnlySpan<int> sizes, T[] parameters) => new(sizes.ToArray(), parameters);

    /// <summary>Number of weights and biases of a network with these layer widths.</summary>
    public static int CountParameters(ReadOnlySpan<int> sizes)
    {
        int count = 0;
        for (int l = 0; l < sizes.Length - 1; l++)
        {
            count = checked(count + (sizes[l] * sizes[l + 1]) + sizes[l + 1]);
        }

        return count;
    }

    /// <summary>Layer <paramref name="layer"/>'s weights: one row of <c>sizes[layer]</c> per output.</summary>
    public Span<T> Weights(int layer) => Parameters.AsSpan(_weightOffsets[layer], _sizes[layer] * _sizes[layer + 1]);

    /// <summary>Layer <paramref name="layer"/>'s biases.</summary>
    public Span<T> Biases(int layer) => Parameters.AsSpan(_biasOffsets[layer], _sizes[layer + 1]);

    /// <summary>
    /// Buffers for batches of up to <paramref name="maxBatch"/> rows; without <paramref name="backward"/>, for forward
    /// passes only. With <paramref name="fixedWeights"/>, the caller promises that <see cref="Parameters"/> no longer
    /// change while the workspace is used, and the transposed weights are taken once, now.
    /// </summary>
    public Workspace CreateWorkspace(int maxBatch, bool backward = true, bool fixedWeights = false)
    {
        var workspace = new Workspace(_sizes, maxBatch, backward, fixedWeights);
        if (fixedWeights)
        {
            TransposeWeights(workspace);
        }

        return workspace;
    }

    /// <summary>
    /// Computes the logits of <paramref name="batch"/> input rows (<paramref name="input"/>, row-major, width
    /// <see cref="InputSize"/>) into <paramref name="output"/> (width <see cref="OutputSize"/>), keeping what
    /// <see cref="Backward(Workspace, ReadOnlySpan{T}, int, ReadOnlySpan{T}, Span{T})"/> needs in <paramref name="workspace"/>.
    /// </summary>
    public void Forward(Workspace workspace, ReadOnlySpan<T> input, int batch, Span<T> output)
    {
        if (typeof(T) == typeof(float))
        {
            ForwardSingle(workspace, MemoryMarshal.Cast<T, float>(input), batch, MemoryMarshal.Cast<T, float>(output));
            return;
        }

        ReadOnlySpan<T> x = input[..(batch * InputSize)];
        for (int l = 0; l < LayerCount; l++)
        {
            int inputs = _sizes[l], outputs = _sizes[l + 1];
            Span<T> y = workspace.Activations(l + 1, batch);
            ReadOnlySpan<T> weights = Weights(l);
            ReadOnlySpan<T> biases = Biases(l);
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<T> row = x.Slice(b * inputs, inputs);
                Span<T> target = y.Slice(b * outputs, outputs);
                for (int j = 0; j < outputs; j++)
                {
                    target[j] = TensorPrimitives.Dot(weights.Slice(j * inputs, inputs), row) + biases[j];
                }
            }

            if (l < LayerCount - 1)
            {
                TensorPrimitives.Max(y, T.Zero, y);
            }

            x = y;
        }

        x.CopyTo(output);
    }

    /// <summary>
    /// Adds the gradients of a loss with respect to every parameter into <see cref="Gradients"/>, given its gradient
    /// with respect to the logits of the last <see cref="Forward"/> on <paramref name="input"/> in this workspace;
    /// writes the gradient with respect to the inputs into <paramref name="inputGradient"/> unless it is empty.
    /// </summary>
    public void Backward(Workspace workspace, ReadOnlySpan<T> input, int batch, ReadOnlySpan<T> outputGradient, Span<T> inputGradient) =>
        Backward(workspace, input, batch, outputGradient, inputGradient, Gradients);

    /// <summary>
    /// As <see cref="Backward(Workspace, ReadOnlySpan{T}, int, ReadOnlySpan{T}, Span{T})"/>, into <paramref name="gradients"/>
    /// (one buffer per thread); with empty <paramref name="gradients"/>, only the input gradient is computed.
    /// </summary>
    public void Backward(Workspace workspace, ReadOnlySpan<T> input, int batch, ReadOnlySpan<T> outputGradient, Span<T> inputGradient, Span<T> gradients)
    {
        if (typeof(T) == typeof(float))
        {
            BackwardSingle(workspace, MemoryMarshal.Cast<T, float>(input), batch, MemoryMarshal.Cast<T, float>(outputGradient), MemoryMarshal.Cast<T, float>(inputGradient), MemoryMarshal.Cast<T, float>(gradients));
            return;
        }

        Span<T> delta = workspace.Delta(LayerCount, batch);
        outputGradient[..(batch * OutputSize)].CopyTo(delta);
        for (int l = LayerCount - 1; l >= 0; l--)
        {
            int inputs = _sizes[l], outputs = _sizes[l + 1];
            ReadOnlySpan<T> x = l == 0 ? input[..(batch * inputs)] : workspace.Activations(l, batch);
            ReadOnlySpan<T> weights = Weights(l);
            bool wantParameters = !gradients.IsEmpty;
            Span<T> weightGradient = wantParameters ? gradients.Slice(_weightOffsets[l], inputs * outputs) : default;
            Span<T> biasGradient = wantParameters ? gradients.Slice(_biasOffsets[l], outputs) : default;
            bool wantInput = l > 0 || !inputGradient.IsEmpty;
            Span<T> below = l > 0 ? workspace.Delta(l, batch) : (wantInput ? inputGradient[..(batch * inputs)] : default);
            below.Clear();
            for (int b = 0; b < batch; b++)
            {
                ReadOnlySpan<T> row = x.Slice(b * inputs, inputs);
                ReadOnlySpan<T> d = delta.Slice(b * outputs, outputs);
                Span<T> dRow = wantInput ? below.Slice(b * inputs, inputs) : default;
                for (int j = 0; j < outputs; j++)
                {
                    T g = d[j];
                    if (g == T.Zero)
                    {
                        continue;
                    }

                    if (wantParameters)
                    {
                        biasGradient[j] += g;
                        Span<T> wg = weightGradient.Slice(j * inputs, inputs);
                        TensorPrimitives.MultiplyAdd(row, g, wg, wg);
                    }

                    if (wantInput)
                    {
                        TensorPrimitives.MultiplyAdd(weights.Slice(j * inputs, inputs), g, dRow, dRow);
                    }
                }
            }

            if (l > 0)
            {
                // Through the ReLU below: no gradient where its output was 0.
                ReadOnlySpan<T> activation = workspace.Activations(l, batch);
                for (int e = 0; e < below.Length; e++)
                {
                    if (activation[e] <= T.Zero)
                    {
                        below[e] = T.Zero;
                    }
                }
            }

            delta = below;
        }
    }

    /// <summary><see cref="Forward"/> in <see cref="float"/>: one product per layer, <c>Y = X Wᵀ + b</c>.</summary>
    private void ForwardSingle(Workspace workspace, ReadOnlySpan<float> input, int batch, Span<float> output)
    {
        if (!workspace.FixedWeights)
        {
            TransposeWeights(workspace);
        }

        ReadOnlySpan<float> parameters = MemoryMarshal.Cast<T, float>(Parameters.AsSpan());
        ReadOnlySpan<float> x = input[..(batch * InputSize)];
        for (int l = 0; l < LayerCount; l++)
        {
            int inputs = _sizes[l], outputs = _sizes[l + 1];
            Span<float> y = MemoryMarshal.Cast<T, float>(workspace.Activations(l + 1, batch));
            ReadOnlySpan<float> transposed = MemoryMarshal.Cast<T, float>(workspace.TransposedWeights(_weightOffsets[l], inputs * outputs));
            Gemm.Multiply(x, transposed, parameters.Slice(_biasOffsets[l], outputs), y, batch, inputs, outputs);
            if (l < LayerCount - 1)
            {
                TensorPrimitives.Max(y, 0f, y);
            }

            x = y;
        }

        x.CopyTo(output);
    }

    /// <summary><see cref="Backward(Workspace, ReadOnlySpan{T}, int, ReadOnlySpan{T}, Span{T}, Span{T})"/> in <see cref="float"/>: <c>dW += dYᵀ X</c>, <c>db +=</c> column sums, <c>dX = dY W</c>.</summary>
    private void BackwardSingle(Workspace workspace, ReadOnlySpan<float> input, int batch, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, Span<float> gradients)
    {
        ReadOnlySpan<float> parameters = MemoryMarshal.Cast<T, float>(Parameters.AsSpan());
        Span<float> delta = MemoryMarshal.Cast<T, float>(workspace.Delta(LayerCount, batch));
        outputGradient[..(batch * OutputSize)].CopyTo(delta);
        for (int l = LayerCount - 1; l >= 0; l--)
        {
            int inputs = _sizes[l], outputs = _sizes[l + 1];
            ReadOnlySpan<float> x = l == 0 ? input[..(batch * inputs)] : MemoryMarshal.Cast<T, float>(workspace.Activations(l, batch));
            if (!gradients.IsEmpty)
            {
                Gemm.AddTransposedProduct(delta, x, gradients.Slice(_weightOffsets[l], inputs * outputs), batch, outputs, inputs);
                Gemm.AddColumnSums(delta, batch, gradients.Slice(_biasOffsets[l], outputs));
            }

            if (l == 0 && inputGradient.IsEmpty)
            {
                break;
            }

            Span<float> below = l > 0 ? MemoryMarshal.Cast<T, float>(workspace.Delta(l, batch)) : inputGradient[..(batch * inputs)];
            Gemm.Multiply(delta, parameters.Slice(_weightOffsets[l], inputs * outputs), default, below, batch, outputs, inputs);
            if (l > 0)
            {
                // Through the ReLU below: no gradient where its output was 0.
                ReadOnlySpan<float> activation = MemoryMarshal.Cast<T, float>(workspace.Activations(l, batch));
                for (int e = 0; e < below.Length; e++)
                {
                    if (activation[e] <= 0f)
                    {
                        below[e] = 0f;
                    }
                }
            }

            delta = below;
        }
    }

    /// <summary>Writes every layer's transposed weights (inputs x outputs) into the workspace, at the layer's weight offset.</summary>
    private void TransposeWeights(Workspace workspace)
    {
        if (typeof(T) != typeof(float))
        {
            return;
        }

        ReadOnlySpan<float> parameters = MemoryMarshal.Cast<T, float>(Parameters.AsSpan());
        for (int l = 0; l < LayerCount; l++)
        {
            int inputs = _sizes[l], outputs = _sizes[l + 1];
            Span<float> transposed = MemoryMarshal.Cast<T, float>(workspace.TransposedWeights(_weightOffsets[l], inputs * outputs));
            Gemm.Transpose(parameters.Slice(_weightOffsets[l], inputs * outputs), outputs, inputs, transposed);
        }
    }

    internal static double Gaussian(Evaluation.SplitMix64 random)
    {
        // Box-Muller on two uniforms in (0, 1].
        double u1 = 1.0 - random.NextDouble();
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>
    /// Per-batch buffers: each layer's outputs, the gradients flowing back and (in <see cref="float"/>) the transposed
    /// weights; one per thread.
    /// </summary>
    internal sealed class Workspace
    {
        private readonly T[][] _activations;
        private readonly T[][] _deltas;
        private readonly int[] _sizes;
        private readonly T[] _transposed;

        public Workspace(int[] sizes, int maxBatch, bool backward = true, bool fixedWeights = false)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
            MaxBatch = maxBatch;
            FixedWeights = fixedWeights;
            _sizes = sizes;
            _transposed = typeof(T) == typeof(float) ? new T[CountParameters(sizes)] : [];
            _activations = new T[sizes.Length][];
            _deltas = new T[sizes.Length][];
            for (int l = 1; l < sizes.Length; l++)
            {
                _activations[l] = new T[maxBatch * sizes[l]];
                _deltas[l] = backward ? new T[maxBatch * sizes[l]] : [];
            }
        }

        /// <summary>The largest batch the buffers hold.</summary>
        public int MaxBatch { get; }

        /// <summary>Whether the transposed weights were taken once, at creation, rather than at every forward pass.</summary>
        public bool FixedWeights { get; }

        /// <summary>A layer's transposed weights, at the offset of its weights in the parameters (the bias slots stay unused).</summary>
        public Span<T> TransposedWeights(int offset, int length) => _transposed.AsSpan(offset, length);

        /// <summary>Layer <paramref name="layer"/>'s outputs (after its ReLU) for a batch, <c>layer ≥ 1</c>.</summary>
        public Span<T> Activations(int layer, int batch) => _activations[layer].AsSpan(0, batch * _sizes[layer]);

        /// <summary>The gradient with respect to layer <paramref name="layer"/>'s outputs for a batch.</summary>
        public Span<T> Delta(int layer, int batch) => _deltas[layer].AsSpan(0, batch * _sizes[layer]);
    }
}
