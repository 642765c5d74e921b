"""Times a PyTorch BERT forward pass on the same weights, token ids, batching and thread count as the C# benchmark.

The encoder is written here on torch (Debian's python3-torch) and loads its weights from the ONNX file's initializers
(python3-onnx), so no Hugging Face download is needed; the C# benchmark checks its vectors against ONNX Runtime's.

Usage: /usr/bin/python3 torch_bert.py <model.onnx> <input.json> <threads> <runs>
Prints JSON: {"seconds": [one figure per run], "first": [the first text's pooled, normalised vector]}.
"""
import json
import math
import sys
import time

import onnx
import torch
from onnx import numpy_helper


def load_weights(path):
    model = onnx.load(path)
    values = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in model.graph.initializer}
    # Linear weights are anonymous initializers ("onnx::MatMul_…"): name them after the MatMul node that reads them.
    for node in model.graph.node:
        if node.op_type == "MatMul":
            for name in node.input:
                if name in values and name.startswith("onnx::"):
                    values[node.name.strip("/").replace("/MatMul", ".weight").replace("/", ".")] = values[name]
    return values


class Bert(torch.nn.Module):
    def __init__(self, w, heads=12, eps=1e-12):
        super().__init__()
        self.w, self.heads, self.eps = w, heads, eps
        self.layers = sum(1 for k in w if k.endswith("attention.self.query.bias"))

    def norm(self, x, prefix):
        return torch.nn.functional.layer_norm(x, x.shape[-1:], self.w[prefix + ".weight"], self.w[prefix + ".bias"], self.eps)

    def dense(self, x, prefix):
        return x @ self.w[prefix + ".weight"] + self.w[prefix + ".bias"]

    def forward(self, ids, mask):
        w = self.w
        positions = torch.arange(ids.shape[1])
        x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][positions] \
            + w["embeddings.token_type_embeddings.weight"][0]
        x = self.norm(x, "embeddings.LayerNorm")
        batch, length, hidden = x.shape
        size = hidden // self.heads
        bias = (1.0 - mask[:, None, None, :].to(x.dtype)) * torch.finfo(x.dtype).min
        for layer in range(self.layers):
            p = f"encoder.layer.{layer}"
            def split(t):
                return t.view(batch, length, self.heads, size).transpose(1, 2)
            q = split(self.dense(x, p + ".attention.self.query"))
            k = split(self.dense(x, p + ".attention.self.key"))
            v = split(self.dense(x, p + ".attention.self.value"))
            scores = (q @ k.transpose(-1, -2)) / math.sqrt(size) + bias
            context = (scores.softmax(-1) @ v).transpose(1, 2).reshape(batch, length, hidden)
            x = self.norm(self.dense(context, p + ".attention.output.dense") + x, p + ".attention.output.LayerNorm")
            inner = torch.nn.functional.gelu(self.dense(x, p + ".intermediate.dense"))
            x = self.norm(self.dense(inner, p + ".output.dense") + x, p + ".output.LayerNorm")
        return x


def main():
    model_path, input_path, threads, runs = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    data = json.load(open(input_path))
    bert = Bert(load_weights(model_path)).eval()

    def embed(batch):
        width = len(batch[0])
        ids = torch.zeros(len(batch), width, dtype=torch.long)
        mask = torch.zeros(len(batch), width, dtype=torch.long)
        for row, sequence in enumerate(batch):
            ids[row, :len(sequence)] = torch.tensor(sequence)
            mask[row, :len(sequence)] = 1
        hidden = bert(ids, mask)
        if data["pooling"] == "cls":
            pooled = hidden[:, 0]
        else:
            pooled = (hidden * mask[..., None]).sum(1)
        return torch.nn.functional.normalize(pooled, dim=-1)

    with torch.inference_mode():
        first = embed(data["batches"][0])[0].tolist()  # warm-up
        seconds = []
        for _ in range(runs):
            started = time.perf_counter()
            for batch in data["batches"]:
                embed(batch)
            seconds.append(time.perf_counter() - started)
    json.dump({"seconds": seconds, "first": first}, sys.stdout)


if __name__ == "__main__":
    main()
