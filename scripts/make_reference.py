#!/usr/bin/env python3
"""Writes PyTorch reference weights and outputs for torchvision's ResNet18/34.

Run: /usr/bin/python3 scripts/make_reference.py [--out test-fixtures/reference]

The weights are random but fixed (seeded), with every BatchNorm parameter and buffer randomised
so that swapping gamma/beta or mean/var changes the output, and the classifier scaled so the
softmax is far from saturated. Outputs are byte-identical across runs with the same PyTorch.

Writes, per depth D in (18, 34):
  resnetD.safetensors           F32, the 4 * (params + BN buffers); num_batches_tracked left out
  resnetD.pth                   torch.save(model.state_dict()), zip format, the full state dict
  resnetD.reference.json        logits, softmax, top-5 and per-stage activation statistics
and resnet18-f16.safetensors / resnet18-bf16.safetensors (same weights, rounded) for loader tests, and
chelsea-224-rgb.bin: the 224x224 crop the models saw, raw uint8 RGB, row-major HWC (150,528 bytes).
Makes e2e/fixtures/chelsea-256.png, the input photo, if it is missing.
"""

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torchvision
from PIL import Image

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
from safetensors_io import save_safetensors  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CHELSEA = Path("/usr/lib/python3/dist-packages/skimage/data/chelsea.png")
PHOTO = REPO / "e2e" / "fixtures" / "chelsea-256.png"
PHOTO_SIZE = 256
CROP_SIZE = 224
MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]
TARGET_LOGIT_STD = 3.0
STAGES = ["stem", "layer1", "layer2", "layer3", "layer4"]
SEEDS = {18: 18, 34: 34}
CROP_FILE = "chelsea-224-rgb.bin"


def make_photo() -> Image.Image:
    """Shorter side to 256 (PIL bilinear, which antialiases when shrinking), then a centre crop."""
    image = Image.open(CHELSEA).convert("RGB")
    width, height = image.size
    scale = PHOTO_SIZE / min(width, height)
    resized = image.resize((round(width * scale), round(height * scale)), Image.BILINEAR)
    left = (resized.width - PHOTO_SIZE) // 2
    top = (resized.height - PHOTO_SIZE) // 2
    photo = resized.crop((left, top, left + PHOTO_SIZE, top + PHOTO_SIZE))
    PHOTO.parent.mkdir(parents=True, exist_ok=True)
    photo.save(PHOTO, optimize=False)
    return photo


def input_crop() -> np.ndarray:
    """Reads the PNG back (exactly what the browser decodes) and centre-crops 224 without resampling: HWC uint8."""
    pixels = np.asarray(Image.open(PHOTO).convert("RGB"), dtype=np.uint8)
    offset = (PHOTO_SIZE - CROP_SIZE) // 2  # 16
    return np.ascontiguousarray(pixels[offset : offset + CROP_SIZE, offset : offset + CROP_SIZE])


def input_tensor(crop: np.ndarray) -> torch.Tensor:
    scaled = crop.astype(np.float32) / 255.0
    normalized = (scaled - np.array(MEAN, dtype=np.float32)) / np.array(STD, dtype=np.float32)
    return torch.from_numpy(np.ascontiguousarray(normalized.transpose(2, 0, 1)))[None]


def build_model(depth: int) -> torch.nn.Module:
    torch.manual_seed(SEEDS[depth])
    model = getattr(torchvision.models, f"resnet{depth}")()
    generator = torch.Generator().manual_seed(1000 + depth)
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                channels = module.num_features
                module.weight.copy_(torch.rand(channels, generator=generator) + 0.5)
                module.bias.copy_(torch.randn(channels, generator=generator) * 0.1)
                module.running_mean.copy_(torch.randn(channels, generator=generator) * 0.1)
                module.running_var.copy_(torch.rand(channels, generator=generator) + 0.5)
        model.fc.bias.copy_(torch.randn(model.fc.out_features, generator=generator) * 0.1)
    return model.eval()


def stage_outputs(model, x):
    outputs = {}
    with torch.no_grad():
        h = model.maxpool(model.relu(model.bn1(model.conv1(x))))
        outputs["stem"] = h
        for name in STAGES[1:]:
            h = getattr(model, name)(h)
            outputs[name] = h
        logits = model.fc(torch.flatten(model.avgpool(h), 1))
    return outputs, logits[0]


def sample_positions(channels, height, width):
    """Corners, an off-diagonal interior point, and channels spread out: a transposed layout can't match."""
    positions = []
    for c in sorted({0, 1, channels // 3, min(channels - 1, (2 * channels) // 3 + 1), channels - 1}):
        for y, x in [(0, 0), (0, width - 1), (height - 1, 0), (height - 1, width - 1), (height // 2, width // 3 + 1), (1, width // 2)]:
            positions.append((c, y, x))
    return positions


def stage_summary(activation: torch.Tensor):
    a = activation[0].double()
    channels, height, width = a.shape
    return {
        "shape": list(activation.shape),
        "layout": "NCHW",
        "mean": a.mean().item(),
        "std": a.std().item(),
        "channelMeans": a.mean(dim=(1, 2)).tolist(),
        "samples": [{"c": c, "y": y, "x": x, "value": a[c, y, x].item()} for c, y, x in sample_positions(channels, height, width)],
        # Fixed positions often land on ReLU zeros; the largest values are never zero and pin the layout.
        "largest": [
            {"c": int(c), "y": int(y), "x": int(x), "value": a[c, y, x].item()}
            for c, y, x in (np.unravel_index(i, a.shape) for i in torch.topk(a.flatten(), 10).indices.tolist())
        ],
    }


def write_json(path: Path, payload):
    path.write_text(json.dumps(payload, indent=1) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "test-fixtures" / "reference")
    args = parser.parse_args()
    started = time.time()
    torch.set_num_threads(min(4, torch.get_num_threads()))
    args.out.mkdir(parents=True, exist_ok=True)
    written = []

    def record(path: Path):
        written.append(path)

    # The photo is committed; it is only remade (from scikit-image's data) when missing, so CI needs no skimage.
    if not PHOTO.exists():
        make_photo()
        record(PHOTO)
    crop = input_crop()
    # The exact pixels the model sees, so Node tests feed the same input without a PNG decoder.
    (args.out / CROP_FILE).write_bytes(crop.tobytes())
    record(args.out / CROP_FILE)
    x = input_tensor(crop)

    for depth in (18, 34):
        model = build_model(depth)
        # Scale the classifier so the logits have a fixed spread on this photo: informative softmax.
        _, raw_logits = stage_outputs(model, x)
        scale = TARGET_LOGIT_STD / raw_logits.std().item()
        with torch.no_grad():
            model.fc.weight.mul_(scale)
            model.fc.bias.mul_(scale)
        outputs, logits = stage_outputs(model, x)

        state = model.state_dict()
        weights = [(name, t) for name, t in state.items() if not name.endswith("num_batches_tracked")]
        stem = f"resnet{depth}"
        save_safetensors(args.out / f"{stem}.safetensors", weights, metadata={"format": "pt"})
        record(args.out / f"{stem}.safetensors")
        torch.save(state, args.out / f"{stem}.pth")
        record(args.out / f"{stem}.pth")
        if depth == 18:
            for dtype, suffix in ((torch.float16, "f16"), (torch.bfloat16, "bf16")):
                path = args.out / f"{stem}-{suffix}.safetensors"
                save_safetensors(path, [(n, t.to(dtype)) for n, t in weights], metadata={"format": "pt"})
                record(path)

        logits64 = logits.double()
        probabilities = torch.softmax(logits64, dim=0)
        top5 = torch.topk(probabilities, 5)
        reference = {
            "model": stem,
            "generatedBy": "scripts/make_reference.py",
            "torch": torch.__version__,
            "torchvision": torchvision.__version__,
            "weights": {"seed": SEEDS[depth], "fcScale": scale, "tensorCount": len(weights)},
            "input": {
                "image": str(PHOTO.relative_to(REPO)),
                "crop": {"offset": (PHOTO_SIZE - CROP_SIZE) // 2, "size": CROP_SIZE},
                "mean": MEAN,
                "std": STD,
                "tensor": stage_summary(x),
            },
            "logits": logits.tolist(),
            "logitsStd": logits64.std().item(),
            "probabilities": probabilities.tolist(),
            "top5": {"indices": top5.indices.tolist(), "probabilities": top5.values.tolist()},
            "stageDefinitions": {
                "stem": "maxpool(relu(bn1(conv1(x))))",
                "layerN": "output of torchvision's model.layerN (after the last block's residual add and ReLU)",
            },
            "stages": {name: stage_summary(outputs[name]) for name in STAGES},
        }
        write_json(args.out / f"{stem}.reference.json", reference)
        record(args.out / f"{stem}.reference.json")
        print(f"{stem}: logits std {reference['logitsStd']:.3f}, top-5 {top5.indices.tolist()} "
              f"p={[round(p, 4) for p in top5.values.tolist()]}")

    for path in written:
        print(f"  wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path} ({path.stat().st_size:,} bytes)")
    print(f"done in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
