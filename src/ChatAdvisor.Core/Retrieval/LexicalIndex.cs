namespace ChatAdvisor.Core.Retrieval;

/// <summary>
/// A BM25 index over chunks (k1 = 1.2, b = 0.75). Documents are the chunks' section headings and texts as
/// <see cref="TextAnalyzer"/> analyses them.
/// </summary>
/// <remarks>Immutable after construction; searching is thread-safe.</remarks>
public sealed class LexicalIndex
{
    private const float K1 = 1.2f;
    private const float B = 0.75f;

    private readonly Dictionary<string, int> _termIds;
    private readonly int[][] _postingDocs;
    private readonly float[][] _postingFreqs;
    private readonly float[] _docLengths;
    private readonly float _averageLength;

    private LexicalIndex(Dictionary<string, int> termIds, int[][] postingDocs, float[][] postingFreqs, float[] docLengths)
    {
        _termIds = termIds;
        _postingDocs = postingDocs;
        _postingFreqs = postingFreqs;
        _docLengths = docLengths;
        _averageLength = docLengths.Length == 0 ? 1 : Math.Max(1, docLengths.Average());
    }

    /// <summary>The number of indexed documents.</summary>
    public int Count => _docLengths.Length;

    /// <summary>The number of distinct terms.</summary>
    public int TermCount => _termIds.Count;

    /// <summary>Builds an index from each document's terms (document i is chunk i).</summary>
    public static LexicalIndex Build(IReadOnlyList<IReadOnlyList<string>> documents)
    {
        var termIds = new Dictionary<string, int>(StringComparer.Ordinal);
        var docs = new List<List<int>>();
        var freqs = new List<List<float>>();
        var lengths = new float[documents.Count];
        for (int d = 0; d < documents.Count; d++)
        {
            lengths[d] = documents[d].Count;
            foreach (var group in documents[d].GroupBy(t => t, StringComparer.Ordinal))
            {
                if (!termIds.TryGetValue(group.Key, out int id))
                {
                    id = termIds.Count;
                    termIds[group.Key] = id;
                    docs.Add([]);
                    freqs.Add([]);
                }
                docs[id].Add(d);
                freqs[id].Add(group.Count());
            }
        }
        return new LexicalIndex(termIds, [.. docs.Select(l => l.ToArray())], [.. freqs.Select(l => l.ToArray())], lengths);
    }

    /// <summary>How many documents contain <paramref name="term"/>.</summary>
    public int DocumentFrequency(string term) => _termIds.TryGetValue(term, out int id) ? _postingDocs[id].Length : 0;

    /// <summary>The inverse document frequency of <paramref name="term"/> (BM25+ style, never negative).</summary>
    public float Idf(string term)
    {
        int df = DocumentFrequency(term);
        return MathF.Log(1 + (Count - df + 0.5f) / (df + 0.5f));
    }

    /// <summary>
    /// Scores every document against <paramref name="queryTerms"/> and returns the best <paramref name="k"/>
    /// (document index, score), best first; ties go to the lower index. Documents scoring 0 are left out.
    /// <paramref name="termWeights"/>, when given, multiplies each query term's contribution.
    /// </summary>
    public IReadOnlyList<(int Document, float Score)> Search(IReadOnlyList<string> queryTerms, int k, IReadOnlyDictionary<string, float>? termWeights = null)
    {
        var scores = new float[Count];
        foreach (var group in queryTerms.GroupBy(t => t, StringComparer.Ordinal))
        {
            if (!_termIds.TryGetValue(group.Key, out int id))
                continue;
            float idf = Idf(group.Key);
            float weight = termWeights is not null && termWeights.TryGetValue(group.Key, out var w) ? w : 1f;
            var docs = _postingDocs[id];
            var tfs = _postingFreqs[id];
            for (int i = 0; i < docs.Length; i++)
            {
                float tf = tfs[i];
                float norm = K1 * (1 - B + B * _docLengths[docs[i]] / _averageLength);
                scores[docs[i]] += weight * idf * tf * (K1 + 1) / (tf + norm);
            }
        }
        return TopK.Select(scores, k);
    }

    /// <summary>
    /// The share of the query's weight (each term's <paramref name="termWeights"/> × its IDF) that
    /// <paramref name="document"/> contains: 1 when it has every term, 0 when it has none. Terms no document has count
    /// in full against it: a question worded in words the corpus never uses is one keywords cannot see.
    /// </summary>
    public float Coverage(int document, IReadOnlyDictionary<string, float> termWeights)
    {
        float total = 0, found = 0;
        foreach (var (term, weight) in termWeights)
        {
            float mass = weight * Idf(term);
            total += mass;
            if (_termIds.TryGetValue(term, out int id) && Array.BinarySearch(_postingDocs[id], document) >= 0)
                found += mass;
        }
        return total > 0 ? found / total : 0;
    }

    /// <summary>Writes the index.</summary>
    public void Write(BinaryWriter writer)
    {
        writer.Write(_termIds.Count);
        foreach (var (term, id) in _termIds.OrderBy(p => p.Value))
        {
            writer.Write(term);
            writer.Write(_postingDocs[id].Length);
            foreach (var d in _postingDocs[id])
                writer.Write(d);
            foreach (var f in _postingFreqs[id])
                writer.Write(f);
        }
        writer.Write(_docLengths.Length);
        foreach (var length in _docLengths)
            writer.Write(length);
    }

    /// <summary>Reads an index written by <see cref="Write"/>.</summary>
    public static LexicalIndex Read(BinaryReader reader)
    {
        int terms = reader.ReadInt32();
        var termIds = new Dictionary<string, int>(terms, StringComparer.Ordinal);
        var docs = new int[terms][];
        var freqs = new float[terms][];
        for (int t = 0; t < terms; t++)
        {
            termIds[reader.ReadString()] = t;
            int n = reader.ReadInt32();
            docs[t] = new int[n];
            freqs[t] = new float[n];
            for (int i = 0; i < n; i++)
                docs[t][i] = reader.ReadInt32();
            for (int i = 0; i < n; i++)
                freqs[t][i] = reader.ReadSingle();
        }
        var lengths = new float[reader.ReadInt32()];
        for (int i = 0; i < lengths.Length; i++)
            lengths[i] = reader.ReadSingle();
        return new LexicalIndex(termIds, docs, freqs, lengths);
    }
}

/// <summary>Bounded top-K selection.</summary>
public static class TopK
{
    /// <summary>
    /// The <paramref name="k"/> highest positive scores as (index, score), best first; equal scores are ordered
    /// by ascending index, so results are deterministic.
    /// </summary>
    public static IReadOnlyList<(int Document, float Score)> Select(ReadOnlySpan<float> scores, int k)
    {
        if (k <= 0)
            return [];
        var heap = new PriorityQueue<int, (float Score, int NegIndex)>(k + 1);
        for (int i = 0; i < scores.Length; i++)
        {
            float s = scores[i];
            if (s <= 0)
                continue;
            if (heap.Count < k)
            {
                heap.Enqueue(i, (s, -i));
            }
            else if (heap.TryPeek(out _, out var worst) && (s > worst.Score || (s == worst.Score && -i > worst.NegIndex)))
            {
                heap.DequeueEnqueue(i, (s, -i));
            }
        }
        var result = new (int, float)[heap.Count];
        for (int r = result.Length - 1; r >= 0; r--)
        {
            heap.TryDequeue(out int index, out var priority);
            result[r] = (index, priority.Score);
        }
        return result;
    }
}
