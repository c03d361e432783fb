using System.Buffers.Binary;
using RecEngine.Data;
using RecEngine.Data.Synthetic;
using RecEngine.Models.Baseline;
using RecEngine.Models.Content;
using RecEngine.Evaluation;
using RecEngine.Models.Factorization;
using RecEngine.Models.Hybrid;
using RecEngine.Models.Neighborhood;
using RecEngine.Models.Neural;
using RecEngine.Models.Popularity;
using RecEngine.Persistence;
using RecEngine.Tests.Data.Loading;
using RecEngine.Tests.TestUtilities;

namespace RecEngine.Tests.Persistence;

public sealed class ModelFileTests
{
    private static readonly Lazy<InteractionDataset> Ratings = new(() => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 300,
        ItemCount = 200,
        InteractionCount = 9_000,
        MinInteractionsPerUser = 5,
    }));

    private static readonly Lazy<InteractionDataset> Events = new(() => SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions
    {
        UserCount = 300,
        ItemCount = 200,
        InteractionCount = 9_000,
        MinInteractionsPerUser = 5,
        Feedback = SyntheticFeedback.ImplicitEvents,
        Seed = 7,
    }));

    /// <summary>Every savable model, in the configurations whose saved state differs in shape.</summary>
    public static TheoryData<string> Models => [.. Factories.Keys];

    private static readonly Dictionary<string, Func<IRecommender>> Factories = new()
    {
        ["popularity"] = () => new PopularityRecommender(),
        ["popularity-decay"] = () => new PopularityRecommender(new PopularityOptions { HalfLife = TimeSpan.FromDays(30), Values = MatrixValues.Weight }),
        ["baseline"] = () => new BaselineRatingPredictor(new BaselineOptions { ClipPredictions = false, Iterations = 4 }),
        ["item-knn"] = () => new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15, Shrinkage = 10 }),
        ["item-knn-bm25-ratings"] = () => new ItemKnnRecommender(new NeighborhoodOptions
        {
            Measure = SimilarityMeasure.DotProduct,
            Weighting = NeighborWeighting.Bm25,
            NormalizeSimilarities = true,
            Values = MatrixValues.Value,
            DegreeOfParallelism = 1,
        }),
        ["user-knn"] = () => new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 25, Measure = SimilarityMeasure.Jaccard }),
        ["implicit-als"] = () => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 12, Iterations = 4 }),
        ["implicit-als-cholesky"] = () => new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 8, Iterations = 3, Solver = AlsSolver.Cholesky, Values = MatrixValues.One }),
        ["explicit-als"] = () => new ExplicitAlsRecommender(new ExplicitAlsOptions { Factors = 6, Iterations = 4, RatingRange = (1f, 5f) }),
        ["content"] = () => new ContentRecommender(new ContentOptions { NumericWeight = 0.25f, MinimumDocumentFrequency = 2 }),
        ["neural"] = () => new NeuralRecommender(new NeuralOptions
        {
            EmbeddingSize = 8,
            HiddenLayers = [12, 6],
            Epochs = 2,
            InitializeFromAls = new ImplicitAlsOptions { Iterations = 2 },
            DegreeOfParallelism = 2,
        }),
        ["neural-plain"] = () => SmallNeural(),
        ["hybrid"] = () => new HybridRecommender([(new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15 }), 0.5), (SmallNeural(), 0.3), (new PopularityRecommender(), 0.2)]),
        ["hybrid-learned"] = () => new HybridRecommender(
            [(new UserKnnRecommender(new NeighborhoodOptions { Neighbors = 20 }), 0.5), (new PopularityRecommender(), 0.5)],
            new HybridOptions { LearnWeights = true, WeightStep = 0.5, Validation = new RankingEvaluationOptions { K = 5, Protocol = EvaluationProtocol.Sampled, NegativeSampleCount = 30, Seed = 3 } }),
        ["rerank"] = () => new RerankingRecommender(new PopularityRecommender(), new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15 }), candidateCount: 20),
        ["mmr"] = () =>
        {
            var knn = new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15 });
            return new DiversityReranker(knn, knn, tradeoff: 0.6, candidateCount: 30);
        },
        ["mmr-content"] = () => new DiversityReranker(new UserKnnRecommender(), new ContentRecommender(), tradeoff: 0.4, candidateCount: 25),

        // A diversity re-ranker over a re-ranker whose first stage is a hybrid: composites nested three deep.
        ["nested"] = () => new DiversityReranker(
            new RerankingRecommender(new HybridRecommender([(new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15 }), 0.7), (new PopularityRecommender(), 0.3)]), SmallNeural(), candidateCount: 25),
            new ContentRecommender(),
            tradeoff: 0.5,
            candidateCount: 40),
    };

    private static NeuralRecommender SmallNeural() =>
        new(new NeuralOptions { EmbeddingSize = 4, HiddenLayers = [5], Epochs = 1, IncludeProduct = false, UseContent = false, UseContext = false });

    private static IRecommender Fitted(string model, InteractionDataset? data = null)
    {
        IRecommender recommender = Factories[model]();
        recommender.Fit(data ?? (model.Contains("als", StringComparison.Ordinal) && !model.StartsWith("explicit", StringComparison.Ordinal) ? Events.Value : Ratings.Value));
        return recommender;
    }

    /// <summary>Everything a caller can observe: top-N with and without seen items, scores, similar items, ratings.</summary>
    private static void AssertServesTheSame(IRecommender expected, IRecommender actual, InteractionDataset data)
    {
        Assert.Equal(expected.GetType(), actual.GetType());
        Assert.Equal(expected.Name, actual.Name);
        Assert.True(actual.IsFitted);
        string[] users = [.. Enumerable.Range(0, data.UserCount).Select(data.Users.GetId), "no-such-user"];
        string[] items = [.. Enumerable.Range(0, data.ItemCount).Select(data.Items.GetId), "no-such-item"];
        var everything = new RecommendOptions { ExcludeSeen = false };
        var expectedScores = new float[items.Length];
        var actualScores = new float[items.Length];
        foreach (string user in users)
        {
            Assert.Equal(expected.IsKnownUser(user), actual.IsKnownUser(user));
            Assert.Equal(expected.Recommend(user, 15), actual.Recommend(user, 15));
            Assert.Equal(expected.Recommend(user, 7, everything), actual.Recommend(user, 7, everything));
            expected.Score(user, items, expectedScores);
            actual.Score(user, items, actualScores);
            Assert.Equal(expectedScores, actualScores);
        }

        foreach (string item in items)
        {
            Assert.Equal(expected.SimilarItems(item, 10), actual.SimilarItems(item, 10));
        }

        if (expected is IRatingPredictor predictor)
        {
            var loaded = (IRatingPredictor)actual;
            foreach (string user in users.Where((_, i) => i % 7 == 0))
            {
                foreach (string item in items.Where((_, i) => i % 5 == 0))
                {
                    Assert.Equal(predictor.PredictRating(user, item), loaded.PredictRating(user, item));
                }
            }
        }
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void StreamRoundTrip_ServesExactlyTheSame(string model)
    {
        IRecommender fitted = Fitted(model);
        using var stream = new MemoryStream();
        long written = ModelFile.Save(fitted, stream);
        Assert.Equal(stream.Length, written);

        stream.Position = 0;
        IRecommender loaded = ModelFile.Load(stream);

        Assert.Equal(written, stream.Position);
        InteractionDataset data = model.Contains("als", StringComparison.Ordinal) && !model.StartsWith("explicit", StringComparison.Ordinal) ? Events.Value : Ratings.Value;
        AssertServesTheSame(fitted, loaded, data);
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void FileRoundTrip_ServesExactlyTheSame_AndSavingAgainGivesTheSameBytes(string model)
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, model + ".rmdl");
        IRecommender fitted = Fitted(model);
        long bytes = ModelFile.Save(fitted, path);
        Assert.Equal(new FileInfo(path).Length, bytes);
        Assert.Empty(Directory.GetFiles(folder.Path, "*.tmp"));

        IRecommender loaded = ModelFile.Load(path);
        string again = Path.Combine(folder.Path, "again.rmdl");
        ModelFile.Save(loaded, again);

        Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(again));
    }

    [Fact]
    public void IdsAddedToTheMapsAfterTraining_AreNotSaved_AndStayUnknownAfterLoading()
    {
        // Id maps may outgrow a trained model (an engine's maps grow with events); the model knows only its own ids.
        InteractionDataset data = SyntheticDatasetGenerator.Generate(new SyntheticDatasetOptions { UserCount = 80, ItemCount = 60, InteractionCount = 2_000, MinInteractionsPerUser = 5 });
        var fitted = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 8, Iterations = 3 });
        fitted.Fit(data);
        data.Users.GetOrAdd("late-user");
        data.Items.GetOrAdd("late-item");

        using var stream = new MemoryStream();
        ModelFile.Save(fitted, stream);
        stream.Position = 0;
        ImplicitAlsRecommender loaded = ModelFile.Load<ImplicitAlsRecommender>(stream);

        Assert.False(loaded.IsKnownUser("late-user"));
        var score = new float[1];
        loaded.Score(data.Users.GetId(0), ["late-item"], score);
        Assert.Equal(float.NegativeInfinity, score[0]);
        AssertServesTheSame(fitted, loaded, data);
    }

    [Fact]
    public void AFrameInsideALargerStream_IsReadExactly_EvenWhenTheStreamCannotSeek()
    {
        IRecommender first = Fitted("item-knn");
        IRecommender second = Fitted("popularity");
        using var stream = new MemoryStream();
        stream.Write([1, 2, 3]);
        ModelFile.Save(first, new ForwardOnlyStream(stream));
        ModelFile.Save(second, stream);
        stream.Write([9, 9]);

        stream.Position = 3;
        var forward = new ForwardOnlyStream(stream);
        IRecommender a = ModelFile.Load(forward);
        IRecommender b = ModelFile.Load(forward);

        Assert.Equal(stream.Length - 2, stream.Position);
        AssertServesTheSame(first, a, Ratings.Value);
        AssertServesTheSame(second, b, Ratings.Value);
    }

    [Fact]
    public void TruncatedOrBitFlippedModels_AreRefusedWithInvalidDataException_OnSeekableAndForwardOnlyStreams()
    {
        using var saved = new MemoryStream();
        ModelFile.Save(Fitted("implicit-als"), saved);
        byte[] bytes = saved.ToArray();
        var random = new Random(11);
        for (int trial = 0; trial < 300; trial++)
        {
            byte[] copy = trial % 2 == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
            if (trial % 2 == 1)
            {
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            }

            Stream input = trial % 4 < 2 ? new MemoryStream(copy) : new ForwardOnlyStream(new MemoryStream(copy));
            InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(input));
            Assert.StartsWith("Model stream", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ADamagedFile_NamesTheFile_AndLeavesTheRecommenderLoadedBeforeUntouched()
    {
        using var folder = new TempFolder();
        string path = Path.Combine(folder.Path, "model.rmdl");
        IRecommender fitted = Fitted("item-knn");
        ModelFile.Save(fitted, path);
        IRecommender loaded = ModelFile.Load(path);
        byte[] bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x10;
        File.WriteAllBytes(path, bytes);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));

        Assert.Contains($"'{path}' is damaged", error.Message, StringComparison.Ordinal);
        AssertServesTheSame(fitted, loaded, Ratings.Value);
    }

    [Fact]
    public void NewerFormatVersion_IsRefusedByName()
    {
        byte[] bytes = SavedBytes("popularity");
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), ModelFile.FormatVersion + 1);
        Frames.Reseal(bytes);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes)));

        Assert.Contains($"format version {ModelFile.FormatVersion + 1}; this version of RecEngine reads version {ModelFile.FormatVersion} only", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AbsurdCount_WithAValidChecksum_IsRefusedWithoutAHugeAllocation()
    {
        byte[] bytes = SavedBytes("implicit-als");

        // The user id count follows the frame header and the kind ("implicit-als": a length byte and 12 characters).
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(Frames.HeaderLength + 13), int.MaxValue);
        Frames.Reseal(bytes);
        long before = GC.GetAllocatedBytesForCurrentThread();

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes)));

        Assert.Contains($"claims {int.MaxValue} user ids", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 4 * bytes.Length + (1 << 20));
    }

    [Fact]
    public void AbsurdLengthInTheHeader_OfAForwardOnlyStream_AllocatesOnlyWhatArrives()
    {
        byte[] bytes = SavedBytes("popularity");
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), 1L << 40);
        long before = GC.GetAllocatedBytesForCurrentThread();

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new ForwardOnlyStream(new MemoryStream(bytes))));

        Assert.Contains("more than a stream that cannot seek can be read into memory", error.Message, StringComparison.Ordinal);
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(8), int.MaxValue / 2);
        error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new ForwardOnlyStream(new MemoryStream(bytes))));
        Assert.Contains("is truncated", error.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 8 << 20);
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }, "malformed string length")]
    [InlineData(new byte[] { 0xFF, 0xFF, 0xFF, 0xFF, 0x07 }, "claims a string of 2147483647 bytes")]
    public void AStringLengthThatIsMalformedOrTooLong_WithAValidChecksum_IsInvalidData(byte[] prefix, string message)
    {
        byte[] bytes = SavedBytes("popularity");
        prefix.CopyTo(bytes.AsSpan(Frames.HeaderLength));
        Frames.Reseal(bytes);

        foreach (Stream input in new[] { new MemoryStream(bytes), (Stream)new ForwardOnlyStream(new MemoryStream(bytes)) })
        {
            InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(input));
            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void IdsThatAreNotWellFormedUtf16_CannotBeSaved_AndAFileSaveLeavesNothing()
    {
        using var folder = new TempFolder();
        InteractionDataset data = new InteractionDatasetBuilder().Add("user-\ud800", "item", 1f, 0, EventKind.View).Add("user", "item", 1f, 0, EventKind.View).Build();
        var model = new PopularityRecommender();
        model.Fit(data);

        Assert.Contains("not well-formed UTF-16", Assert.Throws<ArgumentException>(() => ModelFile.Save(model, new MemoryStream())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ModelFile.Save(model, Path.Combine(folder.Path, "model.rmdl")));
        Assert.Empty(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void UnknownKind_WithAValidChecksum_IsRefusedByName()
    {
        byte[] bytes = SavedBytes("content");
        "wibble!"u8.CopyTo(bytes.AsSpan(Frames.HeaderLength + 1));
        Frames.Reseal(bytes);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes)));

        Assert.Contains("model of kind 'wibble!'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ForeignBytes_AreNotAModel()
    {
        byte[] zip = new byte[64];
        "PK\u0003\u0004"u8.CopyTo(zip);
        Assert.Contains("is not a RecEngine model (no RMDL header)", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(zip))).Message, StringComparison.Ordinal);
        Assert.Contains("is truncated (2 bytes)", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream("RM"u8.ToArray()))).Message, StringComparison.Ordinal);
        Assert.Contains("is truncated (0 bytes)", Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream())).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadAsTheWrongClass_NamesBothClasses()
    {
        byte[] bytes = SavedBytes("popularity");
        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load<ItemKnnRecommender>(new MemoryStream(bytes)));
        Assert.Contains("PopularityRecommender", error.Message, StringComparison.Ordinal);
        Assert.Contains("ItemKnnRecommender", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WhatCannotBeSaved_IsRefusedWithClearErrors()
    {
        Assert.Contains("must be fitted", Assert.Throws<InvalidOperationException>(() => ModelFile.Save(new ItemKnnRecommender(), new MemoryStream())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => ModelFile.Save(null!, new MemoryStream()));
        Assert.Throws<ArgumentNullException>(() => ModelFile.Save(Fitted("popularity"), (Stream)null!));
        Assert.Throws<ArgumentException>(() => ModelFile.Save(Fitted("popularity"), ""));
        Assert.Throws<ArgumentNullException>(() => ModelFile.Load((Stream)null!));

        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(new RecommendationEngineOptions { Models = { EngineModel.Popularity() } }, Ratings.Value);
        NotSupportedException error = Assert.Throws<NotSupportedException>(() => ModelFile.Save(engine.Recommender, new MemoryStream()));
        Assert.Contains("SnapshotAsync", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SavingIntoAMissingFolder_FailsAndLeavesNothing_AndAFailedSaveKeepsTheOldFile()
    {
        using var folder = new TempFolder();
        Assert.ThrowsAny<IOException>(() => ModelFile.Save(Fitted("popularity"), Path.Combine(folder.Path, "missing", "model.rmdl")));

        string path = Path.Combine(folder.Path, "model.rmdl");
        ModelFile.Save(Fitted("popularity"), path);
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<InvalidOperationException>(() => ModelFile.Save(new PopularityRecommender(), path));

        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void ACompositeSavesThePartStatesItServes_NotStatesItsPartsWereRefittedToSince()
    {
        var knn = new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15 });
        var popularity = new PopularityRecommender();
        var hybrid = new HybridRecommender([(knn, 0.6), (popularity, 0.4)]);
        hybrid.Fit(Ratings.Value);
        IReadOnlyList<ScoredItem>[] served = [.. Enumerable.Range(0, 40).Select(u => hybrid.Recommend(Ratings.Value.Users.GetId(u), 10))];
        knn.Fit(Events.Value);

        using var stream = new MemoryStream();
        ModelFile.Save(hybrid, stream);
        stream.Position = 0;
        HybridRecommender loaded = ModelFile.Load<HybridRecommender>(stream);

        Assert.Equal(served, Enumerable.Range(0, 40).Select(u => loaded.Recommend(Ratings.Value.Users.GetId(u), 10)));
        Assert.Equal(hybrid.Weights, loaded.Weights);
        AssertServesTheSame(hybrid, loaded, Ratings.Value);
    }

    [Fact]
    public void ASimilarityModelFittedOnOtherData_IsSavedWithItsOwnContext_AndServesTheSame()
    {
        var inner = new ItemKnnRecommender(new NeighborhoodOptions { Neighbors = 15 });
        inner.Fit(Ratings.Value);
        var similarity = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 8, Iterations = 3 });
        similarity.Fit(Events.Value);
        var diversity = new DiversityReranker(inner, similarity, tradeoff: 0.5, candidateCount: 30);

        using var stream = new MemoryStream();
        ModelFile.Save(diversity, stream);
        stream.Position = 0;
        IRecommender loaded = ModelFile.Load(stream);
        using var again = new MemoryStream();
        ModelFile.Save(loaded, again);

        AssertServesTheSame(diversity, loaded, Ratings.Value);
        Assert.Equal(stream.ToArray(), again.ToArray());

        // Fitted on the same data as the inner model, the similarity model shares its context, stored once.
        var shared = new ImplicitAlsRecommender(new ImplicitAlsOptions { Factors = 8, Iterations = 3 });
        shared.Fit(Ratings.Value);
        long together = ModelFile.Save(new DiversityReranker(inner, shared, 0.5, 30), new MemoryStream());
        long apart = ModelFile.Save(inner, new MemoryStream()) + ModelFile.Save(shared, new MemoryStream());
        Assert.True(together < apart - (Ratings.Value.Count / 2), $"{together} bytes together, {apart} apart");
    }

    [Fact]
    public void TruncatedOrBitFlippedComposites_AreRefusedWithInvalidDataException()
    {
        byte[] bytes = SavedBytes("nested");
        var random = new Random(5);
        for (int trial = 0; trial < 120; trial++)
        {
            byte[] copy = trial % 2 == 0 ? bytes[..random.Next(bytes.Length)] : (byte[])bytes.Clone();
            if (trial % 2 == 1)
            {
                copy[random.Next(copy.Length)] ^= (byte)(1 << random.Next(8));
            }

            Stream input = trial % 4 < 2 ? new MemoryStream(copy) : new ForwardOnlyStream(new MemoryStream(copy));
            InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(input));
            Assert.StartsWith("Model stream", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CompositesNestedTooDeep_WithAValidChecksum_AreRefusedBeforeTheStackRunsOut()
    {
        // A hostile file: diversity re-rankers inside each other, far deeper than anything saved.
        using var stream = new MemoryStream();
        StateFrame.Write(stream, "RMDL"u8, ModelFile.FormatVersion, writer =>
        {
            for (int depth = 0; depth < 10_000; depth++)
            {
                writer.Write("mmr");
                writer.Write(0.5);
                writer.Write(10);
            }
        });
        stream.Position = 0;

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(stream));

        Assert.Contains($"nests composites more than {ModelFile.MaxNesting} deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void APartThatClaimsTheContextOfACompositeWithoutOne_IsInvalidData()
    {
        byte[] bytes = SavedBytes("mmr");

        // Kind "mmr" (4 bytes), λ (8), M (4), the inner part's kind "item-knn" (9), then its shared-context flag.
        int flag = Frames.HeaderLength + 4 + 8 + 4 + 9;
        Assert.Equal(0, bytes[flag]);
        bytes[flag] = 1;
        Frames.Reseal(bytes);

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ModelFile.Load(new MemoryStream(bytes)));

        Assert.Contains("model of kind 'item-knn' that shares the context of a composite that has none", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ACompositeWithAPartThatCannotBeSaved_IsRefused_AndNothingIsWritten()
    {
        await using RecommendationEngine engine = await RecommendationEngine.StartAsync(new RecommendationEngineOptions { Models = { EngineModel.Popularity() } }, Ratings.Value);
        var similarity = new ItemKnnRecommender();
        similarity.Fit(Ratings.Value);
        using var stream = new MemoryStream();

        NotSupportedException error = Assert.Throws<NotSupportedException>(() => ModelFile.Save(new DiversityReranker(engine.Recommender, similarity), stream));
        Assert.Contains("a part of the composite being saved", error.Message, StringComparison.Ordinal);

        var unfitted = new DiversityReranker(Fitted("popularity"), new ItemKnnRecommender());
        Assert.Contains("'item-knn' recommender must be fitted", Assert.Throws<InvalidOperationException>(() => ModelFile.Save(unfitted, stream)).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => ModelFile.Save(new RerankingRecommender(new PopularityRecommender(), new ItemKnnRecommender()), stream));
        Assert.Equal(0, stream.Length);
    }

    private static byte[] SavedBytes(string model)
    {
        using var stream = new MemoryStream();
        ModelFile.Save(Fitted(model), stream);
        return stream.ToArray();
    }

    /// <summary>A stream that reads and writes through another one but cannot seek, like a network stream.</summary>
    private sealed class ForwardOnlyStream(Stream inner) : Stream
    {
        public override bool CanRead => inner.CanRead;

        public override bool CanSeek => false;

        public override bool CanWrite => inner.CanWrite;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, Math.Min(count, 1000));

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

        public override void Flush() => inner.Flush();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
