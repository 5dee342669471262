#!/usr/bin/env python3
"""Writes an independent PyTorch reference for the attribution (explanation) methods on ResNet18.

Run: /usr/bin/python3 scripts/make_explain_reference.py [--out test-fixtures/reference]

Needs resnet18.pth and chelsea-224-rgb.bin in the output folder (scripts/make_reference.py writes them) and
writes resnet18.explain.json there: for the top-1 class c of the photo, the maps of CAM (layer4), Grad-CAM,
Grad-CAM++, LayerCAM, Score-CAM (layer3), occlusion (patch 32 / stride 16) and integrated gradients (32 midpoint
steps, black baseline), each divided by its maximum; integrated gradients' completeness; and the deletion / insertion
curves (Petsiuk et al. 2018) of the layer4 Grad-CAM map with their AUCs. Under "halfSize", the same perturbation
methods on the photo at half size (the crop 2x2 average pooled): Score-CAM at layer3 (and at layer4 on the photo at a
quarter size), occlusion (32 / 16 and 56 / 28), integrated gradients, and the curves of the layer4 Grad-CAM map (with the map), for the unit tests, at
a fraction of the passes' cost.

The definitions are the ones the TF.js implementation follows, word for word; each function below says which.
Everything runs in float32 on the CPU, seeded and deterministic, so the output is the same on every run.
"""

import argparse
import json
import sys
import time
from pathlib import Path

sys.dont_write_bytecode = True  # keep scripts/ free of __pycache__ (set before importing make_reference)

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
import torchvision  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_reference import CROP_FILE, CROP_SIZE, MEAN, REPO, STD, input_tensor  # noqa: E402

WEIGHTS_FILE = "resnet18.pth"
OUT_FILE = "resnet18.explain.json"
STAGES = ["layer3", "layer4"]
OCCLUSIONS = [{"patch": 32, "stride": 16}, {"patch": 56, "stride": 28}]
IG_STEPS = 32
FAITHFULNESS_STEPS = 32
BLUR_SIZE = 11
BLUR_SIGMA = 5.0
BATCH = 32  # masked / occluded / perturbed inputs per forward pass (no gradients)
HALF_SIZE = 112  # the unit tests' photo size for the perturbation methods: the crop 2x2 average pooled
QUARTER_SIZE = 56  # Score-CAM at layer4 in the unit tests: the crop 4x4 average pooled
GRAD_BATCH = 8  # interpolated inputs per forward + backward pass (keeps memory modest)


# ---------------------------------------------------------------- model, input and the shared forward passes


def load_model(path: Path) -> torch.nn.Module:
    model = torchvision.models.resnet18()
    model.load_state_dict(torch.load(path, map_location="cpu"))
    return model.float().eval()


def load_input(path: Path) -> torch.Tensor:
    """The 224x224 uint8 RGB crop, normalized exactly as make_reference.py does: NCHW float32 [1, 3, 224, 224]."""
    crop = np.frombuffer(path.read_bytes(), dtype=np.uint8).reshape(CROP_SIZE, CROP_SIZE, 3)
    return input_tensor(crop)


def forward_with_stages(model, x):
    """Logits and the layer3 / layer4 outputs (after each stage's last ReLU), captured by forward hooks."""
    activations = {}
    handles = [
        getattr(model, name).register_forward_hook(lambda _m, _i, out, name=name: activations.__setitem__(name, out))
        for name in STAGES
    ]
    try:
        logits = model(x)
    finally:
        for handle in handles:
            handle.remove()
    return logits, activations


@torch.no_grad()
def class_probabilities(model, inputs: torch.Tensor, c: int) -> torch.Tensor:
    """softmax(model(input))[c] for each input, BATCH at a time."""
    return torch.cat([torch.softmax(model(chunk), dim=1)[:, c] for chunk in inputs.split(BATCH)])


def normalized(values: torch.Tensor) -> torch.Tensor:
    """Divided by the maximum, as every exported map is; a map whose maximum is <= 0 is left as it is."""
    peak = values.max()
    return values / peak if peak > 0 else values


def map_entry(method: str, stage: str, values: torch.Tensor, options=None):
    values = normalized(values.detach().float())
    height, width = values.shape
    entry = {
        "method": method,
        "stage": stage,
        "height": height,
        "width": width,
        # 9 significant digits round-trip a float32 exactly, at half the size of a double's repr.
        "values": [float(f"{v:.9g}") for v in values.flatten().tolist()],
    }
    if options is not None:
        entry["options"] = options
    return entry


# ---------------------------------------------------------------- the methods (A: [K, h, w], g = d score / d A)


def cam(A: torch.Tensor, fc_weight: torch.Tensor, c: int) -> torch.Tensor:
    """CAM: sum_k fcW[c, k] A_k. No ReLU: its spatial mean plus the bias is the logit itself."""
    return torch.einsum("k,khw->hw", fc_weight[c], A)


def grad_cam(A: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Grad-CAM: w_k = mean_ij g_k; ReLU(sum_k w_k A_k)."""
    weights = g.mean(dim=(1, 2))
    return torch.relu(torch.einsum("k,khw->hw", weights, A))


def grad_cam_pp(A: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Grad-CAM++: alpha = g^2 / (2 g^2 + S_k g^3), S_k = sum_ij A_k, and alpha = 0 where g or the denominator is 0
    (no epsilon, so the two implementations agree exactly where the definition is defined); w_k = sum_ij alpha ReLU(g).
    """
    S = A.sum(dim=(1, 2), keepdim=True)
    g2 = g * g
    denominator = 2 * g2 + S * g2 * g
    defined = (g != 0) & (denominator != 0)
    # Divide by 1 where undefined so no inf/NaN appears even in the discarded branch.
    safe_denominator = torch.where(defined, denominator, torch.ones_like(denominator))
    alpha = torch.where(defined, g2 / safe_denominator, torch.zeros_like(g))
    weights = (alpha * torch.relu(g)).sum(dim=(1, 2))
    return torch.relu(torch.einsum("k,khw->hw", weights, A))


def grad_cam_pp_eps(A: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """Grad-CAM++ as pytorch-grad-cam's GradCAMPlusPlus computes it (its grad_cam_plusplus.py, written out here since
    the package is not installable offline): alpha = g^2 / (2 g^2 + S_k g^3 + 1e-6), alpha = 0 where g = 0;
    w_k = sum_ij alpha ReLU(g); the map is ReLU(sum_k w_k A_k) (BaseCAM's ReLU).
    """
    S = A.sum(dim=(1, 2), keepdim=True)
    g2 = g * g
    alpha = g2 / (2 * g2 + S * g2 * g + 1e-6)
    alpha = torch.where(g != 0, alpha, torch.zeros_like(alpha))
    weights = (torch.relu(g) * alpha).sum(dim=(1, 2))
    return torch.relu(torch.einsum("k,khw->hw", weights, A))


def layer_cam(A: torch.Tensor, g: torch.Tensor) -> torch.Tensor:
    """LayerCAM: ReLU(sum_k ReLU(g_k) * A_k), a weight per position rather than per channel."""
    return torch.relu((torch.relu(g) * A).sum(dim=0))


@torch.no_grad()
def score_cam(model, x: torch.Tensor, A: torch.Tensor, c: int) -> torch.Tensor:
    """Score-CAM: each channel, bilinearly upsampled and min-max scaled to [0, 1] (all zeros when flat), masks the
    normalized input; w_k = softmax(model(x * mask_k))[c]; ReLU(sum_k w_k A_k)."""
    size = x.shape[-2:]
    weights = []
    for channels in A.split(BATCH):
        up = F.interpolate(channels[None], size=size, mode="bilinear", align_corners=False)[0]  # [b, 224, 224]
        low = up.amin(dim=(1, 2), keepdim=True)
        high = up.amax(dim=(1, 2), keepdim=True)
        flat = high == low
        span = torch.where(flat, torch.ones_like(high), high - low)  # 1 where flat: no 0/0 even where discarded
        masks = torch.where(flat, torch.zeros_like(up), (up - low) / span)
        masked = x * masks[:, None]  # [b, 3, 224, 224]: the mask broadcast over the colour channels
        weights.append(torch.softmax(model(masked), dim=1)[:, c])
    weights = torch.cat(weights)
    return torch.relu(torch.einsum("k,khw->hw", weights, A))


def occlusion_corners(size: int, patch: int, stride: int):
    return list(range(0, size - patch + 1, stride))


@torch.no_grad()
def occlusion(model, x: torch.Tensor, c: int, p_x: float, patch: int, stride: int) -> torch.Tensor:
    """map[i, j] = p(x) - p(x with the patch at row i, column j zeroed); zero in normalized space is the mean
    colour. No ReLU: a patch whose removal raises the probability shows as negative."""
    rows = occlusion_corners(x.shape[2], patch, stride)
    cols = occlusion_corners(x.shape[3], patch, stride)
    occluded = x.repeat(len(rows) * len(cols), 1, 1, 1)
    for n, (y0, x0) in enumerate((y0, x0) for y0 in rows for x0 in cols):
        occluded[n, :, y0 : y0 + patch, x0 : x0 + patch] = 0
    return (p_x - class_probabilities(model, occluded, c)).reshape(len(rows), len(cols))


def black_baseline(x: torch.Tensor) -> torch.Tensor:
    """The normalized black image, (0 - mean) / std per channel, the same shape as x."""
    mean = torch.tensor(MEAN, dtype=torch.float32)[None, :, None, None]
    std = torch.tensor(STD, dtype=torch.float32)[None, :, None, None]
    return ((0 - mean) / std).expand_as(x).contiguous()


def integrated_gradients(model, x: torch.Tensor, c: int, steps: int):
    """Midpoint rule, alpha_k = (k + 0.5) / steps: avg_grad = mean_k d score / d input at x' + alpha_k (x - x');
    attribution = (x - x') * avg_grad summed over the colour channels. Returns (map, score(x'))."""
    baseline = black_baseline(x)
    alphas = (torch.arange(steps, dtype=torch.float32) + 0.5) / steps
    path = baseline + alphas[:, None, None, None] * (x - baseline)  # [steps, 3, 224, 224]
    grad_sum = torch.zeros_like(x)
    for chunk in path.split(GRAD_BATCH):
        chunk = chunk.clone().requires_grad_(True)
        # Eval-mode BatchNorm keeps the samples independent, so the gradient of the summed score is per sample.
        (grad,) = torch.autograd.grad(model(chunk)[:, c].sum(), chunk)
        grad_sum += grad.sum(dim=0, keepdim=True)
    avg_grad = grad_sum / steps
    attribution = ((x - baseline) * avg_grad).sum(dim=1)[0]
    with torch.no_grad():
        baseline_score = model(baseline)[0, c].item()
    return attribution, baseline_score


def gaussian_blur(x: torch.Tensor) -> torch.Tensor:
    """Depthwise 11x11 Gaussian (sigma 5), zero padding 5: the insertion curve's starting image."""
    i = np.arange(BLUR_SIZE, dtype=np.float64)
    g = np.exp(-((i - BLUR_SIZE // 2) ** 2) / (2 * BLUR_SIGMA**2))
    g /= g.sum()
    kernel = torch.from_numpy(np.outer(g, g).astype(np.float32))
    with torch.no_grad():
        return F.conv2d(x, kernel.expand(3, 1, BLUR_SIZE, BLUR_SIZE), padding=BLUR_SIZE // 2, groups=3)


def auc(curve) -> float:
    """Trapezoid rule over x in [0, 1] with equal steps."""
    n = len(curve) - 1
    return (sum(curve) - (curve[0] + curve[-1]) / 2) / n


@torch.no_grad()
def faithfulness(model, x: torch.Tensor, c: int, saliency_map: torch.Tensor, steps: int):
    """Deletion: zero the most salient pixels (all 3 channels) of x; insertion: put them back into a blurred x.
    Pixels ranked by the map bilinearly upsampled to the input, ties by ascending pixel index (stable sort)."""
    height, width = x.shape[-2:]
    saliency = F.interpolate(saliency_map[None, None], size=(height, width), mode="bilinear", align_corners=False)[0, 0]
    order = torch.from_numpy(np.argsort(-saliency.flatten().numpy(), kind="stable"))
    total = height * width
    blurred = gaussian_blur(x)
    deleted, inserted = [], []
    for t in range(steps + 1):
        chosen = torch.zeros(total, dtype=torch.bool)
        chosen[order[: t * total // steps]] = True
        chosen = chosen.reshape(1, 1, height, width)
        deleted.append(torch.where(chosen, torch.zeros_like(x), x))
        inserted.append(torch.where(chosen, x, blurred))
    deletion = class_probabilities(model, torch.cat(deleted), c).tolist()
    insertion = class_probabilities(model, torch.cat(inserted), c).tolist()
    return deletion, insertion


def integrated_gradients_entry(model, x: torch.Tensor, c: int, score: float, maps: list, extra: dict) -> dict:
    """Integrated gradients' map (appended to maps, with extra's fields) and its completeness figures."""
    tick = time.time()
    attribution, baseline_score = integrated_gradients(model, x, c, IG_STEPS)
    maps.append({**map_entry("ig", "input", attribution), **extra})
    attribution_sum = attribution.sum().item()
    score_difference = score - baseline_score
    print(f"integrated gradients, {x.shape[-1]} px: sum {attribution_sum:.6f}, score(x) - score(x') "
          f"{score_difference:.6f}, ratio {attribution_sum / score_difference:.4f} in {time.time() - tick:.1f} s")
    return {"steps": IG_STEPS, "attributionSum": attribution_sum, "scoreDifference": score_difference}


def faithfulness_entry(model, x: torch.Tensor, c: int, p_x: float, gradcam4: torch.Tensor) -> dict:
    """The deletion and insertion curves of the layer4 Grad-CAM map, with their AUCs."""
    tick = time.time()
    deletion, insertion = faithfulness(model, x, c, gradcam4, FAITHFULNESS_STEPS)
    # Nothing deleted and everything inserted are both x itself.
    assert abs(deletion[0] - p_x) < 1e-5 and abs(insertion[-1] - p_x) < 1e-5, (deletion[0], insertion[-1], p_x)
    deletion_auc, insertion_auc = auc(deletion), auc(insertion)
    print(f"faithfulness (gradcam layer4), {x.shape[-1]} px: deletion AUC {deletion_auc:.6f}, insertion AUC "
          f"{insertion_auc:.6f} in {time.time() - tick:.1f} s")
    return {
        "method": "gradcam",
        "stage": "layer4",
        "steps": FAITHFULNESS_STEPS,
        "deletion": deletion,
        "insertion": insertion,
        "deletionAuc": deletion_auc,
        "insertionAuc": insertion_auc,
    }


# ---------------------------------------------------------------- checks and the driver


def by_hand_grad_cam(A: torch.Tensor, g: torch.Tensor) -> np.ndarray:
    """Grad-CAM again in float64 numpy loops over channels: a second reading of the definition."""
    A64, g64 = A.double().numpy(), g.double().numpy()
    total = np.zeros(A64.shape[1:])
    for k in range(A64.shape[0]):
        total += g64[k].mean() * A64[k]
    return np.maximum(total, 0)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO / "test-fixtures" / "reference")
    args = parser.parse_args()
    started = time.time()
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(2)

    for name in (WEIGHTS_FILE, CROP_FILE):
        if not (args.out / name).exists():
            sys.exit(f"{args.out / name} is missing: run scripts/make_reference.py --out {args.out} first")
    model = load_model(args.out / WEIGHTS_FILE)
    x = load_input(args.out / CROP_FILE)

    logits, activations = forward_with_stages(model, x)
    c = int(logits[0].argmax())
    score = logits[0, c]
    p_x = torch.softmax(logits.detach(), dim=1)[0, c].item()
    stage_A = [activations[name] for name in STAGES]
    stage_g = torch.autograd.grad(score, stage_A)
    A = {name: a[0].detach() for name, a in zip(STAGES, stage_A)}
    g = {name: grad[0].detach() for name, grad in zip(STAGES, stage_g)}
    score = score.item()
    fc_weight = model.fc.weight.detach()
    fc_bias = model.fc.bias.detach()
    shapes = ", ".join(f"{name} {list(A[name].shape)}" for name in STAGES)
    print(f"class {c}: score {score:.6f}, p {p_x:.6f}; {shapes}")

    maps = []
    cam4 = cam(A["layer4"], fc_weight, c)
    # Global average pooling then fc: the logit is CAM's spatial mean plus the bias.
    assert abs(cam4.mean().item() + fc_bias[c].item() - score) < 1e-4, "CAM mean + bias != score"
    # Through the average pool, d score / d A4 is fcW[c, k] / (h w) at every position.
    h4, w4 = A["layer4"].shape[1:]
    assert torch.allclose(g["layer4"], (fc_weight[c] / (h4 * w4))[:, None, None].expand_as(g["layer4"]), atol=1e-7)
    maps.append(map_entry("cam", "layer4", cam4))

    gradcam = {}
    for stage in STAGES:
        gradcam[stage] = grad_cam(A[stage], g[stage])
        assert np.allclose(gradcam[stage].numpy(), by_hand_grad_cam(A[stage], g[stage]), rtol=1e-4, atol=1e-6), stage
        maps.append(map_entry("gradcam", stage, gradcam[stage]))
    # At layer4 the gradient is fcW / (h w), so Grad-CAM is ReLU(CAM) / (h w).
    assert torch.allclose(gradcam["layer4"], torch.relu(cam4) / (h4 * w4), rtol=1e-4, atol=1e-6)
    for stage in STAGES:
        maps.append(map_entry("gradcampp", stage, grad_cam_pp(A[stage], g[stage])))
    for stage in STAGES:
        maps.append(map_entry("gradcampp-eps", stage, grad_cam_pp_eps(A[stage], g[stage])))
    for stage in STAGES:
        maps.append(map_entry("layercam", stage, layer_cam(A[stage], g[stage])))
    # The browser test's maps, at full size: Score-CAM at layer3 (one pass per channel), occlusion at the app's
    # default patch and stride, integrated gradients and the curves of the layer4 Grad-CAM map.
    tick = time.time()
    maps.append(map_entry("scorecam", "layer3", score_cam(model, x, A["layer3"], c)))
    print(f"score-cam layer3: {A['layer3'].shape[0]} masked passes in {time.time() - tick:.1f} s")
    tick = time.time()
    occluded = occlusion(model, x, c, p_x, **OCCLUSIONS[0])
    maps.append(map_entry("occlusion", "input", occluded, OCCLUSIONS[0]))
    print(f"occlusion {OCCLUSIONS[0]}: {list(occluded.shape)} in {time.time() - tick:.1f} s")
    integrated = integrated_gradients_entry(model, x, c, score, maps, {})
    curves = faithfulness_entry(model, x, c, p_x, gradcam["layer4"])

    # The unit tests' maps, on the photo at half size: each pass a quarter of the cost, occlusion's a fifth as many.
    x_half = F.avg_pool2d(x, 2)
    half_logits, half_stage_A = forward_with_stages(model, x_half)
    (half_g4,) = torch.autograd.grad(half_logits[0, c], half_stage_A["layer4"])
    half_score = half_logits[0, c].item()
    half_p = torch.softmax(half_logits.detach(), dim=1)[0, c].item()
    half = {"inputSize": HALF_SIZE}
    tick = time.time()
    A_half = half_stage_A["layer3"][0].detach()
    maps.append({**map_entry("scorecam", "layer3", score_cam(model, x_half, A_half, c)), **half})
    print(f"score-cam layer3, {HALF_SIZE} px: {A_half.shape[0]} masked passes in {time.time() - tick:.1f} s")
    # Score-CAM at layer4 on the photo at a quarter size (its 512 passes were most of the unit tests' time at half
    # size): a 2x2 map, each channel still upsampled, normalized, masking the input and weighted by its pass.
    tick = time.time()
    x_quarter = F.avg_pool2d(x, 224 // QUARTER_SIZE)
    _, quarter_stage_A = forward_with_stages(model, x_quarter)
    A_quarter = quarter_stage_A["layer4"][0].detach()
    maps.append(
        {**map_entry("scorecam", "layer4", score_cam(model, x_quarter, A_quarter, c)), "inputSize": QUARTER_SIZE}
    )
    print(f"score-cam layer4, {QUARTER_SIZE} px: {A_quarter.shape[0]} masked passes in {time.time() - tick:.1f} s")
    for options in OCCLUSIONS:
        tick = time.time()
        occluded = occlusion(model, x_half, c, half_p, **options)
        maps.append({**map_entry("occlusion", "input", occluded, options), **half})
        print(f"occlusion {options}, {HALF_SIZE} px: {list(occluded.shape)} in {time.time() - tick:.1f} s")
    half_integrated = integrated_gradients_entry(model, x_half, c, half_score, maps, half)
    # The curves of the layer4 Grad-CAM map as written (divided by its maximum, float32 exactly): the unit test
    # feeds the same numbers to the app's curves, so the map's own computation (proven at full size) is not in it.
    half_gradcam = {**map_entry("gradcam", "layer4", grad_cam(half_stage_A["layer4"][0].detach(), half_g4[0])), **half}
    maps.append(half_gradcam)
    written = torch.tensor(half_gradcam["values"], dtype=torch.float32).reshape(half_gradcam["height"], -1)
    half_curves = faithfulness_entry(model, x_half, c, half_p, written)

    payload = {
        "variant": "resnet18",
        "flavor": "torchvision",
        "weights": WEIGHTS_FILE,
        "input": CROP_FILE,
        "classIndex": c,
        "score": score,
        "probability": p_x,
        "maps": maps,
        "integratedGradients": integrated,
        "faithfulness": curves,
        "halfSize": {**half, "probability": half_p, "integratedGradients": half_integrated, "faithfulness": half_curves},
    }
    path = args.out / OUT_FILE
    path.write_text(json.dumps(payload, allow_nan=False) + "\n")  # a NaN would be a bug, not a value
    print(f"  wrote {path.relative_to(REPO) if path.is_relative_to(REPO) else path} ({path.stat().st_size:,} bytes)")
    print(f"done in {time.time() - started:.1f} s")


if __name__ == "__main__":
    main()
