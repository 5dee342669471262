"""Minimal safetensors writer (the `safetensors` package is not available here).

Layout: u64 little-endian header length N, N bytes of JSON header padded with spaces to a multiple
of 8 (so the data section starts 8-aligned, as the reference implementation does), then the raw
little-endian C-order bytes of each tensor in the order given.
"""

import json
import struct
import sys

import torch

DTYPE_NAMES = {
    torch.float32: "F32",
    torch.float16: "F16",
    torch.bfloat16: "BF16",
    torch.float64: "F64",
    torch.int64: "I64",
    torch.int32: "I32",
    torch.int16: "I16",
    torch.int8: "I8",
    torch.uint8: "U8",
    torch.bool: "BOOL",
}


def tensor_bytes(tensor: torch.Tensor) -> bytes:
    tensor = tensor.detach().cpu().contiguous()
    if tensor.dtype == torch.bfloat16:
        # numpy has no bfloat16; reinterpreting the bits as int16 keeps them exactly.
        tensor = tensor.view(torch.int16)
    return tensor.numpy().tobytes()


def encode_safetensors(tensors, metadata=None, header_pad_to=8) -> bytes:
    """tensors: iterable of (name, torch.Tensor); returns the file bytes."""
    assert sys.byteorder == "little", "tobytes() would write big-endian data"
    header = {}
    chunks = []
    offset = 0
    for name, tensor in tensors:
        data = tensor_bytes(tensor)
        header[name] = {
            "dtype": DTYPE_NAMES[tensor.dtype],
            "shape": list(tensor.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    if metadata is not None:
        header["__metadata__"] = metadata
    header_bytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    header_bytes += b" " * (-len(header_bytes) % header_pad_to)
    return struct.pack("<Q", len(header_bytes)) + header_bytes + b"".join(chunks)


def save_safetensors(path, tensors, metadata=None) -> int:
    blob = encode_safetensors(tensors, metadata)
    with open(path, "wb") as f:
        f.write(blob)
    return len(blob)
