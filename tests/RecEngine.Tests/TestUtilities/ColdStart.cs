using RecEngine.Evaluation;

namespace RecEngine.Tests.TestUtilities;

/// <summary>Cold-start measurement over a <see cref="DatasetSplit.ColdItems"/> split.</summary>
internal static class ColdStart
{
    /// <summary>
    /// The mean over test users (known to the model) of the AUC of their held-out cold items against the other cold
    /// items: the probability that a cold item the user interacted with scores above one they did not (ties count
    /// half). Random scoring gives 0.5.
    /// </summary>
    public static double MeanAuc(IRecommender model, DatasetSplit split)
    {
        var test = split.Test;
        string[] cold = [.. Enumerable.Range(0, test.Count).Select(r => test.Items.GetId(test.ItemIndices[r])).Distinct()];
        var positives = new Dictionary<string, HashSet<string>>();
        for (int r = 0; r < test.Count; r++)
        {
            string user = test.Users.GetId(test.UserIndices[r]);
            if (!positives.TryGetValue(user, out HashSet<string>? items))
            {
                positives[user] = items = [];
            }

            items.Add(test.Items.GetId(test.ItemIndices[r]));
        }

        var scores = new float[cold.Length];
        double total = 0;
        int users = 0;
        foreach ((string user, HashSet<string> liked) in positives)
        {
            if (!model.IsKnownUser(user) || liked.Count == cold.Length)
            {
                continue;
            }

            model.Score(user, cold, scores);
            double pairs = 0, wins = 0;
            for (int p = 0; p < cold.Length; p++)
            {
                if (!liked.Contains(cold[p]))
                {
                    continue;
                }

                for (int n = 0; n < cold.Length; n++)
                {
                    if (!liked.Contains(cold[n]))
                    {
                        pairs++;
                        wins += scores[p] > scores[n] ? 1 : scores[p] == scores[n] ? 0.5 : 0;
                    }
                }
            }

            total += wins / pairs;
            users++;
        }

        return total / users;
    }
}
