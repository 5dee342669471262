#!/usr/bin/env python3
"""Writes a PyTorch reference for feature visualization's gradient step on the seeded ResNet18.

Run: /usr/bin/python3 scripts/make_featvis_reference.py [--out test-fixtures/reference]

Needs resnet18.pth in the output folder (scripts/make_reference.py writes it) and writes featvis.json there: for
Lucid's image parameterization (a 1/f-scaled rfft2d spectrum per decorrelated colour channel, irfft2d, Lucid's
colour correlation matrix, a sigmoid) at 128x128, seeded initial Fourier parameters, one fixed transform (grey
padding, an integer jitter, a scale and a rotation, one bilinear resampling) and torchvision's normalization, the
value of each objective (a layer3 and a layer4 channel's mean activation, a class's logit) and its gradient with
respect to the Fourier parameters [2, 3, 128, 65], divided by its largest magnitude.

Written independently of the TF.js code in src/explain/featureVis/: PyTorch's own irfft2 and grid_sample here,
cosine / sine matrices and gathers there. Only the seeded generator (SplitMix32, Box-Muller) is the same by design,
so both start from the same parameters. Float32 on the CPU, deterministic: the same output on every run.
"""

import argparse
import json
import math
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__ (set before importing make_reference)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_reference import MEAN, REPO, STD  # noqa: E402

WEIGHTS_FILE = "resnet18.pth"
OUT_FILE = "featvis.json"
SIZE = 128  # 224 works the same; 128 keeps the fixture (3 x 49,920 floats) and the test's passes small
SEED = 27
# Fifty times Lucid's initial scale (0.01, a near-grey start): the image then has structure (a standard deviation
# of about 0.12 rather than 0.005), so the sigmoid is exercised away from its linear middle.
STDDEV = 0.5
# Padding 16 makes the network's input 160 = 32 x 5, so every stride-2 layer halves an even size.
TRANSFORM = {"pad": 16, "jitter": [-3, 5], "scale": 1.06, "angle": 7}
OBJECTIVES = [
    {"kind": "channel", "stage": "layer3", "channel": 17},
    {"kind": "channel", "stage": "layer4", "channel": 100},
    {"kind": "class", "classIndex": 309},
]
# Lucid's color_correlation_svd_sqrt (rows R, G, B), divided by its largest column norm.
COLOR_CORRELATION_SVD_SQRT = np.asarray([[0.26, 0.09, 0.02], [0.27, 0.00, -0.05], [0.27, -0.09, 0.03]])
MASK = 0xFFFFFFFF


def seeded_normals(count: int, stddev: float, seed: int) -> np.ndarray:
    """SplitMix32 uniforms (u + 0.5) / 2^32 through Box-Muller in float64, cosine first, rounded to float32 at the end:
    src/explain/featureVis/seededRandom.ts, number for number."""
    state = seed & MASK

    def uniform():
        nonlocal state
        state = (state + 0x9E3779B9) & MASK
        z = state
        z = ((z ^ (z >> 16)) * 0x85EBCA6B) & MASK
        z = ((z ^ (z >> 13)) * 0xC2B2AE35) & MASK
        return (((z ^ (z >> 16)) & MASK) + 0.5) / 4294967296

    out = np.zeros(count, dtype=np.float64)
    for i in range(0, count, 2):
        radius = math.sqrt(-2 * math.log(uniform()))
        angle = 2 * math.pi * uniform()
        out[i] = stddev * radius * math.cos(angle)
        if i + 1 < count:
            out[i + 1] = stddev * radius * math.sin(angle)
    return out.astype(np.float32)


def spectrum_scale(h: int, w: int, decay_power: float = 1.0) -> torch.Tensor:
    """Lucid's fft_image: 1 / max(|f|, 1 / max(h, w))^decay, times sqrt(h w) (a unitary transform)."""
    fy = np.fft.fftfreq(h)[:, None]
    fx = np.fft.fftfreq(w)[: w // 2 + 1]
    freqs = np.sqrt(fx * fx + fy * fy)
    scale = 1.0 / np.maximum(freqs, 1.0 / max(h, w)) ** decay_power * np.sqrt(w * h)
    return torch.from_numpy(scale.astype(np.float32))


def to_image(params: torch.Tensor) -> torch.Tensor:
    """Lucid's fft_image then to_valid_rgb(decorrelate=True, sigmoid=True): [2, 3, h, w/2+1] -> [1, 3, h, w] in [0, 1]."""
    _, _, h, _ = params.shape
    w = h
    spectrum = torch.complex(params[0], params[1]) * spectrum_scale(h, w)
    img = torch.fft.irfft2(spectrum, s=(h, w)) / 4.0  # [3, h, w]; Lucid's fft_image divides by 4
    color = COLOR_CORRELATION_SVD_SQRT / np.max(np.linalg.norm(COLOR_CORRELATION_SVD_SQRT, axis=0))
    flat = img.permute(1, 2, 0).reshape(-1, 3) @ torch.from_numpy(color.T.astype(np.float32))
    return torch.sigmoid(flat).reshape(h, w, 3).permute(2, 0, 1)[None]


def transformed(img: torch.Tensor, pad: int, jitter, scale: float, angle: float) -> torch.Tensor:
    """Output (row i, column j) of an (h + 2 pad)^2 image reads input (x, y) = c_in + R(-angle) (j - c_out - dx,
    i - c_out - dy) / scale bilinearly (pixel centres at integers, c the centres), grey (0.5) outside."""
    _, _, h, w = img.shape
    oh, ow = h + 2 * pad, w + 2 * pad
    dy, dx = jitter
    rows, cols = np.meshgrid(np.arange(oh, dtype=np.float64), np.arange(ow, dtype=np.float64), indexing="ij")
    u = cols - (ow - 1) / 2 - dx
    v = rows - (oh - 1) / 2 - dy
    a = math.radians(angle)
    x = (w - 1) / 2 + (math.cos(a) * u + math.sin(a) * v) / scale
    y = (h - 1) / 2 + (-math.sin(a) * u + math.cos(a) * v) / scale
    # align_corners=False: -1 and 1 are the outer edges of the border pixels, so pixel centre x is (2x + 1) / w - 1.
    grid = np.stack([(2 * x + 1) / w - 1, (2 * y + 1) / h - 1], axis=-1)[None].astype(np.float32)
    sampled = F.grid_sample(img - 0.5, torch.from_numpy(grid), mode="bilinear", padding_mode="zeros", align_corners=False)
    return sampled + 0.5


def normalized(img: torch.Tensor) -> torch.Tensor:
    mean = torch.tensor(MEAN, dtype=torch.float32)[None, :, None, None]
    std = torch.tensor(STD, dtype=torch.float32)[None, :, None, None]
    return (img - mean) / std


def objective_value(model, x: torch.Tensor, objective) -> torch.Tensor:
    if objective["kind"] == "class":
        return model(x)[0, objective["classIndex"]]
    captured = {}
    handle = getattr(model, objective["stage"]).register_forward_hook(
        lambda _m, _i, out: captured.__setitem__("a", out)
    )
    try:
        model(x)
    finally:
        handle.remove()
    return captured["a"][0, objective["channel"]].mean()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "test-fixtures" / "reference")
    args = parser.parse_args()
    started = time.time()
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)

    weights = args.out / WEIGHTS_FILE
    if not weights.exists():
        sys.exit(f"{weights} is missing: run scripts/make_reference.py --out {args.out} first")
    model = torchvision.models.resnet18()
    model.load_state_dict(torch.load(weights, map_location="cpu"))
    model = model.float().eval()
    for p in model.parameters():
        p.requires_grad_(False)

    bins = SIZE // 2 + 1
    shape = (2, 3, SIZE, bins)
    initial = torch.from_numpy(seeded_normals(int(np.prod(shape)), STDDEV, SEED).reshape(shape))

    # The inverse DFT is irfft2d's: checked against numpy's in float64 so that a change in torch would show here.
    spectrum = (initial[0].double() + 1j * initial[1].double()) * spectrum_scale(SIZE, SIZE).double()
    assert np.allclose(torch.fft.irfft2(spectrum, s=(SIZE, SIZE)).numpy(), np.fft.irfft2(spectrum.numpy(), s=(SIZE, SIZE)))

    entries = []
    for objective in OBJECTIVES:
        params = initial.clone().requires_grad_(True)
        image = to_image(params)
        value = objective_value(model, normalized(transformed(image, **TRANSFORM)), objective)
        (gradient,) = torch.autograd.grad(value, params)
        peak = gradient.abs().max().item()
        name = objective.get("stage", "class")
        print(f"{name} {objective.get('channel', objective.get('classIndex'))}: value {value.item():.6f}, "
              f"gradient max |g| {peak:.6g}")
        entries.append({
            **objective,
            "value": value.item(),
            "gradientMaxAbs": peak,
            # 9 significant digits round-trip a float32 exactly.
            "gradient": [float(f"{v:.9g}") for v in (gradient / peak).flatten().tolist()],
        })

    with torch.no_grad():
        image = to_image(initial)
        out = transformed(image, **TRANSFORM)
    payload = {
        "variant": "resnet18",
        "weights": WEIGHTS_FILE,
        "size": SIZE,
        "seed": SEED,
        "stddev": STDDEV,
        "paramShape": list(shape),
        # So the test can tell the two generators apart from the gradients.
        "paramsFirst": [float(f"{v:.9g}") for v in initial.flatten()[:8].tolist()],
        "paramsSum": initial.double().sum().item(),
        "transform": TRANSFORM,
        "imageMean": image.double().mean().item(),
        "imageStd": image.double().std().item(),
        "transformedMean": out.double().mean().item(),
        "objectives": entries,
    }
    path = args.out / OUT_FILE
    path.write_text(json.dumps(payload, allow_nan=False) + "\n")
    print(f"image mean {payload['imageMean']:.4f}, std {payload['imageStd']:.4f}")
    print(f"  wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path} ({path.stat().st_size:,} bytes)")
    print(f"done in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
