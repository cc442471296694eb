#!/usr/bin/env python3
"""Pools the per-training accuracies of transfer_eval over the seeds of a sweep, as the paper's tables do
("mean +- std over 3 flows x 5 trainings"): one row per setting, the mean and sample std over every
<name>_accuracy_<t> of every complete seed.

usage: scripts/pooled_accuracy.py SWEEP_DIR [NAME ...]   (NAME: the callbacks' metric prefixes, default all)
"""
import csv
import os
import re
import statistics
import sys


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    sweep = sys.argv[1]
    wanted = sys.argv[2:]
    rows = list(csv.DictReader(open(os.path.join(sweep, "sweep.csv"))))
    fixed = {"seed", "status", "final_loss", "steps", "wall_s", "run_dir"}
    swept = [k for k in rows[0] if k not in fixed and not k.endswith("_accuracy_mean")
             and not re.search(r"_accuracy_(std|\d+)$", k)] if rows else []
    pooled, flows = {}, {}
    for row in rows:
        if row["status"] != "complete":
            continue
        setting = tuple(row[k] for k in swept)
        run_dir = row["run_dir"] if os.path.isabs(row["run_dir"]) else os.path.join(os.getcwd(), row["run_dir"])
        for m in csv.DictReader(open(os.path.join(run_dir, "metrics.csv"))):
            found = re.fullmatch(r"(.+)_accuracy_(\d+)", m["name"])
            if found and (not wanted or found.group(1) in wanted):
                pooled.setdefault((setting, found.group(1)), []).append(float(m["value"]))
        flows[setting] = flows.get(setting, 0) + 1
    names = sorted({name for _, name in pooled})
    print("| " + " | ".join(swept + ["flows"] + names) + " |")
    print("|" + "---|" * (len(swept) + 1 + len(names)))
    for setting in sorted(flows, key=lambda s: [float(v) if re.fullmatch(r"[-+.0-9eE]+", v) else v for v in s]):
        cells = list(setting) + [str(flows[setting])]
        for name in names:
            values = pooled.get((setting, name), [])
            if len(values) > 1:
                cells.append(f"{statistics.mean(values):.1f} ± {statistics.stdev(values):.1f} (n = {len(values)})")
            elif values:
                cells.append(f"{values[0]:.1f} (n = 1)")
            else:
                cells.append("-")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
