namespace RecEngine.Data.Synthetic;

/// <summary>
/// Splits an exact number of interactions over users so that activity has a floor and a power-law tail: user
/// <c>u</c> gets <c>min(maximum, minimum + s * X_u)</c> interactions, where the <c>X_u</c> follow a Lomax law
/// (Pareto type II, <c>P(X &gt; x) = (1 + x)^-a</c>) and the scale <c>s</c> is solved for so that the counts,
/// after largest-remainder rounding, add up to the total exactly.
/// </summary>
/// <remarks>
/// The Lomax law puts the mode at the floor and a tail falling like <c>x^-a</c>. With <c>a = 3</c>, a floor of 20
/// and the MovieLens-1M shape it gives a median near 96 and a mean near 166 interactions per user, as in
/// MovieLens-1M itself.
/// </remarks>
internal static class UserActivity
{
    private const int BisectionSteps = 100;

    /// <summary>Smallest excess over the floor the bisection starts from, in interactions.</summary>
    private const double NegligibleExcess = 1e-12;

    /// <summary>Draws the interaction count of every user.</summary>
    /// <param name="random">The stream reserved for activity.</param>
    /// <param name="userCount">Number of users.</param>
    /// <param name="total">Total number of interactions, in <c>[userCount * minimum, userCount * maximum]</c>.</param>
    /// <param name="minimum">Floor of every count, at least 1.</param>
    /// <param name="maximum">Ceiling of every count, at least <paramref name="minimum"/>.</param>
    /// <param name="tailIndex">Lomax tail index <c>a</c>.</param>
    public static int[] Allocate(ref Xoshiro256 random, int userCount, int total, int minimum, int maximum, double tailIndex)
    {
        // log X for X = exp(E / a) - 1 with E exponential; logs keep small tail indices finite.
        var logExcess = new double[userCount];
        double lowest = double.PositiveInfinity;
        double highest = double.NegativeInfinity;
        for (int u = 0; u < userCount; u++)
        {
            double e = random.NextExponential() / tailIndex;
            logExcess[u] = e > 30 ? e : Math.Log(Math.Max(double.Epsilon, Math.Exp(e) - 1.0));
            lowest = Math.Min(lowest, logExcess[u]);
            highest = Math.Max(highest, logExcess[u]);
        }

        double[] counts = new double[userCount];
        if (total <= (long)userCount * minimum || minimum == maximum)
        {
            Array.Fill(counts, minimum);
        }
        else if (total >= (long)userCount * maximum)
        {
            Array.Fill(counts, maximum);
        }
        else
        {
            // f(log s) = sum of min(maximum, minimum + s X) is continuous and non-decreasing; bisect for f = total,
            // keeping the side with f <= total so that rounding only ever adds.
            double low = Math.Log(NegligibleExcess) - highest;
            double high = Math.Log(maximum - minimum) - lowest;
            for (int step = 0; step < BisectionSteps; step++)
            {
                double middle = 0.5 * (low + high);
                if (Fill(logExcess, middle, minimum, maximum, counts) <= total)
                {
                    low = middle;
                }
                else
                {
                    high = middle;
                }
            }

            Fill(logExcess, low, minimum, maximum, counts);
        }

        return Round(counts, total, maximum);
    }

    private static double Fill(double[] logExcess, double logScale, int minimum, int maximum, double[] counts)
    {
        double sum = 0;
        for (int u = 0; u < logExcess.Length; u++)
        {
            counts[u] = Math.Min(maximum, minimum + Math.Exp(logExcess[u] + logScale));
            sum += counts[u];
        }

        return sum;
    }

    /// <summary>Floors the counts, then hands out what is missing by largest remainder (ties by user index).</summary>
    private static int[] Round(double[] counts, int total, int maximum)
    {
        int userCount = counts.Length;
        var rounded = new int[userCount];
        long assigned = 0;
        for (int u = 0; u < userCount; u++)
        {
            rounded[u] = (int)Math.Floor(counts[u]);
            assigned += rounded[u];
        }

        long remainder = total - assigned;
        if (remainder <= 0)
        {
            return rounded;
        }

        int[] order = new int[userCount];
        for (int u = 0; u < userCount; u++)
        {
            order[u] = u;
        }

        Array.Sort(order, (a, b) =>
        {
            double fa = counts[a] - rounded[a];
            double fb = counts[b] - rounded[b];
            return fa != fb ? fb.CompareTo(fa) : a.CompareTo(b);
        });

        // One pass normally suffices; cycling covers rounding error in the bisection.
        while (remainder > 0)
        {
            foreach (int u in order)
            {
                if (remainder == 0)
                {
                    break;
                }

                if (rounded[u] < maximum)
                {
                    rounded[u]++;
                    remainder--;
                }
            }
        }

        return rounded;
    }
}
