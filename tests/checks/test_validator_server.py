"""The validator server: one warm JVM shared by check runs, started once, stopped on demand,
restarted when its code or jars change, gone by itself when idle. Real Java throughout."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.checks import validator_server
from pipeline.cli import cli
from tests.conftest import SMALL

PIPELINE = str(Path(sys.executable).with_name("pipeline"))


@pytest.fixture(scope="module")
def small_built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("validated")
    build(SMALL, ["epub", "html"], out)
    return out


@pytest.fixture
def fresh_build(small_built, tmp_path) -> Path:
    """A copy of the small EPUB and page without cached verdicts, so the validators run."""
    out = tmp_path / "build"
    shutil.copytree(small_built, out)
    for verdict in [*out.glob(".cache/epubcheck-*"), *out.glob(".cache/vnu-*")]:
        verdict.unlink()
    return out


@pytest.fixture
def own_dir(tmp_path, monkeypatch) -> Path:
    """A state folder of the test's own, so its server is not the session's; stopped after."""
    folder = tmp_path / "v"
    monkeypatch.setenv("PIPELINE_VALIDATOR_DIR", str(folder))
    yield folder
    validator_server.stop()


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, an exited child not yet reaped, counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


def servers_on(folder: Path) -> list[int]:
    """The pids of every process serving the socket in ``folder``."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            command = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"ValidatorServer" in command and str(folder / "validators.sock").encode() in command:
            found.append(int(proc.name))
    return found


def check(build_dir: Path):
    return CliRunner().invoke(
        cli,
        ["check", str(SMALL), "--build-dir", str(build_dir), "--only", "epub", "--only", "html"],
    )


def test_two_check_runs_share_one_server(fresh_build, small_built, tmp_path):
    first = check(fresh_build)
    assert first.exit_code == 0, first.output
    pid = validator_server.status().pid
    assert pid is not None and alive(pid)
    again = tmp_path / "again"
    shutil.copytree(small_built, again)
    for verdict in [*again.glob(".cache/epubcheck-*"), *again.glob(".cache/vnu-*")]:
        verdict.unlink()
    second = check(again)
    assert second.exit_code == 0, second.output
    assert validator_server.status().pid == pid
    assert any(again.glob(".cache/epubcheck-*")) and any(again.glob(".cache/vnu-*"))


def test_stop_stops_it_and_status_says_so(own_dir):
    runner = CliRunner()
    started = runner.invoke(cli, ["validators", "start"])
    assert started.exit_code == 0, started.output
    pid = validator_server.status().pid
    assert f"pid           {pid}" in started.output
    assert str(own_dir) in runner.invoke(cli, ["validators", "status"]).output
    stopped = runner.invoke(cli, ["validators", "stop"])
    assert stopped.exit_code == 0 and stopped.output.strip() == "stopped"
    assert not alive(pid)
    status = runner.invoke(cli, ["validators", "status"])
    assert status.exit_code == 0 and status.output.startswith("not running")
    assert runner.invoke(cli, ["validators", "stop"]).output.strip() == "not running"


def test_a_started_server_warms_epubcheck_up_before_any_check(own_dir):
    """EPUBCheck's schema set-up happens at start, on a book of the server's own, so that
    `pipeline validators start` ahead of time leaves nothing slow for the first check."""
    validator_server.start()
    log = own_dir / "server.log"
    deadline = time.monotonic() + 120
    while "EPUBCheck ready" not in log.read_text() and time.monotonic() < deadline:
        assert "warm-up failed" not in log.read_text()
        time.sleep(0.2)
    assert "EPUBCheck ready after" in log.read_text()


def test_another_fingerprint_restarts_it(own_dir):
    old = validator_server.start().pid
    state_file = own_dir / "server.json"
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**state, "fingerprint": "an older pipeline"}))
    new = validator_server.start().pid
    assert new != old
    assert not alive(old) and alive(new)
    assert servers_on(own_dir) == [new]


def test_an_idle_server_exits_by_itself(own_dir, monkeypatch):
    monkeypatch.setenv("PIPELINE_VALIDATOR_IDLE", "2")
    status = validator_server.start()
    assert status.idle_s == 2
    deadline = time.monotonic() + 30
    while alive(status.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not alive(status.pid)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(status.pid, os.WNOHANG)
    assert not validator_server.status().running
    assert "idle" in (own_dir / "server.log").read_text()


def test_two_starts_at_once_give_one_server(own_dir):
    env = {**os.environ, "PIPELINE_VALIDATOR_DIR": str(own_dir)}
    starts = [
        subprocess.Popen(
            [PIPELINE, "validators", "start"], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in starts]
    assert [process.returncode for process in starts] == [0, 0], outputs
    pids = {line.split()[-1] for out in outputs for line in out.splitlines() if "pid" in line}
    assert len(pids) == 1, outputs
    assert servers_on(own_dir) == [int(pids.pop())]


def test_without_java_the_check_stops_with_one_sentence(own_dir, fresh_build, tmp_path):
    no_java = tmp_path / "bin"
    no_java.mkdir()
    env = {**os.environ, "PATH": str(no_java), "PIPELINE_VALIDATOR_DIR": str(own_dir)}
    command = [PIPELINE, "check", str(SMALL), "--build-dir", str(fresh_build), "--only", "epub"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "error: EPUBCheck needs Java; run `make setup` to install it\n"
    assert servers_on(own_dir) == []
