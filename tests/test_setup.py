"""Unit tests of utils/setup.py: version checks, seeding, the printed summary, the strategy."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from utils import setup


@pytest.mark.parametrize("text, expected", [("2.21.0", (2, 21, 0)), ("3.15.1", (3, 15, 1)),
                                            ("2.19.0rc1", (2, 19, 0)), ("3.10.0.dev2025", (3, 10, 0))])
def test_version_tuple(text, expected):
    assert setup._version_tuple(text) == expected


def test_version_tuple_rejects_garbage():
    with pytest.raises(ValueError, match="version number"):
        setup._version_tuple("unknown")


def test_check_versions_accepts_supported():
    setup.check_versions("2.21.0", "3.15.1")
    setup.check_versions("2.19.0", "3.10.0")


@pytest.mark.parametrize("tf_version, keras_version, message", [
    ("2.18.1", "3.15.1", "TensorFlow 2.18.1 is older than 2.19"),
    ("2.21.0", "3.9.2", "Keras 3.9.2 is older than 3.10"),
    ("2.21.0", "2.15.0", "Keras 2.15.0 is Keras 2"),
])
def test_check_versions_rejects_old(tf_version, keras_version, message):
    with pytest.raises(setup.VersionError, match=message) as info:
        setup.check_versions(tf_version, keras_version)
    assert "pip install" in str(info.value)


def test_init_raises_clear_error_under_keras_2(monkeypatch):
    monkeypatch.setattr(setup.keras, "__version__", "2.15.0")
    with pytest.raises(setup.VersionError, match=r"Keras 2\.15\.0 is Keras 2.*pip install"):
        setup.init(seed=0)


def test_init_raises_clear_error_under_old_tensorflow(monkeypatch):
    monkeypatch.setattr(setup.tf, "__version__", "2.12.0")
    with pytest.raises(setup.VersionError, match="TensorFlow 2.12.0 is older"):
        setup.init(seed=0)


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True])
def test_init_rejects_bad_seed(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        setup.init(seed=seed)


def _draws():
    # Not keras.random.uniform(): in Keras 3.10 (Colab) re-seeding does not reset its global seed generator
    # within a process (fresh kernels are still reproducible, which is what the notebooks rely on).
    model = setup.keras.Sequential([setup.keras.Input((2,)), setup.keras.layers.Dense(3)])
    return np.random.rand(3), setup.tf.random.uniform((3,)).numpy(), model.layers[0].kernel.numpy()


def test_init_seeds_numpy_and_tensorflow(capsys):
    setup.init(seed=7)
    first = _draws()
    setup.init(seed=7)
    second = _draws()
    for a, b in zip(first, second, strict=True):
        np.testing.assert_array_equal(a, b)
    setup.init(seed=8)
    assert not np.array_equal(first[0], np.random.rand(3))


def test_init_prints_one_summary_line(capsys):
    assert setup.init(seed=3) is None
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 1
    line = lines[0]
    assert f"TensorFlow {setup.tf.__version__}" in line and f"Keras {setup.keras.__version__}" in line
    assert "device: CPU" in line and "seed 3, deterministic ops (CPU default)" in line


def test_init_gpu_hint_on_colab_without_gpu(monkeypatch, capsys):
    monkeypatch.setattr(setup, "in_colab", lambda: True)
    monkeypatch.setattr(setup, "describe_device", lambda: "CPU (2 cores)")
    setup.init(seed=1, expect_gpu=True)
    assert "Runtime > Change runtime type > GPU" in capsys.readouterr().out


def test_init_no_gpu_hint_when_gpu_present(monkeypatch, capsys):
    monkeypatch.setattr(setup, "describe_device", lambda: "GPU: Tesla T4")
    setup.init(seed=1, expect_gpu=True)
    out = capsys.readouterr().out
    assert "GPU: Tesla T4" in out and "Change runtime type" not in out


# --- the version floor is one fact --------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def _pins(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        if match := re.match(r"^([A-Za-z0-9_.-]+)\s*(==|>=)\s*([0-9][0-9.]*)", line.split("#")[0].strip()):
            pins[match.group(1).lower()] = match.group(3)
    return pins


def floor_problems(root: Path) -> list[str]:
    """Return how the files under `root` disagree with setup.MIN_TENSORFLOW / MIN_KERAS (empty if none)."""
    expected = {"tensorflow": setup._dotted(setup.MIN_TENSORFLOW), "keras": setup._dotted(setup.MIN_KERAS)}
    problems = []
    oldest, required = _pins(root / "constraints-oldest.txt"), _pins(root / "requirements.txt")
    readme = (root / "README.md").read_text(encoding="utf-8")
    for name, version in expected.items():
        if setup._version_tuple(oldest.get(name, "0"))[:2] != setup._version_tuple(version):
            problems.append(f"constraints-oldest.txt pins {name}=={oldest.get(name)}, the floor is {version}")
        if required.get(name) != version:
            problems.append(f"requirements.txt asks {name}>={required.get(name)}, the floor is {version}")
        if f"{'TensorFlow' if name == 'tensorflow' else 'Keras'} {version}" not in readme:
            problems.append(f"README.md does not name the floor {name} {version}")
    return problems


def test_version_floor_equals_oldest_constraints_requirements_and_readme():
    assert floor_problems(ROOT) == []
    assert f"tensorflow>={setup._dotted(setup.MIN_TENSORFLOW)}" in setup.INSTALL_HINT


def test_version_floor_check_can_fail(tmp_path):
    for name in ("constraints-oldest.txt", "requirements.txt", "README.md"):
        (tmp_path / name).write_text((ROOT / name).read_text(encoding="utf-8"), encoding="utf-8")
    assert floor_problems(tmp_path) == []
    oldest = tmp_path / "constraints-oldest.txt"
    oldest.write_text(oldest.read_text().replace("tensorflow==2.19.0", "tensorflow==2.18.0"))
    problems = floor_problems(tmp_path)
    assert len(problems) == 1 and "constraints-oldest.txt pins tensorflow==2.18.0" in problems[0]


# --- the determinism policy: on by default on a CPU, off by default on a GPU/TPU ----------------------------


@pytest.fixture
def determinism_calls(monkeypatch):
    calls = []
    monkeypatch.setattr(setup, "set_op_determinism", calls.append)
    yield calls
    setup.set_op_determinism(True)  # leave the process as the other tests expect it


def test_init_turns_determinism_on_by_default_on_cpu(monkeypatch, capsys, determinism_calls):
    monkeypatch.setattr(setup, "describe_device", lambda: "CPU (2 cores)")
    setup.init(seed=5)
    assert determinism_calls == [True]
    assert "seed 5, deterministic ops (CPU default)" in capsys.readouterr().out


@pytest.mark.parametrize("device, kind", [("GPU: Tesla T4", "GPU"), ("TPU (8 cores)", "TPU")])
def test_init_leaves_determinism_off_by_default_on_accelerators(monkeypatch, capsys, determinism_calls,
                                                                 device, kind):
    monkeypatch.setattr(setup, "describe_device", lambda: device)
    setup.init(seed=5)
    assert determinism_calls == [False]
    out = capsys.readouterr().out
    assert f"op determinism off ({kind} default" in out and "deterministic=True" in out


def test_init_turns_tf32_off_on_a_gpu_only(monkeypatch, capsys, determinism_calls):
    tf32 = []
    monkeypatch.setattr(setup.tf.config.experimental, "enable_tensor_float_32_execution", tf32.append)
    monkeypatch.setattr(setup, "describe_device", lambda: "CPU (2 cores)")
    setup.init(seed=5)
    assert tf32 == [] and "TF32" not in capsys.readouterr().out
    monkeypatch.setattr(setup, "describe_device", lambda: "GPU: NVIDIA L4")
    setup.init(seed=5)
    assert tf32 == [False] and ", TF32 off" in capsys.readouterr().out


def test_init_forces_determinism_on_gpu_when_asked(monkeypatch, capsys, determinism_calls):
    monkeypatch.setattr(setup, "describe_device", lambda: "GPU: Tesla T4")
    setup.init(seed=5, deterministic=True)
    assert determinism_calls == [True]
    assert "deterministic ops (forced by deterministic=True)" in capsys.readouterr().out


def test_init_turns_determinism_off_on_cpu_when_asked(monkeypatch, capsys, determinism_calls):
    monkeypatch.setattr(setup, "describe_device", lambda: "CPU (2 cores)")
    setup.init(seed=5, deterministic=False)
    assert determinism_calls == [False]
    assert "op determinism off (deterministic=False)" in capsys.readouterr().out


def test_set_op_determinism_really_switches():
    from tensorflow.python.framework import config as tf_config

    setup.set_op_determinism(False)
    assert not tf_config.is_op_determinism_enabled()
    setup.set_op_determinism(True)
    assert tf_config.is_op_determinism_enabled()


def test_init_rejects_bad_deterministic_value():
    with pytest.raises(ValueError, match="deterministic must be True, False or None"):
        setup.init(seed=1, deterministic="yes")


def test_get_strategy_on_cpu_is_default_single_replica():
    strategy = setup.get_strategy()
    assert strategy.num_replicas_in_sync == 1
    with strategy.scope():
        variable = setup.tf.Variable(1.0)
    assert float(variable.numpy()) == 1.0


def test_colab_url_points_at_repository_notebook():
    url = setup.colab_url("01_sequences_and_simple_rnn.ipynb")
    assert url == ("https://colab.research.google.com/github/rnn-notebooks/rnn-notebooks/blob/main/"
                   "notebooks/01_sequences_and_simple_rnn.ipynb")
