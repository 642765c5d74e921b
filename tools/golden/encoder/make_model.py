#!/usr/bin/python3
"""Generates a BERT sentence-embedding model with deterministic weights in bge-micro-v2's shape, runs an
independent PyTorch forward pass over it, and writes the golden embeddings the C# encoder is checked against.

    /usr/bin/python3 tools/golden/encoder/make_model.py --out <model folder> [--golden] [--onnx]

Writes into <model folder>: config.json, model.safetensors, 1_Pooling/config.json, sentence_bert_config.json
and vocab.txt (copied from the shared models folder); with --onnx also model.onnx (the same network exported
with torch.onnx, for onnxruntime, its weights referenced in model.safetensors); with --golden also tests/ChatAdvisor.Core.Tests/Embeddings/Golden/encoder-golden.json
(and, with both, the ONNX graph as Golden/generated-model.onnx, which the tests run with onnxruntime-node).

Weights: element i of the t-th tensor (tensors in name order) is derived from splitmix64 of
(seed << 48) ^ (t << 32) ^ i; its top 16 bits k give u = (k - 32768) / 32768 in [-1, 1), scaled by a power of two,
so every weight is exactly representable in float32 and any implementation of this recipe writes the same bytes.
The golden file records the sha256 of model.safetensors so a test can prove it ran on the very same weights.

Needs Debian's python3-torch and python3-numpy (for /usr/bin/python3), and python3-onnx for --onnx.
"""
import argparse
import hashlib
import json
import math
import os
import shutil
import struct

import numpy as np
import torch
import torch.nn.functional as F

SEED = 20240521
HIDDEN, LAYERS, HEADS, INTERMEDIATE = 384, 3, 12, 1536
VOCAB, POSITIONS, TYPES, EPS = 30522, 512, 2, 1e-12
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, '..', '..', '..'))
GOLDEN_DIR = os.path.join(REPO, 'tests', 'ChatAdvisor.Core.Tests', 'Embeddings', 'Golden')


def tensor_shapes():
    """Name -> (shape, kind) for every tensor of the model, as Hugging Face's BertModel names them."""
    shapes = {
        'embeddings.word_embeddings.weight': ((VOCAB, HIDDEN), 'matrix'),
        'embeddings.position_embeddings.weight': ((POSITIONS, HIDDEN), 'matrix'),
        'embeddings.token_type_embeddings.weight': ((TYPES, HIDDEN), 'matrix'),
        'embeddings.LayerNorm.weight': ((HIDDEN,), 'gain'),
        'embeddings.LayerNorm.bias': ((HIDDEN,), 'bias'),
    }
    for layer in range(LAYERS):
        p = f'encoder.layer.{layer}.'
        for name in ('query', 'key'):
            shapes[p + f'attention.self.{name}.weight'] = ((HIDDEN, HIDDEN), 'sharp')
            shapes[p + f'attention.self.{name}.bias'] = ((HIDDEN,), 'bias')
        shapes[p + 'attention.self.value.weight'] = ((HIDDEN, HIDDEN), 'matrix')
        shapes[p + 'attention.self.value.bias'] = ((HIDDEN,), 'bias')
        shapes[p + 'attention.output.dense.weight'] = ((HIDDEN, HIDDEN), 'matrix')
        shapes[p + 'attention.output.dense.bias'] = ((HIDDEN,), 'bias')
        shapes[p + 'attention.output.LayerNorm.weight'] = ((HIDDEN,), 'gain')
        shapes[p + 'attention.output.LayerNorm.bias'] = ((HIDDEN,), 'bias')
        shapes[p + 'intermediate.dense.weight'] = ((INTERMEDIATE, HIDDEN), 'matrix')
        shapes[p + 'intermediate.dense.bias'] = ((INTERMEDIATE,), 'bias')
        shapes[p + 'output.dense.weight'] = ((HIDDEN, INTERMEDIATE), 'matrix')
        shapes[p + 'output.dense.bias'] = ((HIDDEN,), 'bias')
        shapes[p + 'output.LayerNorm.weight'] = ((HIDDEN,), 'gain')
        shapes[p + 'output.LayerNorm.bias'] = ((HIDDEN,), 'bias')
    return dict(sorted(shapes.items()))


def splitmix64(z):
    z = z + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def generate(index, shape, kind):
    count = int(np.prod(shape))
    z = (np.uint64(SEED) << np.uint64(48)) ^ (np.uint64(index) << np.uint64(32)) ^ np.arange(count, dtype=np.uint64)
    k = (splitmix64(z) >> np.uint64(48)).astype(np.int64) - 32768
    # u * 2^-s with u = k / 2^15: exact in float32 because |k| < 2^16.
    scale = {'matrix': 2.0 ** -5, 'sharp': 2.0 ** -3, 'bias': 2.0 ** -4, 'gain': 2.0 ** -3}[kind]
    values = k.astype(np.float64) * (scale / 32768.0)
    if kind == 'gain':
        values = values + 1.0
    result = values.astype(np.float32)
    assert np.array_equal(result.astype(np.float64), values), 'a weight is not exact in float32'
    return result.reshape(shape)


def write_safetensors(path, tensors):
    """The safetensors layout: u64 header length, JSON header (space-padded to 8 bytes), raw little-endian data."""
    entries, offset = [], 0
    for name, array in tensors.items():
        size = array.size * 4
        entries.append(f'"{name}":{{"dtype":"F32","shape":[{",".join(str(d) for d in array.shape)}],"data_offsets":[{offset},{offset + size}]}}')
        offset += size
    header = ('{"__metadata__":{"format":"pt"},' + ','.join(entries) + '}').encode('ascii')
    header += b' ' * ((8 - len(header) % 8) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(header)))
        f.write(header)
        for array in tensors.values():
            f.write(np.ascontiguousarray(array, dtype='<f4').tobytes())


class Bert(torch.nn.Module):
    """A BERT encoder with mean and CLS pooling, written from the architecture (not from a library)."""

    def __init__(self, weights):
        super().__init__()
        self.w = {name: torch.from_numpy(array.copy()) for name, array in weights.items()}
        for i, (name, value) in enumerate(self.w.items()):
            self.register_buffer(f'w{i}', value)
        self.names = list(self.w)

    def p(self, name):
        return getattr(self, f'w{self.names.index(name)}')

    def forward(self, input_ids, attention_mask):
        batch, length = input_ids.shape
        mask = attention_mask.to(self.p('embeddings.LayerNorm.weight').dtype)
        positions = torch.arange(length, device=input_ids.device)
        x = (F.embedding(input_ids, self.p('embeddings.word_embeddings.weight'))
             + F.embedding(positions, self.p('embeddings.position_embeddings.weight')).unsqueeze(0)
             + self.p('embeddings.token_type_embeddings.weight')[0])
        x = F.layer_norm(x, (HIDDEN,), self.p('embeddings.LayerNorm.weight'), self.p('embeddings.LayerNorm.bias'), EPS)
        head = HIDDEN // HEADS
        additive = (1.0 - mask)[:, None, None, :] * -1e9
        for layer in range(LAYERS):
            p = f'encoder.layer.{layer}.'

            def split(t):
                return t.view(batch, length, HEADS, head).transpose(1, 2)

            q = split(F.linear(x, self.p(p + 'attention.self.query.weight'), self.p(p + 'attention.self.query.bias')))
            k = split(F.linear(x, self.p(p + 'attention.self.key.weight'), self.p(p + 'attention.self.key.bias')))
            v = split(F.linear(x, self.p(p + 'attention.self.value.weight'), self.p(p + 'attention.self.value.bias')))
            scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(head) + additive
            context = torch.matmul(torch.softmax(scores, dim=-1), v).transpose(1, 2).reshape(batch, length, HIDDEN)
            attended = F.linear(context, self.p(p + 'attention.output.dense.weight'), self.p(p + 'attention.output.dense.bias'))
            x = F.layer_norm(attended + x, (HIDDEN,), self.p(p + 'attention.output.LayerNorm.weight'),
                             self.p(p + 'attention.output.LayerNorm.bias'), EPS)
            inner = F.gelu(F.linear(x, self.p(p + 'intermediate.dense.weight'), self.p(p + 'intermediate.dense.bias')))
            out = F.linear(inner, self.p(p + 'output.dense.weight'), self.p(p + 'output.dense.bias'))
            x = F.layer_norm(out + x, (HIDDEN,), self.p(p + 'output.LayerNorm.weight'), self.p(p + 'output.LayerNorm.bias'), EPS)
        mean = (x * mask[:, :, None]).sum(dim=1) / mask.sum(dim=1, keepdim=True)
        cls = x[:, 0, :]
        return F.normalize(mean, dim=-1), F.normalize(cls, dim=-1)


def golden_inputs():
    """A varied selection from the tokenizer's golden texts (whose ids @huggingface/transformers produced)."""
    with open(os.path.join(GOLDEN_DIR, 'wordpiece-golden.json'), encoding='utf-8') as f:
        cases = json.load(f)['cases']
    chosen = cases[::33]
    longest = max(cases, key=lambda c: len(c['ids']))
    if longest not in chosen:
        chosen.append(longest)
    return [{'source': c['source'], 'text': c['text'], 'ids': c['ids']} for c in chosen]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--out', required=True)
    parser.add_argument('--shared', default=os.path.join(REPO, '..', 'shared'))
    parser.add_argument('--golden', action='store_true')
    parser.add_argument('--onnx', action='store_true')
    args = parser.parse_args()

    os.makedirs(os.path.join(args.out, '1_Pooling'), exist_ok=True)
    weights = {name: generate(i, shape, kind) for i, (name, (shape, kind)) in enumerate(tensor_shapes().items())}
    model_path = os.path.join(args.out, 'model.safetensors')
    write_safetensors(model_path, weights)
    with open(model_path, 'rb') as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    config = {'architectures': ['BertModel'], 'model_type': 'bert', 'hidden_size': HIDDEN, 'num_hidden_layers': LAYERS,
              'num_attention_heads': HEADS, 'intermediate_size': INTERMEDIATE, 'hidden_act': 'gelu',
              'max_position_embeddings': POSITIONS, 'type_vocab_size': TYPES, 'vocab_size': VOCAB,
              'layer_norm_eps': EPS, 'pad_token_id': 0}
    with open(os.path.join(args.out, 'config.json'), 'w') as f:
        json.dump(config, f, indent=2)
    with open(os.path.join(args.out, '1_Pooling', 'config.json'), 'w') as f:
        json.dump({'word_embedding_dimension': HIDDEN, 'pooling_mode_cls_token': False, 'pooling_mode_mean_tokens': True}, f, indent=2)
    with open(os.path.join(args.out, 'sentence_bert_config.json'), 'w') as f:
        json.dump({'max_seq_length': 512, 'do_lower_case': False}, f, indent=2)
    shutil.copyfile(os.path.join(args.shared, 'models', 'all-MiniLM-L6-v2', 'vocab.txt'), os.path.join(args.out, 'vocab.txt'))
    print(f'model.safetensors sha256 {sha}')

    if args.golden:
        # The reference runs in float64, one text at a time (no padding), so it is as exact as it can be.
        model = Bert(weights).double().eval()
        cases = golden_inputs()
        with torch.no_grad():
            for case in cases:
                ids = torch.tensor([case['ids']], dtype=torch.long)
                mean, cls = model(ids, torch.ones_like(ids))
                case['mean'] = [float(f'{v:.8g}') for v in mean[0].tolist()]
                case['cls'] = [float(f'{v:.8g}') for v in cls[0].tolist()]
        header = {'reference': f'PyTorch {torch.__version__} forward pass in float64 (tools/golden/encoder/make_model.py)',
                  'seed': SEED, 'modelSha256': sha, 'count': len(cases)}
        path = os.path.join(GOLDEN_DIR, 'encoder-golden.json')
        with open(path, 'w', encoding='utf-8') as f:
            f.write('{"header": ' + json.dumps(header) + ',\n"cases": [\n')
            f.write(',\n'.join(json.dumps(c, ensure_ascii=False) for c in cases))
            f.write('\n]}\n')
        print(f'{len(cases)} golden embeddings -> {path}')

    if args.onnx:
        export_onnx(weights, args.out)
        if args.golden:
            shutil.copyfile(os.path.join(args.out, 'model.onnx'), os.path.join(GOLDEN_DIR, 'generated-model.onnx'))


def export_onnx(weights, folder):
    """Exports the float32 network to ONNX whose weights are not copied but referenced in model.safetensors
    (ONNX external data: file, offset, length), so the graph file stays small enough to commit and onnxruntime
    reads exactly the bytes the C# encoder reads."""
    import onnx  # Debian's python3-onnx; only needed for the export
    import onnx.numpy_helper
    model = Bert(weights).float().eval()
    ids = torch.tensor([[101, 7592, 2088, 102]], dtype=torch.long)
    path = os.path.join(folder, 'model.onnx')
    # No constant folding: every weight stays an initializer in its safetensors layout (transposes are graph nodes).
    torch.onnx.export(model, (ids, torch.ones_like(ids)), path,
                      input_names=['input_ids', 'attention_mask'], output_names=['mean_embedding', 'cls_embedding'],
                      dynamic_axes={'input_ids': {0: 'batch', 1: 'sequence'}, 'attention_mask': {0: 'batch', 1: 'sequence'},
                                    'mean_embedding': {0: 'batch'}, 'cls_embedding': {0: 'batch'}},
                      opset_version=14, do_constant_folding=False)
    graph = onnx.load(path)
    names = list(weights)
    with open(os.path.join(folder, 'model.safetensors'), 'rb') as f:
        header_length = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(header_length))
    referenced = 0
    for initializer in graph.graph.initializer:
        if not (initializer.name.startswith('w') and initializer.name[1:].isdigit()):
            continue
        name = names[int(initializer.name[1:])]
        begin, end = header[name]['data_offsets']
        assert np.array_equal(onnx.numpy_helper.to_array(initializer), weights[name]), name
        initializer.ClearField('raw_data')
        initializer.ClearField('float_data')
        initializer.data_location = onnx.TensorProto.EXTERNAL
        for key, value in (('location', 'model.safetensors'), ('offset', str(8 + header_length + begin)), ('length', str(end - begin))):
            entry = initializer.external_data.add()
            entry.key, entry.value = key, value
        referenced += 1
    assert referenced == len(names), f'{referenced} of {len(names)} weights found among the initializers'
    onnx.save(graph, path)
    print(f'model.onnx ({os.path.getsize(path)} bytes, weights referenced in model.safetensors) -> {folder}')


if __name__ == '__main__':
    main()
