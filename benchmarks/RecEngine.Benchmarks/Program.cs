using BenchmarkDotNet.Running;
using RecEngine.Benchmarks.Evaluation;

namespace RecEngine.Benchmarks;

/// <summary>
/// <c>evaluate ...</c> runs the evaluation runner (quality figures), <c>latency ...</c> the ingest latency
/// measurement; anything else goes to BenchmarkDotNet (for example <c>--filter *TopK*</c>).
/// </summary>
internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "evaluate")
        {
            return EvaluateCommand.Run(args[1..], Console.Out, Console.Error);
        }

        if (args.Length > 0 && args[0] == "latency")
        {
            return Ingest.LatencyCommand.Run(args[1..], Console.Out);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
