#!/usr/bin/env python3
"""Writes the PyTorch reference of the head training: test-fixtures/reference/teach.json.

Run: /usr/bin/python3 scripts/make_teach_reference.py [--out test-fixtures/reference]

Reads the committed input (src/model/teach/__fixtures__/teach.inputs.json: features, labels, each head's starting
weights, 20 mini-batches, Adam's settings), trains each head for those 20 steps with torch.optim.Adam on the mean
softmax cross-entropy, and writes every step's loss (before the step) and the weights after the last step.
src/model/teach/headTrainer.pytorch.test.ts runs the same steps with TF.js and compares within 1e-4.

The heads, as src/shared/teach/headWeights.ts defines them (kernels [inputs, outputs], x @ kernel + bias):
  dense:        logits = x W + b
  hidden:       logits = relu(x W1 + b1) W2 + b2
  keepImageNet: logits = [x K + c, x W + b], K and c frozen (not given to the optimizer); class i's target is
                kept + i.
It computes in float64: the reference is then the exact arithmetic, and the tolerance is for TF.js's float32
rounding alone rather than for two frameworks' roundings in different orders.
"""

import argparse
import json
from pathlib import Path

import torch
import torch.nn.functional as F

REPO = Path(__file__).resolve().parent.parent
INPUTS = REPO / "src" / "model" / "teach" / "__fixtures__" / "teach.inputs.json"
OUT_FILE = "teach.json"


def tensor(values, shape=None):
    t = torch.tensor(values, dtype=torch.float64)
    return t.reshape(shape) if shape is not None else t


def layer(weights, trainable=True):
    kernel = tensor(weights["kernel"], (weights["inputs"], weights["outputs"])).requires_grad_(trainable)
    bias = tensor(weights["bias"]).requires_grad_(trainable)
    return kernel, bias


def plain(weights, kernel, bias):
    return {
        "inputs": weights["inputs"],
        "outputs": weights["outputs"],
        "kernel": kernel.detach().reshape(-1).tolist(),
        "bias": bias.detach().tolist(),
    }


def train(head, x, labels, batches, adam):
    """The 20 steps of one head; returns its losses and final weights in the fixture's layout."""
    W, b = layer(head["output"])
    if head["kind"] == "dense":
        params = [W, b]
        logits = lambda xb: xb @ W + b  # noqa: E731
        offset = 0
    elif head["kind"] == "hidden":
        W1, b1 = layer(head["hidden"])
        params = [W1, b1, W, b]
        logits = lambda xb: torch.relu(xb @ W1 + b1) @ W + b  # noqa: E731
        offset = 0
    else:
        K, c = layer(head["kept"], trainable=False)
        params = [W, b]
        logits = lambda xb: torch.cat([xb @ K + c, xb @ W + b], dim=1)  # noqa: E731
        offset = head["kept"]["outputs"]
    optimizer = torch.optim.Adam(
        params, lr=adam["learningRate"], betas=(adam["beta1"], adam["beta2"]), eps=adam["epsilon"]
    )
    losses = []
    for batch in batches:
        index = torch.tensor(batch)
        optimizer.zero_grad()
        loss = F.cross_entropy(logits(x[index]), labels[index] + offset)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    result = {"kind": head["kind"], "output": plain(head["output"], W, b)}
    if head["kind"] == "hidden":
        result["hidden"] = plain(head["hidden"], W1, b1)
    if head["kind"] == "keepImageNet":
        result["kept"] = plain(head["kept"], K, c)
    return {"losses": losses, "weights": result}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "test-fixtures" / "reference")
    args = parser.parse_args()
    torch.use_deterministic_algorithms(True)
    inputs = json.loads(INPUTS.read_text())
    x = tensor(inputs["features"], (inputs["count"], inputs["featureSize"]))
    labels = torch.tensor(inputs["labels"])
    heads = {
        name: train(head, x, labels, inputs["batches"], inputs["adam"]) for name, head in inputs["heads"].items()
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / OUT_FILE
    payload = {"torch": torch.__version__, "steps": len(inputs["batches"]), "heads": heads}
    path.write_text(json.dumps(payload, allow_nan=False) + "\n")  # a NaN would be a bug, not a value
    for name, head in heads.items():
        print(f"{name}: loss {head['losses'][0]:.4f} -> {head['losses'][-1]:.4f} over {payload['steps']} steps")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
