"""The components this build knows: wowflow.plugins() and wowflow.describe(type)."""
import json

from . import _core


def plugins(kind=None):
    """Every component of every loaded plugin: a list of dicts (kind, type, description, plugin, params), as
    `wow plugins --json`.

    kind: None (all), or one kind to keep: "kernel", "functional", "solver", "dataset", "projections", "callback"
    """
    items = json.loads(_core._plugins_json())
    if kind is not None:
        kinds = sorted({i["kind"] for i in items})
        if kind not in kinds:
            raise _core.InputError(f"plugins: unknown kind \"{kind}\"; valid: {', '.join(kinds)}")
        items = [i for i in items if i["kind"] == kind]
    return items


def describe(type_name):
    """One component type, or the spec's own keys: a dict with its description and params (name, type, default,
    range, choices, description), as `wow describe TYPE`.

    type_name: a component type (e.g. "riesz_sw"; wowflow.plugins() lists them), or "spec"
    """
    if type_name == "spec":
        return json.loads(_core._spec_schema_json())
    for item in plugins():
        if item["type"] == type_name:
            return item
    valid = " ".join(i["type"] for i in plugins())
    raise _core.InputError(f"describe: unknown type \"{type_name}\"; valid: spec {valid}")
