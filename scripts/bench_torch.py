#!/usr/bin/env python3
"""Native PyTorch timing for the same ResNet depth, for `npm run bench` to compare against.

Prints one JSON object: warm median/p95 for one 224x224 image and images/s for a batch. Weights are seeded
random (their values do not change the cost of a forward pass).
Usage: /usr/bin/python3 scripts/bench_torch.py --depth 18 [--runs 20] [--batch 16] [--threads 2]
"""
import argparse
import json
import sys
import time

sys.dont_write_bytecode = True

import torch  # noqa: E402
import torchvision  # noqa: E402


def timed(fn, runs):
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    samples.sort()

    def at(q):
        return samples[min(len(samples) - 1, int(q * len(samples)))]

    return {
        "medianMs": samples[len(samples) // 2],
        "minMs": samples[0],
        "p25Ms": at(0.25),
        "p75Ms": at(0.75),
        "p95Ms": at(0.95),
        "maxMs": samples[-1],
        "runs": runs,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--depth", type=int, choices=(18, 34, 50), required=True)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.manual_seed(0)
    torch.set_num_threads(args.threads)
    model = getattr(torchvision.models, f"resnet{args.depth}")().eval()
    one = torch.randn(1, 3, 224, 224)
    many = torch.randn(args.batch, 3, 224, 224)
    with torch.no_grad():
        for _ in range(3):
            model(one)
        single = timed(lambda: model(one), args.runs)
        model(many)
        batched = timed(lambda: model(many), max(3, args.runs // 4))
    print(json.dumps({
        "depth": args.depth,
        "threads": args.threads,
        "torch": torch.__version__,
        "single": single,
        "singleImagesPerSec": 1000 / single["medianMs"],
        "batch": args.batch,
        "batchImagesPerSec": 1000 * args.batch / batched["medianMs"],
    }))


if __name__ == "__main__":
    main()
