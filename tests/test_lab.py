"""`make lab` as a reader uses it: the server starts (headless, on a free loopback port), JupyterLab answers,
the API lists every notebook, a kernel started through the server runs a notebook's set-up cells and prints
the one-line summary; then everything stops, also when the test fails."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import psutil
import pytest
import websocket

from tests.kernels import ROOT, first_code_cells
from tools.lab import lab_command

NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


class ServerDidNotStart(RuntimeError):
    """The Jupyter server exited or did not answer in time."""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def lab_server(tmp_path: Path, port: int, wait: float = 60):
    """Yield (base URL, token, process) of `tools/lab.py` (what `make lab` runs) started headless on `port`;
    on exit stop it and every process it started (kernels included), whatever happened."""
    token = secrets.token_hex(16)
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
           "JUPYTER_CONFIG_DIR": str(tmp_path / "config"), "JUPYTERLAB_WORKSPACES_DIR": str(tmp_path / "ws")}
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "tools" / "lab.py"), "--no-browser", "--ServerApp.ip=127.0.0.1",
         f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}"],
        stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + wait
        while True:
            if process.poll() is not None:
                raise ServerDidNotStart(f"the server exited with {process.returncode}: "
                                        + (tmp_path / "server.log").read_text()[-600:])
            with contextlib.suppress(OSError):
                if _get(base, token, "/api/status").status == 200:
                    break
            if time.monotonic() > deadline:
                raise ServerDidNotStart(f"no answer on {base} within {wait:.0f} s")
            time.sleep(0.5)
        yield base, token, process
    finally:
        _stop_group(process)
        log.close()


def _stop_group(process: subprocess.Popen) -> None:
    """Stop the server's whole process group: SIGTERM, then SIGKILL for what is still there after 10 s."""
    with contextlib.suppress(psutil.Error):
        members = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(10)
    with contextlib.suppress(NameError):
        psutil.wait_procs(members, timeout=10)


def _get(base: str, token: str, path: str, method: str = "GET", body: dict | None = None):
    request = urllib.request.Request(base + path, method=method, data=None if body is None else
                                     json.dumps(body).encode(), headers={"Authorization": f"token {token}"})
    return urllib.request.urlopen(request, timeout=10)


def execute(base: str, token: str, kernel_id: str, code: str, timeout: float = 120) -> tuple[str, str | None]:
    """Return (stdout, error or None) of `code` run in the kernel through the server's websocket."""
    url = base.replace("http", "ws", 1) + f"/api/kernels/{kernel_id}/channels?token={token}"
    connection = websocket.create_connection(url, timeout=timeout)
    msg_id, session = uuid.uuid4().hex, uuid.uuid4().hex
    connection.send(json.dumps({
        "header": {"msg_id": msg_id, "session": session, "username": "test", "msg_type": "execute_request",
                   "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                    "allow_stdin": False, "stop_on_error": True}}))
    stdout, error = [], None
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            message = json.loads(connection.recv())
            if message.get("parent_header", {}).get("msg_id") != msg_id or message["channel"] != "iopub":
                continue
            kind, content = message["header"]["msg_type"], message["content"]
            if kind == "stream" and content["name"] == "stdout":
                stdout.append(content["text"])
            elif kind == "error":
                error = f"{content['ename']}: {content['evalue']}"
            elif kind == "status" and content["execution_state"] == "idle":
                return "".join(stdout), error
    finally:
        connection.close()
    raise TimeoutError(f"the kernel did not finish within {timeout:.0f} s")


def test_make_lab_serves_the_notebooks_and_runs_a_setup_cell(tmp_path):
    started = None
    with lab_server(tmp_path, free_port()) as (base, token, process):
        started = process
        assert _get(base, token, "/lab").status == 200
        listing = json.load(_get(base, token, "/api/contents"))
        names = {item["name"] for item in listing["content"] if item["type"] == "notebook"}
        assert names == {p.name for p in NOTEBOOKS}
        name = NOTEBOOKS[0].name
        session = json.load(_get(base, token, "/api/sessions", "POST", {
            "path": name, "type": "notebook", "name": name, "kernel": {"name": "python3"}}))
        kernel = session["kernel"]["id"]
        kernel_pids = {p.pid for p in psutil.Process(process.pid).children(recursive=True)}
        stdout, error = execute(base, token, kernel, "\n".join(first_code_cells(NOTEBOOKS[0], 2)))
        assert error is None, error
        summary = [line for line in stdout.splitlines() if line.startswith("TensorFlow ")]
        assert len(summary) == 1 and "| device: " in summary[0] and "seed 42" in summary[0], stdout
    assert started.poll() is not None
    assert kernel_pids and not [pid for pid in kernel_pids if psutil.pid_exists(pid)
                                and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]


def test_lab_server_that_does_not_come_up_is_reported_and_cleaned_up(tmp_path):
    with socket.socket() as taken:  # the port is in use and retries are off: the server must exit
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServerDidNotStart, match="exited"), lab_server(tmp_path, port, wait=60):
            pass


def test_lab_command_is_what_make_lab_runs():
    makefile = (ROOT / "Makefile").read_text()
    assert "$(BIN)/python tools/lab.py" in makefile
    command = lab_command(["--no-browser"], python="python")
    assert command[:3] == ["python", "-m", "jupyterlab"] and command[-1] == "--no-browser"
    assert command[3] == f"--notebook-dir={ROOT / 'notebooks'}"
    assert ("--allow-root" in command) == (os.geteuid() == 0)
