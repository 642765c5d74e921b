// Times onnxruntime-node on the same ONNX file, token ids, batching and thread count as the C# benchmark.
// Usage: node ort-node.mjs <model.onnx> <input.json> <threads> <runs>
//   input.json: {"batches": [[[ids...], ...], ...], "pooling": "cls"|"mean"}; batches are already sorted and grouped.
// Prints JSON: {"seconds": [one figure per run], "first": [the first text's pooled, normalised vector]}.
import ort from 'onnxruntime-node';
import fs from 'node:fs';

const [modelPath, inputPath, threads, runs] = process.argv.slice(2);
const input = JSON.parse(fs.readFileSync(inputPath, 'utf8'));
const session = await ort.InferenceSession.create(modelPath, {
  intraOpNumThreads: Number(threads), interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all',
});
const needsTypes = session.inputNames.includes('token_type_ids');

async function embedBatch(batch) {
  const width = batch[0].length;
  const ids = new BigInt64Array(batch.length * width);
  const mask = new BigInt64Array(batch.length * width);
  batch.forEach((sequence, row) => sequence.forEach((id, t) => { ids[row * width + t] = BigInt(id); mask[row * width + t] = 1n; }));
  const feeds = {
    input_ids: new ort.Tensor('int64', ids, [batch.length, width]),
    attention_mask: new ort.Tensor('int64', mask, [batch.length, width]),
  };
  if (needsTypes) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), [batch.length, width]);
  const output = (await session.run(feeds))[session.outputNames[0]];
  const hidden = output.dims[2];
  const vectors = [];
  for (let row = 0; row < batch.length; row++) {
    const vector = new Float64Array(hidden);
    const count = input.pooling === 'cls' ? 1 : batch[row].length;
    for (let t = 0; t < count; t++)
      for (let d = 0; d < hidden; d++) vector[d] += output.data[(row * width + t) * hidden + d];
    const norm = Math.sqrt(vector.reduce((s, x) => s + x * x, 0));
    vectors.push(Array.from(vector, x => x / norm));
  }
  return vectors;
}

const first = (await embedBatch(input.batches[0]))[0];  // warm-up
const seconds = [];
for (let run = 0; run < Number(runs); run++) {
  const started = process.hrtime.bigint();
  for (const batch of input.batches) await embedBatch(batch);
  seconds.push(Number(process.hrtime.bigint() - started) / 1e9);
}
process.stdout.write(JSON.stringify({ seconds, first }));
