"""Experiment specs from Python: a dict or a JSON file, keyword overrides, resolved by the core as `wow run` does."""
import json
import os

from . import _core

# The source/target node of a spec whose dataset is given as an array (replaced by an "npy" node reading the copy
# saved in the run directory when the run has one).
GIVEN_NODE = {"type": "npy", "params": {"path": "(array given from Python)"}}


def _override_path(key):
    # solver__params__steps -> solver.params.steps (keyword arguments cannot hold dots)
    return key.replace("__", ".")


def load_spec(spec, overrides, given_source=False, given_target=False):
    """(raw spec dict, source name for messages, default run name)."""
    if isinstance(spec, (str, os.PathLike)):
        path = os.fspath(spec)
        try:
            with open(path, encoding="utf-8") as f:
                text = f.read()
        except OSError as e:
            raise _core.InputError(f"{path}: cannot read the spec ({e.strerror})") from None
        raw_text, source, name = text, path, _stem(path)
    elif isinstance(spec, dict):
        raw_text, source, name = json.dumps(spec), "spec", "flow"
    elif spec is None:
        raw_text, source, name = "{}", "spec", "flow"
    else:
        raise TypeError("spec: a dict or the path of a JSON file")
    if given_source:
        raw_text = _core._apply_override(raw_text, source, "source=" + json.dumps(GIVEN_NODE))
    if given_target:
        raw_text = _core._apply_override(raw_text, source, "target=" + json.dumps(GIVEN_NODE))
    for key, value in overrides.items():
        raw_text = _core._apply_override(raw_text, source, _override_path(key) + "=" + json.dumps(value))
    return raw_text, source, name


def _stem(path):
    return os.path.splitext(os.path.basename(path))[0]


def resolve(spec, overrides, given_source=False, given_target=False, precision=None):
    """The resolved spec (dict): every default filled, every key checked; InputError naming the bad path.
    `precision` ("float32"/"float64", from the dtype of given arrays) applies when the spec does not set one."""
    raw_text, source, name = load_spec(spec, overrides, given_source, given_target)
    if precision is not None and "precision" not in json.loads(raw_text):
        raw_text = _core._apply_override(raw_text, source, "precision=" + json.dumps(precision))
    return json.loads(_core._resolve_spec(raw_text, source, name))
