"""tools/multiworker_train.py: the script under a one-worker TF_CONFIG (trains, writes its metrics, resumes
from its backup), a tiny two-worker run equal to the one-process run, every bad TF_CONFIG stopped with a
clear message before TensorFlow starts, the loopback TF_CONFIG builder, and the launcher, which leaves no
process behind when a worker fails, when the wait times out, on KeyboardInterrupt, or when it is killed."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import psutil
import pytest

from tools import multiworker_train as mwt

ROOT = Path(__file__).resolve().parents[1]
TINY = ["--examples", "128", "--global-batch", "32", "--vocab-size", "500", "--sequence-length", "40",
        "--units", "8", "--threads", "1"]


def run_script(args: list[str], tf_config: str | None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_CONFIG"}
    if tf_config is not None:
        env["TF_CONFIG"] = tf_config
    env["CUDA_VISIBLE_DEVICES"] = ""
    return subprocess.run([sys.executable, str(mwt.SCRIPT), *args], env=env, cwd=ROOT, capture_output=True,
                          text=True, timeout=timeout)


def gone(pid: int) -> bool:
    """Return True if the process `pid` no longer runs (a zombie no longer runs either)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def assert_all_gone(workers: list[mwt.Worker]) -> None:
    for worker in workers:
        assert worker.process.returncode is not None, f"worker {worker.index} was not waited for"
        assert gone(worker.process.pid), f"worker {worker.index} still runs"
    ours = [child for child in psutil.Process().children(recursive=True)
            if any("multiworker_train" in part or "sleeper" in part for part in child.cmdline())]
    assert not ours, f"left behind: {ours}"


# ------------------------------------------------------------------------------------------- TF_CONFIG

VALID = {"cluster": {"worker": ["127.0.0.1:2222", "127.0.0.1:2223"]}, "task": {"type": "worker", "index": 1}}

BAD_CONFIGS = {
    "malformed JSON": ("{'cluster': {'worker': ['a:1']}}", ["not valid JSON", "double quotes"]),
    "not an object": ('["a:1"]', ["JSON object"]),
    "no cluster": (json.dumps({"task": {"type": "worker", "index": 0}}), ["no 'cluster'"]),
    "index out of range": (json.dumps({**VALID, "task": {"type": "worker", "index": 2}}),
                           ["index 2 is out of range", "0 to 1"]),
    "negative index": (json.dumps({**VALID, "task": {"type": "worker", "index": -1}}), ["out of range"]),
    "index not a number": (json.dumps({**VALID, "task": {"type": "worker", "index": "0"}}), ["out of range"]),
    "no task": (json.dumps({"cluster": VALID["cluster"]}), ["no 'task'"]),
    "task type not in cluster": (json.dumps({**VALID, "task": {"type": "chief", "index": 0}}),
                                 ["'chief' is not a job"]),
    "no chief and no worker": (json.dumps({"cluster": {"evaluator": ["a:1"]},
                                           "task": {"type": "evaluator", "index": 0}}),
                               ["no 'chief' and no 'worker'"]),
    "empty chief list": (json.dumps({"cluster": {"chief": [], "worker": ["a:1"]},
                                     "task": {"type": "worker", "index": 0}}), ["non-empty list"]),
    "two chiefs": (json.dumps({"cluster": {"chief": ["a:1", "b:1"]}, "task": {"type": "chief", "index": 0}}),
                   ["2 chiefs"]),
    "parameter servers": (json.dumps({"cluster": {"worker": ["a:1"], "ps": ["b:1"]},
                                      "task": {"type": "worker", "index": 0}}), ["ParameterServerStrategy"]),
    "address without port": (json.dumps({"cluster": {"worker": ["localhost"]},
                                         "task": {"type": "worker", "index": 0}}), ["host:port"]),
    "duplicate address": (json.dumps({"cluster": {"worker": ["a:1", "a:1"]},
                                      "task": {"type": "worker", "index": 0}}), ["appear twice"]),
    "evaluator task": (json.dumps({"cluster": {"worker": ["a:1"], "evaluator": ["b:1"]},
                                   "task": {"type": "evaluator", "index": 0}}), ["evaluator"]),
}


@pytest.mark.parametrize("case", BAD_CONFIGS)
def test_bad_tf_config_is_explained(case):
    text, phrases = BAD_CONFIGS[case]
    with pytest.raises(mwt.TFConfigError) as caught:
        mwt.parse_tf_config(text)
    message = str(caught.value)
    for phrase in phrases:
        assert phrase in message, message
    assert message.startswith("TF_CONFIG: ") and mwt.TF_CONFIG_EXAMPLE in message   # what and how to fix


@pytest.mark.parametrize("case", ["malformed JSON", "index out of range", "no chief and no worker"])
def test_bad_tf_config_stops_the_script_before_tensorflow(case, tmp_path):
    start = time.perf_counter()
    done = run_script(["--output", str(tmp_path / "out"), *TINY], BAD_CONFIGS[case][0])
    seconds = time.perf_counter() - start
    assert done.returncode == mwt.EXIT_BAD_CONFIG, done.stderr
    assert done.stderr.startswith("error: TF_CONFIG: ") and BAD_CONFIGS[case][1][0] in done.stderr
    assert "Traceback" not in done.stderr and not done.stdout       # one message, no training output
    assert not (tmp_path / "out").exists()
    assert seconds < 3, f"{seconds:.1f} s: TensorFlow was imported before the check"


def test_global_batch_must_split_evenly(tmp_path):
    config = json.dumps({**VALID, "task": {"type": "worker", "index": 0}})
    done = run_script(["--output", str(tmp_path), "--global-batch", "33"], config)
    assert done.returncode == mwt.EXIT_BAD_CONFIG
    assert "does not split evenly over 2 workers" in done.stderr


def test_valid_tf_configs():
    assert mwt.parse_tf_config(None) is None and mwt.parse_tf_config("  ") is None
    task = mwt.parse_tf_config(json.dumps(VALID))
    assert (task.type, task.index, task.rank, task.num_workers, task.is_chief) == ("worker", 1, 1, 2, False)
    assert task.label == "[worker 1/2]"
    with_chief = {"cluster": {"chief": ["a:1"], "worker": ["b:1", "c:1"]},
                  "task": {"type": "worker", "index": 0}}
    task = mwt.parse_tf_config(json.dumps(with_chief))
    assert (task.rank, task.num_workers, task.is_chief) == (1, 3, False)   # the chief task is the chief
    chief = mwt.parse_tf_config(json.dumps({**with_chief, "task": {"type": "chief", "index": 0}}))
    assert chief.is_chief and chief.label == "[chief 0/3]"


def test_local_tf_configs_pick_free_distinct_ports():
    configs = [json.loads(text) for text in mwt.local_tf_configs(3)]
    clusters = {json.dumps(config["cluster"]) for config in configs}
    assert len(clusters) == 1, "every worker must see the same cluster"
    addresses = configs[0]["cluster"]["worker"]
    ports = [int(address.rsplit(":", 1)[1]) for address in addresses]
    assert len(set(ports)) == 3 and all(address.startswith("127.0.0.1:") for address in addresses)
    assert [config["task"] for config in configs] == [{"type": "worker", "index": i} for i in range(3)]
    tasks = [mwt.parse_tf_config(json.dumps(config)) for config in configs]
    assert [task.is_chief for task in tasks] == [True, False, False]
    for port in ports:                                   # free: this process can bind each of them now
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))
    assert json.loads(mwt.local_tf_configs(1, ports=[5000])[0])["cluster"] == {"worker": ["127.0.0.1:5000"]}
    with pytest.raises(ValueError, match="positive number"):
        mwt.local_tf_configs(0)
    with pytest.raises(ValueError, match="need 2 ports"):
        mwt.local_tf_configs(2, ports=[5000])


def test_worker_temp_paths(tmp_path):
    chief, other = (mwt.parse_tf_config(json.dumps({**VALID, "task": {"type": "worker", "index": i}}))
                    for i in (0, 1))
    assert mwt.worker_temp(tmp_path / "out", None) == tmp_path / "out"
    assert mwt.worker_temp(tmp_path / "out", chief) == tmp_path / "out"
    assert mwt.worker_temp(tmp_path / "out", other) == tmp_path / "out_workertemp_1"
    assert mwt.read_backup_epoch(tmp_path) == 0
    (tmp_path / "training_metadata.json").write_text('{"epoch": 2, "batch": 0}')
    assert mwt.read_backup_epoch(tmp_path) == 2


# ------------------------------------------------------------------------------------------- training


def test_one_worker_tf_config_trains_and_writes_metrics(tmp_path):
    config = mwt.local_tf_configs(1)[0]
    done = run_script(["--output", str(tmp_path / "out"), "--epochs", "2", *TINY], config)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "[worker 0/1 chief] no backup: starts at epoch 0" in done.stdout
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["workers"] == 1 and metrics["epochs_run"] == [1, 2] and metrics["restored_from_epoch"] == 0
    assert set(metrics["epoch_losses"]) == {"1", "2"} and np.isfinite(metrics["final_loss"])
    assert metrics["final_loss"] < 1.5                 # chance is ln 4 = 1.386; 8 steps barely move it
    weights = np.load(tmp_path / "out" / "weights.npz")
    assert len(weights.files) == 6     # Embedding; LSTM kernel, recurrent kernel, bias; Dense kernel, bias
    assert (tmp_path / "out" / "model.keras").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]   # no backup, no worker temp left
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == ["metrics.json", "model.keras", "weights.npz"]


def test_killed_worker_resumes_from_its_backup(tmp_path):
    """One worker, killed after its backup of epoch 1 and started again: it restores epoch 1, runs epoch 2."""
    config = mwt.local_tf_configs(1)
    args = ["--output", str(tmp_path / "out"), "--epochs", "2", *TINY]
    slow = [*args, "--epoch-delay", "30"]                  # a pause after each backup: the kill lands there
    with mwt.launch_local_workers(1, slow, tf_configs=config, echo=False) as workers:
        mwt.wait_for_line(workers[0], r"epoch 1/2 .*backed up", timeout=40)
        workers[0].process.send_signal(signal.SIGKILL)
        assert mwt.wait_workers(workers, timeout=10) == [-signal.SIGKILL]
    assert mwt.read_backup_epoch(tmp_path / "out" / "backup") == 1
    with mwt.launch_local_workers(1, args, tf_configs=config, echo=False) as workers:
        assert mwt.wait_workers(workers, timeout=40) == [0], "\n".join(workers[0].lines)
    assert "[worker 0/1 chief] restored from epoch 1" in workers[0].lines
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert metrics["restored_from_epoch"] == 1 and metrics["epochs_run"] == [2]
    assert not (tmp_path / "out" / "backup").exists()      # deleted when training completed
    assert_all_gone(workers)


def test_two_workers_train_like_one_process(tmp_path):
    """The same global batches on two workers and on one process: the same weights, to float32 rounding."""
    args = ["--epochs", "1", *TINY]
    with mwt.launch_local_workers(2, ["--output", str(tmp_path / "two"), *args], echo=False) as workers:
        assert mwt.wait_workers(workers, timeout=60) == [0, 0], "\n".join(workers[0].lines + workers[1].lines)
    reference = run_script(["--output", str(tmp_path / "one"), *args], None)
    assert reference.returncode == 0, reference.stderr
    two, one = (json.loads((tmp_path / run / "metrics.json").read_text()) for run in ("two", "one"))
    assert two["workers"] == 2 and one["workers"] == 1
    assert abs(two["final_loss"] - one["final_loss"]) < 1e-4 * one["final_loss"]
    w_two, w_one = (np.load(tmp_path / run / "weights.npz") for run in ("two", "one"))
    assert max(np.abs(w_two[k] - w_one[k]).max() for k in w_one.files) < 1e-4
    assert not list(tmp_path.glob("*workertemp*")), "a non-chief left its temporary folder"
    assert not (tmp_path / "two_workertemp_1").exists()
    assert_all_gone(workers)


# -------------------------------------------------------------------------------------------- launcher

SLEEPER = textwrap.dedent("""
    import signal, time
    signal.signal(signal.SIGTERM, signal.SIG_IGN)     # a stubborn child: only SIGKILL stops it
    print("[sleeper] ready", flush=True)
    time.sleep(120)
""")


def test_launcher_stops_workers_when_one_fails_and_the_wait_times_out(tmp_path):
    good = mwt.local_tf_configs(2)[0]                  # worker 0 of two: it waits for a peer that never comes
    bad = "{not json"                                  # worker 1 stops at once with the TF_CONFIG message
    with pytest.raises(TimeoutError, match=r"worker\(s\) \[0\] still running"):
        with mwt.launch_local_workers(2, ["--output", str(tmp_path)], tf_configs=[good, bad],
                                      echo=False) as workers:
            mwt.wait_workers(workers, timeout=3)
    assert workers[1].process.returncode == mwt.EXIT_BAD_CONFIG
    assert any("not valid JSON" in line for line in workers[1].lines)
    assert_all_gone(workers)


def test_launcher_kills_stubborn_workers_on_keyboard_interrupt(tmp_path):
    script = tmp_path / "sleeper.py"
    script.write_text(SLEEPER)
    start = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        with mwt.launch_local_workers(2, script=script, echo=False) as workers:
            for worker in workers:
                mwt.wait_for_line(worker, "ready", timeout=20)
            raise KeyboardInterrupt
    assert [worker.process.returncode for worker in workers] == [-signal.SIGKILL] * 2   # SIGTERM was ignored
    assert time.perf_counter() - start < 20
    assert_all_gone(workers)


def test_wait_for_line_reports_a_worker_that_exited(tmp_path):
    script = tmp_path / "quits.py"
    script.write_text("print('[quits] bye')\n")
    with mwt.launch_local_workers(1, script=script, echo=False) as workers:
        with pytest.raises(RuntimeError, match="exited .code 0. without printing"):
            mwt.wait_for_line(workers[0], "never printed", timeout=20)
    assert_all_gone(workers)


def test_workers_exit_when_their_launcher_is_killed(tmp_path):
    """A launcher killed without its `finally` (a notebook kernel killed): its workers notice and exit."""
    launcher = textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tools import multiworker_train as mwt
        config = mwt.local_tf_configs(2)[:1]   # worker 0 of two, alone: it waits for its peer
        with mwt.launch_local_workers(1, ["--output", {str(tmp_path)!r}], tf_configs=config,
                                      echo=False) as workers:
            print(workers[0].process.pid, flush=True)
            time.sleep(120)
    """)
    parent = subprocess.Popen([sys.executable, "-c", launcher], stdout=subprocess.PIPE, text=True)
    worker_pid = None
    try:
        worker_pid = int(parent.stdout.readline())
        time.sleep(1)                                  # let the worker start its watch on the launcher
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 10
        while not gone(worker_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert gone(worker_pid), "the worker outlived its launcher by 10 s"
    finally:
        parent.kill()
        parent.wait()
        parent.stdout.close()
        if worker_pid is not None and not gone(worker_pid):   # never left behind, even by a failed test
            with contextlib.suppress(psutil.NoSuchProcess):
                psutil.Process(worker_pid).kill()
