// Tokenizes texts with @huggingface/transformers for a live parity check from the C# tests.
// Usage: node tokenize.mjs <models folder> <texts.json>   (a JSON array of strings)
// Prints a JSON array with the token ids of each text (special tokens included, no truncation).
import { AutoTokenizer, env } from '@huggingface/transformers';
import fs from 'node:fs';

const [modelsFolder, textsPath] = process.argv.slice(2);
env.allowRemoteModels = false;
env.localModelPath = modelsFolder;
const tokenizer = await AutoTokenizer.from_pretrained('all-MiniLM-L6-v2');
const texts = JSON.parse(fs.readFileSync(textsPath, 'utf8'));
process.stdout.write(JSON.stringify(texts.map(text => tokenizer.encode(text))));
