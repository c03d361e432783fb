using System.Numerics;

namespace RecEngine.Models.Neural;

/// <summary>
/// The training losses of the neural scorer, on logits, with their gradients; every form is the numerically stable
/// one (no overflow for large logits).
/// </summary>
internal static class Losses
{
    /// <summary>The logistic function σ(z) = 1 / (1 + e^(−z)).</summary>
    public static T Sigmoid<T>(T z)
        where T : IFloatingPointIeee754<T> =>
        z >= T.Zero ? T.One / (T.One + T.Exp(-z)) : T.Exp(z) / (T.One + T.Exp(z));

    /// <summary>log(1 + e^z), without overflow.</summary>
    public static T Softplus<T>(T z)
        where T : IFloatingPointIeee754<T> =>
        T.Max(z, T.Zero) + T.Log(T.One + T.Exp(-T.Abs(z)));

    /// <summary>
    /// Binary cross-entropy of a logit z against a label y in {0, 1}: −y log σ(z) − (1 − y) log(1 − σ(z)), which
    /// equals softplus(z) − y z. Its derivative with respect to z is σ(z) − y.
    /// </summary>
    public static T BinaryCrossEntropy<T>(T logit, T label, out T gradient)
        where T : IFloatingPointIeee754<T>
    {
        gradient = Sigmoid(logit) - label;
        return Softplus(logit) - (label * logit);
    }

    /// <summary>
    /// Bayesian personalised ranking (Rendle et al. 2009) of a positive's logit over a negative's: −log σ(z⁺ − z⁻),
    /// which equals softplus(z⁻ − z⁺). Its derivatives are σ(z⁺ − z⁻) − 1 for z⁺ and the opposite for z⁻.
    /// </summary>
    public static T Bpr<T>(T positive, T negative, out T positiveGradient, out T negativeGradient)
        where T : IFloatingPointIeee754<T>
    {
        T difference = positive - negative;
        positiveGradient = Sigmoid(difference) - T.One;
        negativeGradient = -positiveGradient;
        return Softplus(-difference);
    }
}
