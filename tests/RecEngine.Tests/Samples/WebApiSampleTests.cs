using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace RecEngine.Tests.Samples;

/// <summary>The web API sample, run as its own process on real Kestrel at 127.0.0.1 and driven over HTTP.</summary>
public sealed class WebApiSampleTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TheSample_OnKestrel_TakesEvents_AndTheRecommendationsChange()
    {
        await using SampleProcess sample = await SampleProcess.StartAsync();
        using var http = new HttpClient { BaseAddress = sample.Address, Timeout = Timeout };

        Assert.Equal("Healthy", await http.GetStringAsync("/health"));
        using (JsonDocument openApi = JsonDocument.Parse(await http.GetStringAsync("/openapi/v1.json")))
        {
            JsonElement paths = openApi.RootElement.GetProperty("paths");
            Assert.True(paths.TryGetProperty("/events", out _));
            Assert.True(paths.TryGetProperty("/users/{id}/recommendations", out _));
            Assert.True(paths.TryGetProperty("/items/{id}/similar", out _));
        }

        Recommendations before = (await http.GetFromJsonAsync<Recommendations>("/users/web-newcomer/recommendations?count=10"))!;
        Assert.False(before.Personalized);
        Assert.Equal(10, before.Items.Length);

        string[] clicked = ["i10", "i11", "i12", "i13", "i14"];
        HttpResponseMessage posted = await http.PostAsJsonAsync("/events?wait=true", clicked.Select(item => new { userId = "web-newcomer", itemId = item, kind = "click" }));
        Assert.Equal(HttpStatusCode.Accepted, posted.StatusCode);
        Assert.Equal(5, (await posted.Content.ReadFromJsonAsync<Submitted>())!.Accepted);

        Recommendations after = (await http.GetFromJsonAsync<Recommendations>("/users/web-newcomer/recommendations?count=10"))!;
        Assert.True(after.Personalized);
        Assert.Equal("als", after.Model);
        Assert.NotEqual(before.Items.Select(i => i.ItemId), after.Items.Select(i => i.ItemId));
        Assert.DoesNotContain(after.Items, i => clicked.Contains(i.ItemId));

        Similar similar = (await http.GetFromJsonAsync<Similar>("/items/i10/similar?count=5"))!;
        Assert.Equal("similar", similar.Model);
        Assert.Equal(5, similar.Items.Length);
        Assert.DoesNotContain(similar.Items, i => i.ItemId == "i10");

        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/users/web-newcomer/recommendations?count=0")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await http.PostAsJsonAsync("/events", Array.Empty<object>())).StatusCode);
        HttpResponseMessage rejected = await http.PostAsJsonAsync("/events", new[] { new { userId = "", itemId = "i1" } });
        Assert.Equal(HttpStatusCode.BadRequest, rejected.StatusCode);
        Assert.Equal("EmptyUserId", (await rejected.Content.ReadFromJsonAsync<Submitted>())!.Rejected.Single().Reason);

        // A null in the array is refused before anything is submitted: the valid event before it is not applied.
        HttpResponseMessage withNull = await http.PostAsync("/events?wait=true", new StringContent("""[{"userId":"web-second","itemId":"i1"}, null]""", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, withNull.StatusCode);
        await http.PostAsJsonAsync("/events?wait=true", new[] { new { userId = "web-third", itemId = "i1" } });
        Assert.False((await http.GetFromJsonAsync<Recommendations>("/users/web-second/recommendations?count=1"))!.Personalized);
    }

    private sealed record Scored(string ItemId, float Score);

    private sealed record Recommendations(string UserId, string Model, bool Personalized, Scored[] Items);

    private sealed record Similar(string ItemId, string Model, Scored[] Items);

    private sealed record Rejection(long Index, string Reason);

    private sealed record Submitted(long Accepted, Rejection[] Rejected);

    /// <summary>The built sample run with <c>dotnet</c> and <c>--urls http://127.0.0.1:0</c>; its address is read from Kestrel's log.</summary>
    private sealed class SampleProcess : IAsyncDisposable
    {
        private readonly Process _process;

        private SampleProcess(Process process, Uri address)
        {
            _process = process;
            Address = address;
        }

        public Uri Address { get; }

        public static async Task<SampleProcess> StartAsync()
        {
            string dll = SamplePath();
            // The host running this test (the SDK sets DOTNET_HOST_PATH for test runs), else dotnet on the PATH.
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
            {
                ArgumentList = { dll, "--urls", "http://127.0.0.1:0" },
                WorkingDirectory = Path.GetDirectoryName(dll)!,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.Environment["DOTNET_NOLOGO"] = "1";
            var process = Process.Start(info)!;
            var listening = new TaskCompletionSource<Uri>(TaskCreationOptions.RunContinuationsAsynchronously);
            var output = new List<string>();
            void Read(string? line)
            {
                if (line is null)
                {
                    lock (output)
                    {
                        listening.TrySetException(new InvalidOperationException("The sample exited before listening:\n" + string.Join('\n', output)));
                    }

                    return;
                }

                lock (output)
                {
                    output.Add(line);
                }

                const string marker = "Now listening on: ";
                int at = line.IndexOf(marker, StringComparison.Ordinal);
                if (at >= 0)
                {
                    listening.TrySetResult(new Uri(line[(at + marker.Length)..].Trim()));
                }
            }

            process.OutputDataReceived += (_, e) => Read(e.Data);
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (output)
                    {
                        output.Add(e.Data);
                    }
                }
            };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            try
            {
                return new SampleProcess(process, await listening.Task.WaitAsync(Timeout));
            }
            catch
            {
                process.Kill(entireProcessTree: true);
                process.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(Timeout);
            }

            _process.Dispose();
        }

        /// <summary>The sample's build output for this test run's configuration, found from the repository root.</summary>
        private static string SamplePath()
        {
            var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
            string framework = output.Name;
            string configuration = output.Parent!.Name;
            DirectoryInfo? root = output;
            while (root is not null && !File.Exists(Path.Combine(root.FullName, "RecEngine.sln")))
            {
                root = root.Parent;
            }

            string dll = Path.Combine(root!.FullName, "samples", "RecEngine.WebApi", "bin", configuration, framework, "RecEngine.WebApi.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException("Build the solution first: the web API sample is not built.", dll);
        }
    }
}
