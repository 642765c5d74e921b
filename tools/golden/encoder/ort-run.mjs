// Runs the generated BERT model, exported to ONNX by make_model.py, with onnxruntime-node on one thread:
// the second reference for the C# encoder and its speed anchor.
//
//   node ort-run.mjs golden <model folder>
//       writes tests/ChatAdvisor.Core.Tests/Embeddings/Golden/encoder-golden-ort.json for the texts of encoder-golden.json
//   node ort-run.mjs embed <model folder> <inputs.json>
//       inputs.json is an array of token-id arrays; prints [{"mean": [...], "cls": [...]}, ...] as JSON
//   node ort-run.mjs bench <model folder> <inputs.json> <runs>
//       inputs.json is an array of token-id arrays; prints {"textsPerSecond": [...], "textsPerCpuSecond": [...]}, one figure per run
import * as ort from 'onnxruntime-node';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const goldenDir = path.join(here, '..', '..', '..', 'tests', 'ChatAdvisor.Core.Tests', 'Embeddings', 'Golden');
const [mode, modelDir, inputsPath, runsArg] = process.argv.slice(2);
if (!['golden', 'embed', 'bench'].includes(mode) || !modelDir) {
  console.error('usage: node ort-run.mjs golden <model folder> | embed <model folder> <inputs.json> | bench <model folder> <inputs.json> <runs>');
  process.exit(2);
}

const session = await ort.InferenceSession.create(path.join(modelDir, 'model.onnx'), {
  intraOpNumThreads: 1,
  interOpNumThreads: 1,
  executionMode: 'sequential',
  graphOptimizationLevel: 'all',
});

async function embed(ids) {
  const dims = [1, ids.length];
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
  };
  const result = await session.run(feeds);
  return { mean: Array.from(result.mean_embedding.data), cls: Array.from(result.cls_embedding.data) };
}

if (mode === 'golden') {
  const golden = JSON.parse(fs.readFileSync(path.join(goldenDir, 'encoder-golden.json'), 'utf8'));
  const cases = [];
  for (const c of golden.cases) {
    const { mean, cls } = await embed(c.ids);
    cases.push({ text: c.text, mean: mean.map(v => Number(v.toPrecision(8))), cls: cls.map(v => Number(v.toPrecision(8))) });
  }
  const { version } = JSON.parse(fs.readFileSync(path.join(here, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'));
  const header = { reference: `onnxruntime-node ${version}, CPU, one thread, float32, model.onnx exported by make_model.py`,
    modelSha256: golden.header.modelSha256, count: cases.length };
  const output = path.join(goldenDir, 'encoder-golden-ort.json');
  fs.writeFileSync(output, `{"header": ${JSON.stringify(header)},\n"cases": [\n${cases.map(c => JSON.stringify(c)).join(',\n')}\n]}\n`);
  console.log(`${cases.length} embeddings -> ${output}`);
} else if (mode === 'embed') {
  const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const results = [];
  for (const ids of inputs) results.push(await embed(ids));
  process.stdout.write(JSON.stringify(results));
} else {
  const inputs = JSON.parse(fs.readFileSync(inputsPath, 'utf8'));
  const runs = Number(runsArg ?? 5);
  for (const ids of inputs.slice(0, 3)) await embed(ids); // warm-up
  const textsPerSecond = [];
  const textsPerCpuSecond = [];
  for (let run = 0; run < runs; run++) {
    const start = process.hrtime.bigint();
    const cpu = process.cpuUsage();
    for (const ids of inputs) await embed(ids);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const used = process.cpuUsage(cpu);
    textsPerSecond.push(inputs.length / seconds);
    // CPU time of the process: on a shared machine it does not count the time other programs held the core.
    textsPerCpuSecond.push(inputs.length / ((used.user + used.system) / 1e6));
  }
  console.log(JSON.stringify({ textsPerSecond, textsPerCpuSecond }));
}
