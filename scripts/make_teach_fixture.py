#!/usr/bin/env python3
"""Writes the committed input of the head-training proof: src/model/teach/__fixtures__/teach.inputs.json.

Run once (seeded; the output is committed, and rerunning gives the same file):
    /usr/bin/python3 scripts/make_teach_fixture.py

The file holds 60 feature vectors of 32 floats in 3 classes (non-negative, like ResNet's pooled features, with
class means apart but overlapping so the loss stays well away from zero for 20 steps), the starting weights of
the three heads (dense; one hidden ReLU layer of 16; keep-ImageNet with 4 kept classes standing in for the 1000),
the order of 20 mini-batches (seeded epochs of 8 items, each epoch's last batch the 4 left over) and the Adam
settings. Every float is a float32, so both frameworks start from exactly the same numbers.
scripts/make_teach_reference.py trains on it with PyTorch; src/model/teach/headTrainer.pytorch.test.ts with TF.js.
"""

import json
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "src" / "model" / "teach" / "__fixtures__" / "teach.inputs.json"
COUNT, FEATURES, CLASSES, HIDDEN, KEPT = 60, 32, 3, 16, 4
STEPS, BATCH = 20, 8
# A learning rate ten times the app's default, so that 20 steps move the weights far enough to tell a wrong
# update from a right one; epsilon is TF.js's float32 default, passed to both sides.
ADAM = {"learningRate": 0.01, "beta1": 0.9, "beta2": 0.999, "epsilon": 1e-7}


def f32(values):
    """Plain floats that are exactly float32 values (Python's repr of such a double reads back as the same float32)."""
    return [float(v) for v in np.asarray(values, dtype=np.float32).ravel()]


def dense(rng, inputs, outputs):
    limit = np.sqrt(6 / (inputs + outputs))
    return {
        "inputs": inputs,
        "outputs": outputs,
        "kernel": f32(rng.uniform(-limit, limit, (inputs, outputs))),
        # Non-zero, unlike the app's start, so the proof covers the bias's update from any value.
        "bias": f32(rng.uniform(-0.1, 0.1, outputs)),
    }


def main():
    rng = np.random.default_rng(26)
    labels = np.arange(COUNT) % CLASSES
    means = rng.uniform(0, 1, (CLASSES, FEATURES))
    features = np.maximum(means[labels] + rng.normal(0, 0.6, (COUNT, FEATURES)), 0)
    order = []
    while len(order) < STEPS:
        permutation = rng.permutation(COUNT)
        order.extend(permutation[start : start + BATCH].tolist() for start in range(0, COUNT, BATCH))
    payload = {
        "count": COUNT,
        "featureSize": FEATURES,
        "classes": CLASSES,
        "features": f32(features),
        "labels": labels.tolist(),
        "batches": order[:STEPS],
        "adam": ADAM,
        "heads": {
            "dense": {"kind": "dense", "output": dense(rng, FEATURES, CLASSES)},
            "hidden": {"kind": "hidden", "hidden": dense(rng, FEATURES, HIDDEN), "output": dense(rng, HIDDEN, CLASSES)},
            "keepImageNet": {
                "kind": "keepImageNet",
                "kept": dense(rng, FEATURES, KEPT),
                "output": dense(rng, FEATURES, CLASSES),
            },
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(payload) + "\n")
    print(f"wrote {OUT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
