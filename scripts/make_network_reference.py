#!/usr/bin/env python3
"""Writes PyTorch's view of torchvision's ResNet18/34 for the Network view: counts, and what each block does.

Run: /usr/bin/python3 scripts/make_network_reference.py [--out test-fixtures/reference]

1. src/model/__fixtures__/network.torchvision.json (committed: it depends on the architecture only): per node
   (stem, layerS.B, fc) and per conv / BatchNorm / linear module, the output shape (HWC), the parameters (every
   parameter and BatchNorm's running mean and variance, as Keras counts them; num_batches_tracked left out) and
   the multiply-accumulates of convolutions and the linear layer, measured by forward hooks on the output
   shapes: H_out x W_out x C_out x C_in / groups x k_h x k_w, and in x out.
2. resnetD.blocks.json in the output folder, for the seeded weights scripts/make_reference.py wrote there
   (resnetD.pth) and its photo crop (chelsea-224-rgb.bin): per block, the root mean square of the residual branch
   (bn2's output, before the add), of the shortcut (the block's input, or downsample's output) and of the
   block's output (after the add and the ReLU), from forward hooks, in float64 over float32 activations.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__ (set before importing make_reference)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torchvision  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_reference import CROP_FILE, CROP_SIZE, REPO, input_tensor  # noqa: E402

FIXTURE = REPO / "src" / "model" / "__fixtures__" / "network.torchvision.json"
DEPTHS = (18, 34)


def hwc(shape) -> list:
    """NCHW (or NC) without the batch axis, channels last as the app shows shapes."""
    dims = list(shape)[1:]
    return dims[1:] + dims[:1] if len(dims) == 3 else dims


def count_params(module: torch.nn.Module) -> int:
    tensors = list(module.parameters()) + [b for n, b in module.named_buffers() if not n.endswith("num_batches_tracked")]
    return sum(t.numel() for t in tensors)


def node_of(module_name: str) -> str:
    """stem (conv1, bn1, relu, maxpool), layerS.B, or fc (avgpool, fc)."""
    parts = module_name.split(".")
    if parts[0].startswith("layer"):
        return f"{parts[0]}.{parts[1]}"
    return "fc" if parts[0] in ("avgpool", "fc") else "stem"


def counts(depth: int) -> dict:
    model = getattr(torchvision.models, f"resnet{depth}")().eval()
    layers = []
    node_shapes = {}

    def layer_hook(name):
        def hook(module, inputs, output):
            macs = 0
            if isinstance(module, torch.nn.Conv2d):
                _, c_out, h, w = output.shape
                kh, kw = module.kernel_size
                macs = h * w * c_out * (module.in_channels // module.groups) * kh * kw
            elif isinstance(module, torch.nn.Linear):
                macs = module.in_features * module.out_features
            layers.append({"module": name, "kind": type(module).__name__, "outputShape": hwc(output.shape),
                           "params": count_params(module), "macs": macs})
            node_shapes[node_of(name)] = hwc(output.shape)  # the node's last module is its output
        return hook

    for name, module in model.named_modules():
        if isinstance(module, (torch.nn.Conv2d, torch.nn.BatchNorm2d, torch.nn.Linear, torch.nn.MaxPool2d)):
            module.register_forward_hook(layer_hook(name))
    for stage in range(1, 5):
        for b, block in enumerate(getattr(model, f"layer{stage}")):
            # A block's output is after its final ReLU, which its bn2 hook does not see.
            block.register_forward_hook(lambda m, i, o, key=f"layer{stage}.{b}": node_shapes.__setitem__(key, hwc(o.shape)))
    with torch.no_grad():
        model(torch.zeros(1, 3, CROP_SIZE, CROP_SIZE))

    nodes = {}
    for entry in layers:
        node = nodes.setdefault(node_of(entry["module"]), {"id": node_of(entry["module"]), "params": 0, "macs": 0, "layers": []})
        node["params"] += entry["params"]
        node["macs"] += entry["macs"]
        if entry["kind"] != "MaxPool2d":
            node["layers"].append(entry)
    for node in nodes.values():
        node["outputShape"] = node_shapes[node["id"]]
    total_params = count_params(model)
    assert total_params == sum(n["params"] for n in nodes.values()), "a module fell outside every node"
    return {"totalParams": total_params, "totalMacs": sum(n["macs"] for n in nodes.values()), "nodes": list(nodes.values())}


def rms(t: torch.Tensor) -> float:
    return t.double().pow(2).mean().sqrt().item()


def block_values(depth: int, out: Path) -> dict:
    model = getattr(torchvision.models, f"resnet{depth}")()
    model.load_state_dict(torch.load(out / f"resnet{depth}.pth", map_location="cpu"))
    model = model.float().eval()
    crop = np.frombuffer((out / CROP_FILE).read_bytes(), dtype=np.uint8).reshape(CROP_SIZE, CROP_SIZE, 3)
    blocks = {}
    for stage in range(1, 5):
        for b, block in enumerate(getattr(model, f"layer{stage}")):
            entry = blocks.setdefault(f"layer{stage}.{b}", {})

            def on_block(m, inputs, output, entry=entry):
                entry["outputRms"] = rms(output)
                if m.downsample is None:
                    entry["shortcutRms"] = rms(inputs[0])

            block.register_forward_hook(on_block)
            block.bn2.register_forward_hook(lambda m, i, o, entry=entry: entry.__setitem__("residualRms", rms(o)))
            if block.downsample is not None:
                block.downsample.register_forward_hook(lambda m, i, o, entry=entry: entry.__setitem__("shortcutRms", rms(o)))
    with torch.no_grad():
        model(input_tensor(crop))
    return blocks


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "test-fixtures" / "reference")
    args = parser.parse_args()
    started = time.time()
    torch.set_num_threads(min(4, torch.get_num_threads()))

    fixture = {
        "generatedBy": "scripts/make_network_reference.py",
        "torch": torch.__version__,
        "torchvision": torchvision.__version__,
        "conventions": {
            "params": "parameters plus BatchNorm running_mean and running_var (num_batches_tracked left out)",
            "macs": "Conv2d: H_out*W_out*C_out*C_in/groups*k_h*k_w; Linear: in*out; nothing else",
        },
        "models": {f"resnet{d}": counts(d) for d in DEPTHS},
    }
    FIXTURE.parent.mkdir(parents=True, exist_ok=True)
    FIXTURE.write_text(json.dumps(fixture, indent=1) + "\n")
    for d in DEPTHS:
        model = fixture["models"][f"resnet{d}"]
        print(f"resnet{d}: {model['totalParams']:,} params (with BN statistics), {model['totalMacs']:,} MACs")

    for d in DEPTHS:
        path = args.out / f"resnet{d}.blocks.json"
        payload = {"model": f"resnet{d}", "generatedBy": "scripts/make_network_reference.py", "blocks": block_values(d, args.out)}
        path.write_text(json.dumps(payload, indent=1) + "\n")
        print(f"  wrote {path}")
    print(f"done in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
