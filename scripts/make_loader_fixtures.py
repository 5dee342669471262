#!/usr/bin/env python3
"""Regenerates the tiny weight-file fixtures in src/model/weights/__fixtures__/.

Run: /usr/bin/python3 scripts/make_loader_fixtures.py
Deterministic: the same PyTorch version produces byte-identical files, except legacy.pth, whose
legacy-format storage keys are memory addresses (the loader only looks at its first bytes).

The malicious fixtures are only ever *pickled* here (which records a reference to os.system etc.
without calling it). Never unpickle them in Python.
"""

import collections
import io
import json
import math
import os
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import torch

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__
sys.path.insert(0, str(Path(__file__).resolve().parent))
from safetensors_io import encode_safetensors  # noqa: E402

OUT = Path(__file__).resolve().parent.parent / "src" / "model" / "weights" / "__fixtures__"
ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def json_floats(tensor):
    """Flat C-order values; non-finite values as strings because JSON has no inf/nan."""
    out = []
    for value in tensor.detach().float().flatten().tolist():
        if math.isnan(value):
            out.append("nan")
        elif math.isinf(value):
            out.append("inf" if value > 0 else "-inf")
        else:
            out.append(value)
    return out


def describe(tensors):
    return {
        name: {"dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16"}[t.dtype],
               "shape": list(t.shape), "values": json_floats(t)}
        for name, t in tensors.items()
        if t.is_floating_point()
    }


def write(name, blob):
    (OUT / name).write_bytes(blob)
    print(f"  {name:32s} {len(blob):7d} bytes")


def torch_save_bytes(obj, stem, **kwargs):
    # The zip's record prefix is the file's stem, so save under the final name.
    path = OUT / f"{stem}.pth"
    torch.save(obj, path, **kwargs)
    return path.read_bytes()


def make_zip(entries):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in entries:
            archive.writestr(zipfile.ZipInfo(name, ZIP_EPOCH), data)
    return buffer.getvalue()


def rezip_with(original, extra_entries):
    """Copies a torch.save zip and appends records (e.g. a byteorder file)."""
    with zipfile.ZipFile(io.BytesIO(original)) as source:
        entries = [(info.filename, source.read(info)) for info in source.infolist()]
    return make_zip(entries + extra_entries)


class CallsOsSystem:
    def __reduce__(self):
        return (os.system, ("echo pwned",))


class CallsPopen:
    def __reduce__(self):
        return (subprocess.Popen, (["echo", "pwned"],))


class CallsEval:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("__import__('os').system('echo pwned')",))


def safetensors_fixtures():
    half = torch.tensor(
        [1.0, -2.0, 0.5, 65504.0, 6.103515625e-05, 5.960464477539063e-08, math.inf, -math.inf, math.nan, -0.0, 1 / 3],
        dtype=torch.float16,
    )
    floats = torch.tensor([[0.0, 1.5, -2.25], [3.4028234663852886e38, 1e-45, -0.1]], dtype=torch.float32)
    bfloats = torch.tensor([[1.0, -2.0], [math.pi, 1e38], [-math.inf, 9.18355e-41]], dtype=torch.bfloat16)
    tensors = collections.OrderedDict(
        [
            # 11 halves = 22 bytes, so the F32 tensor after it starts at a non-4-aligned offset.
            ("half", half),
            ("float", floats),
            ("bfloat", bfloats),
            ("empty", torch.zeros(0, 3)),
            ("bn1.num_batches_tracked", torch.tensor(42)),
        ]
    )
    mixed = encode_safetensors(tensors.items(), metadata={"format": "pt"})
    write("mixed.safetensors", mixed)
    write("mixed.expected.json", (json.dumps(describe(tensors), indent=1) + "\n").encode())
    write("truncated.safetensors", mixed[:-10])
    # Header length field says 1 MB in a file of a few hundred bytes.
    write("lying-header.safetensors", struct.pack("<Q", 1_000_000) + mixed[8:])
    write("int32.safetensors", encode_safetensors([("weird", torch.tensor([1, 2], dtype=torch.int32))]))


def pytorch_fixtures():
    generator = torch.Generator().manual_seed(1234)
    base = torch.arange(60, dtype=torch.float32) * 0.5 - 7
    grid = base.reshape(5, 12)
    state = collections.OrderedDict(
        [
            ("conv.weight", torch.randn(2, 3, 2, 2, generator=generator)),
            ("fc.weight", torch.randn(3, 4, generator=generator).t()),  # stride (1, 4)
            ("slice", base[5:11]),  # storage offset 5
            ("shared", base[0:4]),  # same storage as "slice" and "strided"
            ("strided", grid[1::2, 2::3]),  # offset 14, stride (24, 3)
            ("expanded", torch.tensor([1.0, 2.0, 3.0]).expand(2, 3)),  # stride (0, 1)
            ("nhwc", torch.randn(2, 3, 4, 5, generator=generator).permute(0, 2, 3, 1)),
            ("half", torch.randn(3, 2, generator=generator).half().t()),
            ("bf16", torch.randn(3, generator=generator).bfloat16()),
            ("scalar", torch.tensor(2.5)),
            ("param", torch.nn.Parameter(torch.tensor([[1.0, 2.0], [3.0, 4.0]]))),
            ("bn.num_batches_tracked", torch.tensor(7)),
        ]
    )
    assert not state["fc.weight"].is_contiguous() and state["strided"].storage_offset() == 14

    small = torch_save_bytes(state, "small")
    write("small.pth", small)
    write("small.expected.json", (json.dumps(describe(state), indent=1) + "\n").encode())
    write("truncated.pth", small[: len(small) // 2])
    write("big-endian.pth", rezip_with(small, [("small/byteorder", b"big")]))
    write("byteorder-little.pth", rezip_with(small, [("small/byteorder", b"little")]))

    weights = collections.OrderedDict([("w", torch.tensor([1.0, 2.0])), ("b", torch.tensor([[3.0]]))])
    wrapped = {"epoch": 3, "arch": "resnet18", "best_acc1": 0.75, "state_dict": weights}
    write("checkpoint-state-dict.pth", torch_save_bytes(wrapped, "checkpoint-state-dict"))
    write("checkpoint-model.pth", torch_save_bytes({"model": weights, "epoch": 1}, "checkpoint-model"))
    write("legacy.pth", torch_save_bytes(weights, "legacy", _use_new_zipfile_serialization=False))
    write("int32.pth", torch_save_bytes({"counts": torch.tensor([1, 2], dtype=torch.int32)}, "int32"))

    # Pickling records a reference to the callable; nothing runs. These must never be torch.load'ed.
    write("evil-os-system.pth", torch_save_bytes(CallsOsSystem(), "evil-os-system"))
    evil_after_tensor = collections.OrderedDict([("ok", torch.ones(2)), ("bad", CallsPopen())])
    write("evil-popen.pth", torch_save_bytes(evil_after_tensor, "evil-popen"))
    # Protocol 4 reaches globals through STACK_GLOBAL rather than GLOBAL.
    import pickle
    write("evil-eval-proto4.pth", make_zip([
        ("archive/data.pkl", pickle.dumps(CallsEval(), protocol=4)),
        ("archive/version", b"3\n"),
    ]))
    write("torchscript.pt", make_zip([
        ("model/data.pkl", pickle.dumps({}, protocol=2)),
        ("model/constants.pkl", pickle.dumps((), protocol=2)),
        ("model/code/__torch__.py", b"class Model(Module):\n  pass\n"),
        ("model/version", b"3\n"),
    ]))


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    torch.manual_seed(0)
    print(f"writing loader fixtures to {OUT} (torch {torch.__version__})")
    safetensors_fixtures()
    pytorch_fixtures()


if __name__ == "__main__":
    main()
