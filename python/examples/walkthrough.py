"""The walk-through of docs/python.md as one script: rings from NumPy arrays, then MNIST -> FashionMNIST.

    PYTHONPATH=build/python python3 python/examples/walkthrough.py [--quick] [--out DIR]

Pictures go to DIR (default runs/python_walkthrough); --quick shortens every flow (CI runs it so).
"""
import argparse
import os

import matplotlib

if not os.environ.get("DISPLAY"):
    matplotlib.use("Agg")  # no screen: write the figures only
import matplotlib.pyplot as plt
import numpy as np
import wowflow

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true", help="short flows (CI)")
parser.add_argument("--out", default="runs/python_walkthrough")
args = parser.parse_args()
os.makedirs(args.out, exist_ok=True)
repo = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

# --- 1. Three blobs flow onto three rings (Figure 1), with the datasets made in NumPy --------------------------
rng = np.random.default_rng(0)
n = 80
centres = np.array([[-1.0, 0.0], [0.0, 0.0], [1.0, 0.0]]) * 0.5
source = centres[:, None, :] + 0.01 * rng.normal(size=(3, n, 2))           # (C, n, d): 3 classes of 80 points
angles = rng.uniform(0, 2 * np.pi, size=(3, n))
target = centres[:, None, :] + 0.3 * np.stack([np.cos(angles), np.sin(angles)], axis=-1)

spec = {
    "seed": 0,
    "functional": {"type": "mmd", "params": {"kernel": {"type": "riesz_sw", "params": {"r": 1}}}},
    "projections": {"type": "tbb", "params": {"count": 500}},
    "solver": {"type": "momentum", "params": {"step_size": 0.1, "momentum": 0.0, "steps": 100 if args.quick else 500}},
}
flow = wowflow.Flow(spec, source=source, target=target)
fig, axes = plt.subplots(1, 4, figsize=(16, 4))
chunk = -(-flow.steps // 3)  # three chunks: the last panel is the end
for ax in axes:
    for c in range(3):
        ax.scatter(*target[c].T, s=4, c="lightgrey")
        ax.scatter(*flow.state[c].T, s=4)
    ax.set_title(f"step {flow.step_count}")
    ax.set_aspect("equal")
    if not flow.complete:
        flow.step(min(chunk, flow.steps - flow.step_count))
fig.savefig(os.path.join(args.out, "rings_flow.png"), dpi=80, bbox_inches="tight")

fig, ax = plt.subplots(figsize=(5, 3.5))
ax.semilogy(flow.loss_history)
ax.set_xlabel("step")
ax.set_ylabel("1/2 MMD^2")
fig.savefig(os.path.join(args.out, "rings_loss.png"), dpi=80, bbox_inches="tight")
print("rings: loss", flow.loss_history[0], "->", flow.loss_history[-1])

# Each flowed class against its ring: the sliced Wasserstein distance (POT's definition, exact 1-D OT).
final = flow.state
for c in range(3):
    print(f"class {c}: SW_2 to ring {c} = {wowflow.sliced_wasserstein(final[c], target[c], projections=200):.4f}"
          f" (at the start {wowflow.sliced_wasserstein(source[c], target[c], projections=200):.4f})")
print("1/2 MMD^2 between the datasets now:", wowflow.mmd(final, target, kernel="riesz_sw", kernel_params={"r": 1}))

# --- 2. MNIST digits flow onto FashionMNIST garments (Figure 2) -------------------------------------------------
spec_file = os.path.join(repo, "experiments", "mnist_to_fmnist.json")
quick = {"source__params__per_class": 20, "target__params__per_class": 20, "projections__params__count": 100,
         "solver__params__steps": 60} if args.quick else {"solver__params__steps": 1500}
flow = wowflow.Flow(spec_file, **quick)
start = flow.state.copy()                                                # (10, n, 784) digits
flow.step(flow.steps, progress=True)
fig, axes = plt.subplots(2, 10, figsize=(12, 2.6))
for c in range(10):
    for row, images in enumerate((start, flow.state)):
        axes[row, c].imshow(images[c, 0].reshape(28, 28), cmap="gray")
        axes[row, c].axis("off")
fig.savefig(os.path.join(args.out, "mnist_to_fmnist.png"), dpi=80, bbox_inches="tight")
print("mnist -> fmnist: loss", flow.loss_history[0], "->", flow.loss_history[-1])

# --- 3. Run directories: the same flow with files, read back --------------------------------------------------
run_dir = os.path.join(args.out, "rings_run")
result = wowflow.run(spec, source=source, target=target, out=run_dir, force=True, progress=False)
print(result)
print(wowflow.read_run(run_dir).frame().tail(3) if hasattr(result.frame(), "tail") else result.frame()["loss"][-3:])
print("kernels:", [p["type"] for p in wowflow.plugins("kernel")])
