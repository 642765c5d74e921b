using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace ChatAdvisor.Core.Understanding;

/// <summary>A label with its probability.</summary>
public readonly record struct LabelProbability(string Label, double Probability);

/// <summary>What a classifier decided: the most probable label and every label's probability, most probable first.</summary>
public sealed record Prediction(IReadOnlyList<LabelProbability> Ranked)
{
    /// <summary>The most probable label.</summary>
    public string Label => Ranked[0].Label;

    /// <summary>The probability of <see cref="Label"/>.</summary>
    public double Probability => Ranked[0].Probability;

    /// <summary>The probability of <paramref name="label"/> (0 for a label the classifier does not know).</summary>
    public double Of(string label)
    {
        foreach (var r in Ranked)
        {
            if (r.Label == label)
                return r.Probability;
        }
        return 0;
    }
}

/// <summary>How well a classifier trained on part of an example set labels the rest, over k folds.</summary>
public sealed record CrossValidation(int Examples, int Correct, IReadOnlyDictionary<(string Expected, string Predicted), int> Confusions)
{
    /// <summary>The share of examples labelled right when held out.</summary>
    public double Accuracy => Examples == 0 ? 0 : (double)Correct / Examples;
}

/// <summary>
/// A multinomial logistic regression over a text's embedding: one weight vector and bias per label, probabilities by
/// softmax. Trained with ML.NET's L-BFGS maximum-entropy trainer; predicting is a dot product per label, with no ML.NET
/// object involved, so an instance is immutable and thread-safe.
/// </summary>
public sealed class LinearClassifier
{
    /// <summary>The L2 penalty the models are trained with (chosen by cross-validation on the shipped example sets).</summary>
    public const float DefaultL2 = 0.05f;

    private readonly float[][] _weights;
    private readonly float[] _biases;

    private LinearClassifier(IReadOnlyList<string> labels, float[][] weights, float[] biases)
    {
        Labels = labels;
        _weights = weights;
        _biases = biases;
    }

    /// <summary>The labels, in the order of the weights.</summary>
    public IReadOnlyList<string> Labels { get; }

    /// <summary>The length of the feature vectors it reads.</summary>
    public int Dimensions => _weights.Length == 0 ? 0 : _weights[0].Length;

    /// <summary>The probability of every label for <paramref name="features"/>.</summary>
    /// <exception cref="ArgumentException">The vector's length is not <see cref="Dimensions"/>.</exception>
    public Prediction Predict(ReadOnlySpan<float> features)
    {
        if (features.Length != Dimensions)
            throw new ArgumentException($"The classifier reads vectors of {Dimensions} numbers, not {features.Length}.", nameof(features));
        Span<float> scores = stackalloc float[_weights.Length];
        for (int c = 0; c < _weights.Length; c++)
            scores[c] = TensorPrimitives.Dot(_weights[c], features) + _biases[c];
        TensorPrimitives.SoftMax(scores, scores);
        var ranked = new LabelProbability[scores.Length];
        for (int c = 0; c < scores.Length; c++)
            ranked[c] = new LabelProbability(Labels[c], scores[c]);
        // Ties (equal probabilities) keep label order, so the same vector always gets the same label.
        Array.Sort(ranked, (a, b) => b.Probability.CompareTo(a.Probability) is var order && order != 0 ? order : string.CompareOrdinal(a.Label, b.Label));
        return new Prediction(ranked);
    }

    /// <summary>Trains a classifier on <paramref name="features"/> labelled <paramref name="labels"/> (at least two labels).</summary>
    /// <exception cref="ArgumentException">The lists differ in length, a vector differs in length, or fewer than two labels are used.</exception>
    public static LinearClassifier Train(IReadOnlyList<ReadOnlyMemory<float>> features, IReadOnlyList<string> labels, float l2 = DefaultL2)
    {
        if (features.Count != labels.Count)
            throw new ArgumentException("Every example needs one label.", nameof(labels));
        int dimensions = features.Count == 0 ? 0 : features[0].Length;
        if (features.Any(f => f.Length != dimensions))
            throw new ArgumentException("Every feature vector must have the same length.", nameof(features));
        if (labels.Distinct().Count() < 2)
            throw new ArgumentException("A classifier needs examples of at least two labels.", nameof(labels));

        // One thread and a fixed seed: the same examples always give the same model.
        var ml = new MLContext(seed: 1);
        var rows = features.Select((f, i) => new Row { Label = labels[i], Features = f.ToArray() });
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, dimensions);
        var data = ml.Data.LoadFromEnumerable(rows, schema);
        var keyed = ml.Transforms.Conversion.MapValueToKey(nameof(Row.Label)).Fit(data).Transform(data);
        VBuffer<ReadOnlyMemory<char>> keys = default;
        keyed.Schema[nameof(Row.Label)].GetKeyValues(ref keys);
        var names = keys.DenseValues().Select(k => k.ToString()).ToArray();

        var trainer = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(new LbfgsMaximumEntropyMulticlassTrainer.Options
        {
            L2Regularization = l2,
            L1Regularization = 0,
            NumberOfThreads = 1,
        });
        var model = trainer.Fit(keyed).Model;
        VBuffer<float>[] weights = [];
        model.GetWeights(ref weights, out int classes);
        var biases = model.GetBiases().ToArray();
        return new LinearClassifier(names, [.. weights.Take(classes).Select(w => w.DenseValues().ToArray())], biases);
    }

    /// <summary>
    /// Trains on all but one of <paramref name="folds"/> parts of the examples and labels the part held out, for each part
    /// in turn. The parts are taken in a fixed shuffled order, so the figure is the same on every run.
    /// </summary>
    public static CrossValidation CrossValidate(IReadOnlyList<ReadOnlyMemory<float>> features, IReadOnlyList<string> labels, int folds = 5, float l2 = DefaultL2)
    {
        var order = Enumerable.Range(0, features.Count).ToArray();
        new Random(17).Shuffle(order);
        var confusions = new Dictionary<(string, string), int>();
        int correct = 0;
        for (int fold = 0; fold < folds; fold++)
        {
            var held = order.Where((_, i) => i % folds == fold).ToList();
            var kept = order.Where((_, i) => i % folds != fold).ToList();
            var model = Train([.. kept.Select(i => features[i])], [.. kept.Select(i => labels[i])], l2);
            foreach (var i in held)
            {
                var predicted = model.Predict(features[i].Span).Label;
                if (predicted == labels[i])
                    correct++;
                else
                    confusions[(labels[i], predicted)] = confusions.GetValueOrDefault((labels[i], predicted)) + 1;
            }
        }
        return new CrossValidation(features.Count, correct, confusions);
    }

    /// <summary>Writes the labels and weights.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(Labels.Count);
        writer.Write(Dimensions);
        for (int c = 0; c < Labels.Count; c++)
        {
            writer.Write(Labels[c]);
            writer.Write(_biases[c]);
            foreach (var w in _weights[c])
                writer.Write(w);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote.</summary>
    /// <exception cref="InvalidDataException">The data is not a classifier.</exception>
    public static LinearClassifier Read(BinaryReader reader)
    {
        int count = reader.ReadInt32(), dimensions = reader.ReadInt32();
        if (count is < 2 or > 10_000 || dimensions is < 1 or > 100_000)
            throw new InvalidDataException("The data is not a classifier.");
        var labels = new string[count];
        var biases = new float[count];
        var weights = new float[count][];
        for (int c = 0; c < count; c++)
        {
            labels[c] = reader.ReadString();
            biases[c] = reader.ReadSingle();
            weights[c] = new float[dimensions];
            for (int d = 0; d < dimensions; d++)
                weights[c][d] = reader.ReadSingle();
        }
        return new LinearClassifier(labels, weights, biases);
    }

    private sealed class Row
    {
        public string Label { get; set; } = "";

        public float[] Features { get; set; } = [];
    }
}
