#!/usr/bin/env python3
"""Native PyTorch times for the convolutions `npm run bench:convs` compares TF.js's WASM backend against.

Reads one JSON object on stdin (scripts/bench-convs.mjs writes it):
  {"threads": 2, "warmup": 5, "runs": 30, "gemm": 1024, "networkRuns": 20, "depth": 18,
   "convs": [ConvShape...], "instances": [{"key": ..., "role": "stem"|"conv1"|"conv2"|"shortcut"}...]}
and prints one JSON object: per convolution (by key) the spread of its times; the best square GEMM (torch.mm and
the same product as a 1x1 convolution), at `threads` and at 1 thread, as the native ceiling; and two whole
networks: the app's graph rebuilt from `instances` with the same fused ops (conv + bias, ReLU in place, BatchNorm
already folded: what the TF.js fast path computes) and torchvision's resnet<depth> in eval mode (what
`npm run bench` compares the app against).

Each convolution is torch.nn.functional.conv2d(x, w, b, stride, padding=(k-1)//2) then relu_ where the app fuses
a ReLU, under torch.no_grad(), default NCHW contiguous tensors (the layout torchvision's model runs in), batch 1,
torch.set_num_threads(threads). PyTorch's CPU ops are synchronous: the wall time of a call is its cost. Samples are
taken in interleaved rounds (each convolution once per round), as on the TF.js side.
"""
import json
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402


def summarize(samples):
    s = sorted(samples)

    def at(q):
        return s[min(len(s) - 1, int(q * len(s)))]

    return {
        "medianMs": at(0.5),
        "minMs": s[0],
        "p25Ms": at(0.25),
        "p75Ms": at(0.75),
        "maxMs": s[-1],
        "runs": len(s),
    }


def make_conv(c, gen):
    x = torch.randn(1, c["inChannels"], c["inHeight"], c["inWidth"], generator=gen)
    k = c["kernel"]
    fan_in = k * k * c["inChannels"]
    w = torch.randn(c["outChannels"], c["inChannels"], k, k, generator=gen) * (2 / fan_in) ** 0.5
    b = torch.randn(c["outChannels"], generator=gen) * 0.1 if c["bias"] else None
    stride, pad, relu = c["stride"], (k - 1) // 2, c["relu"]

    def call(inp=x):
        y = F.conv2d(inp, w, b, stride, pad)
        return y.relu_() if relu else y

    return call


def interleaved(calls, warmup, runs):
    samples = [[] for _ in calls]
    for r in range(warmup + runs):
        for i, call in enumerate(calls):
            t0 = time.perf_counter()
            call()
            ms = (time.perf_counter() - t0) * 1000
            if r >= warmup:
                samples[i].append(ms)
    return samples


def timed(fn, warmup, runs):
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return summarize(samples)


def gemm_ceiling(n, warmup, runs):
    gen = torch.Generator().manual_seed(3)
    a = torch.randn(n, n, generator=gen)
    b = torch.randn(n, n, generator=gen)
    side = int(n**0.5)
    while n % side:
        side -= 1
    x = torch.randn(1, n, side, n // side, generator=gen)
    w = torch.randn(n, n, 1, 1, generator=gen)
    flop = 2 * n**3
    mm = timed(lambda: torch.mm(a, b), warmup, runs)
    # oneDNN called directly: F.conv2d leaves a 1x1 convolution at batch 1 on one thread to im2col + BLAS.
    if hasattr(torch, "mkldnn_convolution"):
        conv = timed(
            lambda: torch.mkldnn_convolution(x, w, None, [0, 0], [1, 1], [1, 1], 1), warmup, runs
        )
    else:
        conv = timed(lambda: F.conv2d(x, w), warmup, runs)
    # Best of the runs: a ceiling, not a typical time. The 1x1 convolution goes through oneDNN (JIT, the widest
    # vectors the CPU has); torch.mm through whatever BLAS this PyTorch links (Debian's: the reference BLAS unless
    # an optimized one is installed as the libblas.so.3 alternative), so it is reported but not the ceiling.
    return {
        "size": n,
        "gflop": flop / 1e9,
        "mm": mm,
        "conv1x1": conv,
        "mmBestGflops": flop / 1e6 / mm["minMs"],
        "conv1x1BestGflops": flop / 1e6 / conv["minMs"],
    }


def onednn_isa():
    """The instruction set oneDNN's JIT picked (its verbose mode says, in a child process)."""
    code = (
        "import torch; "
        "torch.nn.functional.conv2d(torch.ones(1, 64, 56, 56), torch.ones(64, 64, 3, 3), padding=1)"
    )
    env = {**os.environ, "ONEDNN_VERBOSE": "1", "DNNL_VERBOSE": "1"}
    try:
        out = subprocess.run(
            [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"isa:([^\n]+)", out.stdout)
    return m.group(1).strip() if m else None


def app_graph(convs_by_key, instances, gen):
    """The app's fast path, natively: stem conv+bias+ReLU, max-pool, blocks of fused convs and an add, mean, fc."""
    calls = [(inst["role"], make_conv(convs_by_key[inst["key"]], gen)) for inst in instances]
    fc_w = torch.randn(1000, 512, generator=gen) * 0.03
    fc_b = torch.zeros(1000)

    def forward(x):
        i = 0
        role, conv = calls[i]
        assert role == "stem"
        h = F.max_pool2d(conv(x), 3, 2, 1)
        i += 1
        while i < len(calls):
            (_, conv1), (_, conv2) = calls[i], calls[i + 1]
            i += 2
            shortcut = h
            if i < len(calls) and calls[i][0] == "shortcut":
                shortcut = calls[i][1](h)
                i += 1
            h = (conv2(conv1(h)) + shortcut).relu_()
        return F.linear(h.mean((2, 3)), fc_w, fc_b)

    return forward


def main():
    spec = json.load(sys.stdin)
    threads = spec["threads"]
    torch.manual_seed(0)
    torch.set_num_threads(threads)
    gen = torch.Generator().manual_seed(1)
    convs = spec["convs"]
    with torch.no_grad():
        samples = interleaved([make_conv(c, gen) for c in convs], spec["warmup"], spec["runs"])
        one = torch.randn(1, 3, 224, 224, generator=gen)
        forward = app_graph({c["key"]: c for c in convs}, spec["instances"], gen)
        app = timed(lambda: forward(one), 3, spec["networkRuns"])
        model = getattr(torchvision.models, f"resnet{spec['depth']}")().eval()
        tv = timed(lambda: model(one), 3, spec["networkRuns"])
        gemm = None
        if spec["gemm"] > 0:
            gemm_runs = max(3, spec["runs"] // 3)
            gemm = gemm_ceiling(spec["gemm"], 2, gemm_runs)
            torch.set_num_threads(1)
            gemm["oneThread"] = gemm_ceiling(spec["gemm"], 2, gemm_runs)
            torch.set_num_threads(threads)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": threads,
                # ATen's own vectorized kernels (element-wise ops, pooling); convolutions go through oneDNN.
                "cpuCapability": (
                    re.findall(r"CPU capability usage: (\w+)", torch.__config__.show()) or [None]
                )[0],
                "mkldnn": torch.backends.mkldnn.is_available(),
                "onednnIsa": onednn_isa(),
                "convs": [{"key": c["key"], **summarize(s)} for c, s in zip(convs, samples)],
                "appGraph": app,
                "torchvision": tv,
                "gemm": gemm,
            }
        )
    )


if __name__ == "__main__":
    main()
