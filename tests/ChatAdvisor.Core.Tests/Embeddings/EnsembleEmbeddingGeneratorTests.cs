using System.Numerics.Tensors;
using ChatAdvisor.Core.Embeddings;
using Microsoft.Extensions.AI;

namespace ChatAdvisor.Core.Tests.Embeddings;

public sealed class EnsembleEmbeddingGeneratorTests
{
    private static readonly string[] Passages =
    [
        "Projects requiring an admin panel",
        "High-performance APIs, ML inference, microservices",
        "You're learning backend development.",
    ];

    [Fact]
    public async Task GenerateAsync_TwoModels_CosineIsTheWeightedMeanOfTheModelsCosines()
    {
        var ensemble = new EnsembleEmbeddingGenerator([(TestModels.Arctic, 0.7f), (TestModels.MiniLm, 0.3f)]);
        const string question = "I need back-office screens so staff can edit records";

        var query = (await ensemble.GenerateAsync([question], EmbeddingInput.ForQuery()))[0].Vector;
        var documents = await ensemble.GenerateAsync(Passages);
        var arcticQuery = (await TestModels.Arctic.GenerateAsync([question], EmbeddingInput.ForQuery()))[0].Vector;
        var arcticDocuments = await TestModels.Arctic.GenerateAsync(Passages);
        var miniQuery = (await TestModels.MiniLm.GenerateAsync([question], EmbeddingInput.ForQuery()))[0].Vector;
        var miniDocuments = await TestModels.MiniLm.GenerateAsync(Passages);

        Assert.Equal(768, query.Length);
        Assert.Equal(1f, TensorPrimitives.Norm(query.Span), 4);
        for (int i = 0; i < Passages.Length; i++)
        {
            float expected = 0.7f * TensorPrimitives.Dot(arcticQuery.Span, arcticDocuments[i].Vector.Span)
                + 0.3f * TensorPrimitives.Dot(miniQuery.Span, miniDocuments[i].Vector.Span);
            Assert.Equal(expected, TensorPrimitives.Dot(query.Span, documents[i].Vector.Span), 4);
        }
    }

    [Fact]
    public async Task FirstModelQuery_DotWithAnEnsembleVector_IsTheFirstModelsCosine()
    {
        var ensemble = new EnsembleEmbeddingGenerator([(TestModels.Arctic, 1f), (TestModels.MiniLm, 1f)]);
        const string question = "Which one should a novice pick up?";

        var query = ensemble.FirstModelQuery((await ensemble.GenerateAsync([question], EmbeddingInput.ForQuery()))[0].Vector);
        var documents = await ensemble.GenerateAsync(Passages);
        var arcticQuery = (await TestModels.Arctic.GenerateAsync([question], EmbeddingInput.ForQuery()))[0].Vector;
        var arcticDocuments = await TestModels.Arctic.GenerateAsync(Passages);

        for (int i = 0; i < Passages.Length; i++)
            Assert.Equal(TensorPrimitives.Dot(arcticQuery.Span, arcticDocuments[i].Vector.Span), TensorPrimitives.Dot(query.Span, documents[i].Vector.Span), 4);
        Assert.Same(TestModels.Arctic, ensemble.First);
    }

    [Fact]
    public void Metadata_NamesEveryModelAndItsShare_SoAnIndexOfOtherModelsIsRebuilt()
    {
        var even = new EnsembleEmbeddingGenerator([(TestModels.Arctic, 1f), (TestModels.MiniLm, 1f)]);
        var uneven = new EnsembleEmbeddingGenerator([(TestModels.Arctic, 0.7f), (TestModels.MiniLm, 0.3f)]);

        var evenId = even.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId!;
        Assert.Contains(TestModels.Arctic.Model.Id + "*0.5", evenId, StringComparison.Ordinal);
        Assert.Contains(TestModels.MiniLm.Model.Id + "*0.5", evenId, StringComparison.Ordinal);
        Assert.NotEqual(evenId, uneven.GetService<EmbeddingGeneratorMetadata>()!.DefaultModelId);
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1f)]
    [InlineData(float.NaN)]
    public void Constructor_WeightNotPositive_IsRefused(float weight)
    {
        var error = Assert.Throws<ArgumentException>(() => new EnsembleEmbeddingGenerator([(TestModels.Arctic, 1f), (TestModels.MiniLm, weight)]));
        Assert.Contains("positive", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bert-base", 0.5f, "Embeddings:SecondModel must be one of")]
    [InlineData(EmbeddingModel.MiniLmName, 0f, "Embeddings:SecondModelWeight must be between 0 and 1")]
    [InlineData(EmbeddingModel.MiniLmName, 1f, "Embeddings:SecondModelWeight must be between 0 and 1")]
    public void Options_BadSecondModel_FailNamingTheSetting(string model, float weight, string message)
    {
        var options = new EmbeddingsOptions { SecondModel = model, SecondModelWeight = weight };

        var result = new EmbeddingsOptions.Validator(new ContentRootPath(AppContext.BaseDirectory)).Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(message, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_NoSecondModel_IsValid()
    {
        var result = new EmbeddingsOptions.Validator(new ContentRootPath(AppContext.BaseDirectory))
            .Validate(null, new EmbeddingsOptions { SecondModel = "" });

        Assert.True(result.Succeeded);
    }
}
