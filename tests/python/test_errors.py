"""Bad input raises wowflow.InputError (a ValueError) with the message `wow` prints, never a crash."""
import numpy as np
import pytest
import wowflow
from conftest import rings_spec, wow, write_spec


def spec_without_datasets(steps=3):
    spec = rings_spec(steps=steps)
    del spec["source"], spec["target"]
    return spec


GOOD = np.zeros((2, 5, 3))


@pytest.mark.parametrize(
    "source, match",
    [
        (np.zeros((10, 3)), r"source: expected an array \(C, n, d\).*shape \(10, 3\)"),
        (np.zeros((2, 3, 4, 5)), r"source: expected an array \(C, n, d\).*shape \(2, 3, 4, 5\)"),
        (np.array([["a", "b"]] * 2).reshape(1, 2, 2), r"source: dtype <U1 is not a real number type"),
        (np.zeros((2, 5, 3), dtype=object), r"source: dtype object is not a real number type"),
        (np.zeros((2, 5, 3), dtype=complex), r"source: dtype complex128 is not a real number type"),
        ([[[1.0, 2.0]], [[1.0]]], r"source: not an array of numbers"),
        (np.zeros((0, 5, 3)), r"source: empty array of shape \(0, 5, 3\)"),
        ((np.zeros((4, 3)), np.array([0, 1, 1])), r"source: X has 4 rows but y has 3 labels"),
        ((np.zeros((3, 3)), np.array([0.5, 1, 1])), r"source\[1\] \(y\): float labels must be whole numbers"),
    ],
)
def test_bad_arrays(source, match):
    with pytest.raises(wowflow.InputError, match=match):
        wowflow.run(spec_without_datasets(), source=source, target=GOOD, progress=False)


def test_input_error_is_a_value_error():
    assert issubclass(wowflow.InputError, ValueError)
    assert issubclass(wowflow.DivergedError, FloatingPointError)


def test_nan_and_dimension_mismatch_name_where():
    bad = GOOD.copy()
    bad[1, 2, 0] = np.nan
    with pytest.raises(wowflow.InputError, match=r"^source: .*(NaN|nan|not finite)"):
        wowflow.run(spec_without_datasets(), source=bad, target=GOOD, progress=False)
    with pytest.raises(wowflow.InputError, match=r"source has dimension 3 but target has 4"):
        wowflow.run(spec_without_datasets(), source=GOOD, target=np.zeros((2, 5, 4)), progress=False)
    with pytest.raises(wowflow.InputError, match=r"^target: "):
        wowflow.Flow(spec_without_datasets(), source=GOOD, target=np.full((2, 5, 3), np.inf))


@pytest.mark.parametrize(
    "change",
    [
        {"solver": {"type": "momentum", "params": {"step_size": -1}}},
        {"solver": {"type": "no_such_solver"}},
        {"unknown_key": 1},
        {"projections": {"type": "tbb", "params": {"count": "many"}}},
    ],
)
def test_spec_errors_carry_the_cli_message(tmp_path, change):
    spec = rings_spec(steps=3)
    spec.update(change)
    cli = wow("run", write_spec(tmp_path, spec), "--quiet", check=False)
    assert cli.returncode == 2
    cli_message = [line for line in cli.stderr.splitlines() if line.startswith("error: ")][0][len("error: "):]
    with pytest.raises(wowflow.InputError) as raised:
        wowflow.run(spec, progress=False)
    # The file name differs (a dict has none); the rest of the message is the CLI's.
    assert str(raised.value).replace("spec", "") in cli_message.replace(str(tmp_path / "spec.json"), "")


def test_spec_file_errors(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"seed": 1,,}')
    with pytest.raises(wowflow.InputError, match=r"broken.json.*line 1"):
        wowflow.run(str(broken), progress=False)
    with pytest.raises(wowflow.InputError, match=r"cannot read the spec"):
        wowflow.run(str(tmp_path / "missing.json"), progress=False)
    with pytest.raises(TypeError):
        wowflow.run(42)


def test_divergence_raises():
    spec = rings_spec(steps=200)
    spec["precision"] = "float32"
    spec["solver"]["params"]["step_size"] = 1e30
    with pytest.raises(wowflow.DivergedError, match="diverged at step"):
        wowflow.run(spec, progress=False)


def test_errors_speak_python_not_cli_flags(tmp_path):
    spec = rings_spec(steps=5)
    wowflow.run(spec, out=tmp_path / "run", progress=False)
    messages = []
    for call in (lambda: wowflow.run(spec, out=tmp_path / "run", progress=False),
                 lambda: wowflow.Flow(spec).save(tmp_path / "run"),
                 lambda: wowflow.resume(tmp_path / "nowhere", progress=False),
                 lambda: wowflow.resume(tmp_path / "run", steps=2, progress=False)):
        with pytest.raises(wowflow.InputError) as raised:
            call()
        messages.append(str(raised.value))
    assert "force=True" in messages[0] and "new directory" in messages[1]
    assert messages[2].startswith("resume: ") and "steps=2" in messages[3]
    for message in messages:
        assert "--force" not in message and "--resume" not in message and "--set" not in message, message
