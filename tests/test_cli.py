"""The command-line contract, run as a newcomer would: separate processes on a fresh database."""
from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

REPORT = "我是柳林村的，楼上那家天天半夜拖椅子，电话13812345678"


@pytest.fixture
def env(tmp_path):
    e = {k: v for k, v in os.environ.items() if not k.startswith("JIEFEN_")}
    e["JIEFEN_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    return e


def jiefen(env, *args, stdin: str | None = None, check=True):
    proc = subprocess.run([sys.executable, "-m", "jiefen.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env, timeout=120)
    if check and proc.returncode != 0:
        raise AssertionError(f"jiefen {' '.join(args)} → {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


@pytest.mark.parametrize("args", [("cases",), ("case", "JF261123-001"), ("registry",), ("codes",), ("figures",)])
def test_reading_commands_in_a_folder_without_a_database_say_so(env, tmp_path, args):
    """A newcomer in the wrong folder got "no cases yet" from a new empty database made there."""
    env["JIEFEN_DATABASE_URL"] = f"sqlite+aiosqlite:///{tmp_path / 'nowhere.db'}"
    proc = jiefen(env, *args, check=False)
    assert proc.returncode != 0 and "jiefen init" in proc.stderr, (proc.returncode, proc.stdout, proc.stderr)
    assert not (tmp_path / "nowhere.db").exists()


def test_the_demo_is_not_loaded_over_a_registry_of_ones_own(env, tmp_path):
    registry = tmp_path / "county.yaml"
    registry.write_text("places:\n  - {code: QS, name: 青山县, level: county}\nstaff:\n"
                        "  - {id: centre-qs, name: 县综治中心, role: centre, places: [QS]}\n", encoding="utf-8")
    jiefen(env, "registry", "load", str(registry))
    proc = jiefen(env, "init", "--demo", check=False)
    assert proc.returncode == 1 and "not loaded" in proc.stderr and "qingshan-demo" not in proc.stdout


def test_init_chat_and_cases(env):
    assert "demo county loaded" in jiefen(env, "init", "--demo").stdout
    assert "demo county loaded" not in jiefen(env, "init", "--demo").stdout      # only into an empty one
    out = jiefen(env, "chat", "--user", "cli-resident", stdin=f"你好\n{REPORT}\n确认\n").stdout
    assert "请核对" in out and "案件编号：JF" in out
    [case] = json.loads(jiefen(env, "cases", "--json").stdout)
    assert case["type"] == "neighbour" and case["place"] == "柳林村" and case["status"] == "received"
    assert case["channel"] == "terminal" and "cli-resident" in json.dumps(case["reporter"])
    assert case["risk"] == "green" and case["created_at"]
    assert "13812345678" not in json.dumps(case, ensure_ascii=False)            # masked in lists
    one = json.loads(jiefen(env, "case", case["number"], "--json").stdout)
    assert one["status"] == "received" and [e["kind"] for e in one["events"]].count("message_in") == 2
    assert jiefen(env, "case", "JF000000-001", check=False).returncode == 1


def test_cases_filter_and_stream(env):
    jiefen(env, "init", "--demo")
    jiefen(env, "chat", "--user", "cli-resident", stdin=f"{REPORT}\n确认\n")
    lines = jiefen(env, "cases", "--jsonl", "--open", "--place", "DX", "--type", "neighbour,labour").stdout.splitlines()
    assert [json.loads(line)["place"] for line in lines] == ["柳林村"]
    assert jiefen(env, "cases", "--json", "--place", "NH").stdout.strip() == "[]"
    assert jiefen(env, "cases", "--status", "closed").stdout == ""
    assert jiefen(env, "cases", "--since", "23-11-2026", check=False).returncode == 2     # refused, with the reason
    figures = json.loads(jiefen(env, "figures", "--json", "--rebuild").stdout)
    assert figures["total"]["cases"] == 1 and figures["by_type"]["neighbour"]["open"] == 1
    assert figures["now"]["open"] == 1 and figures["place_names"]["DX01"] == "东溪镇柳林村"


def test_registry_json_and_load(env, tmp_path):
    jiefen(env, "init", "--demo")
    reg = json.loads(jiefen(env, "registry", "--json").stdout)
    assert {"code", "name", "level", "parent", "aliases"} <= set(reg["places"][0])
    assert {"id", "name", "role", "places", "types", "wecom_userid"} <= set(reg["staff"][0])
    assert {p["level"] for p in reg["places"]} >= {"county", "town", "village", "community", "grid", "microgrid"}
    bad = tmp_path / "bad.yaml"
    bad.write_text("places: [{code: A, name: 镇, level: town}]", encoding="utf-8")
    proc = jiefen(env, "registry", "load", str(bad), check=False)
    assert proc.returncode == 1 and "only a county" in proc.stderr
    good = tmp_path / "good.yaml"
    good.write_text("places: [{code: X, name: 新县, level: county}]\nstaff: []\n", encoding="utf-8")
    assert "loaded 1 places" in jiefen(env, "registry", "load", str(good)).stdout


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_with_the_demo_answers_on_the_port_it_prints(env):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jiefen.cli", "serve", "--demo", "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        line = ""
        deadline = time.monotonic() + 60
        while "Open the web chat" not in line and time.monotonic() < deadline:
            line = proc.stdout.readline()
            assert line or proc.poll() is None, "serve exited"
        assert f"http://127.0.0.1:{port}/" in line
        base = f"http://127.0.0.1:{port}"
        console, login = proc.stdout.readline(), proc.stdout.readline()
        assert f"{base}/console/" in console and "centre-qs" in login and "password qingshan-demo" in login
        staff = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        form = staff.open(base + "/console/login").read().decode()
        token = re.search(r'name="csrf" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode({"staff_id": "centre-qs", "password": "qingshan-demo", "csrf": token,
                                       "next": "/console/cases"}).encode()
        assert "共 <b id=\"total\">0</b> 件" in staff.open(base + "/console/login", body).read().decode()
        assert b"\xe9\x9d\x92\xe5\xb1\xb1\xe5\x8e\xbf" in urllib.request.urlopen(base + "/").read()   # 青山县
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

        def say(text):
            req = urllib.request.Request(base + "/api/messages", json.dumps({"text": text}).encode(),
                                         {"Content-Type": "application/json"})
            return json.loads(opener.open(req).read())["replies"][0]["text"]

        assert "请核对" in say(REPORT)
        assert "JF" in say("确认")
    finally:
        proc.terminate()
        proc.wait(20)
    [case] = json.loads(jiefen(env, "cases", "--json").stdout)
    assert (case["type"], case["place"], case["channel"]) == ("neighbour", "柳林村", "web")


def test_a_reader_that_stops_early_gets_no_traceback(env):
    jiefen(env, "init", "--demo")
    proc = subprocess.Popen([sys.executable, "-m", "jiefen.cli", "registry", "--json"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)
    proc.stdout.close()           # like `| head -0`: gone before the command has written a line
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0 and "Traceback" not in err, err


def _start_serving(env, *args):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "jiefen.cli", "serve", "--port", str(port), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    line, seen = "", []
    deadline = time.monotonic() + 90
    while "Open the web chat" not in line and time.monotonic() < deadline:
        line = proc.stdout.readline()
        seen.append(line)
        assert line or proc.poll() is None, "serve exited:\n" + "".join(seen)
    return proc, f"http://127.0.0.1:{port}"


def test_several_workers_share_one_conversation_through_redis(env, redis_server):
    """`serve --workers 2` (gunicorn): a resident whose worker dies between two messages goes
    on with another worker and ends with one case, because drafts are in the database and
    locks in Redis; the dead worker is replaced. No reliance on how the kernel spreads
    connections: the worker that answered is killed."""
    env = {**env, "JIEFEN_STATE_URL": redis_server.url, "JIEFEN_STATE_PREFIX": f"t-workers-{time.time_ns()}:"}
    proc, base = _start_serving(env, "--demo", "--workers", "2")
    try:
        workers = _children(proc.pid)
        assert len(workers) == 2
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())

        def say(text):
            req = urllib.request.Request(base + "/api/messages", json.dumps({"text": text}).encode(),
                                         {"Content-Type": "application/json"})
            with opener.open(req, timeout=30) as resp:
                return int(resp.headers["X-Jiefen-Worker"]), json.loads(resp.read())["replies"][0]["text"]

        first, answer = say("楼上那家天天半夜拖椅子，电话13812345678")
        assert "村" in answer and first in workers                  # where?
        os.kill(first, signal.SIGKILL)                               # that worker dies
        second, answer = say("柳林村")
        assert second != first and "请核对" in answer                 # another one has the draft
        third, answer = say("确认")
        assert "JF" in answer
        deadline = time.monotonic() + 60                             # the dead worker is replaced
        while time.monotonic() < deadline and not (len(_children(proc.pid)) == 2
                                                   and first not in _children(proc.pid)):
            time.sleep(0.1)
        workers = _children(proc.pid)
        assert len(workers) == 2 and first not in workers
    finally:
        proc.terminate()
        assert proc.wait(60) == 0                                    # a graceful stop
    cases = json.loads(jiefen(env, "cases", "--json").stdout)
    assert len(cases) == 1 and cases[0]["place"] == "柳林村"
    for pid in workers:                                              # the workers went with the master
        assert not os.path.exists(f"/proc/{pid}") or open(f"/proc/{pid}/stat").read().split()[2] == "Z"


def _children(pid: int) -> list[int]:
    """The server's worker processes (the master's children)."""
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def test_several_workers_need_a_shared_state_store(env):
    proc = jiefen(env, "serve", "--workers", "2", check=False)
    assert proc.returncode == 2 and "JIEFEN_STATE_URL" in proc.stderr


def test_the_lists_read_well_and_refuse_what_cannot_match(env):
    """issue 16, item 8: a header, an empty list said so, whole masked phones, local times, no
    event cut short; a filter that names no status, colour, type or place is an error."""
    jiefen(env, "init", "--demo")
    empty = jiefen(env, "cases")
    assert empty.stdout == "" and "no cases" in empty.stderr
    jiefen(env, "chat", "--user", "cli-resident", stdin=f"{REPORT}\n确认\n")
    listed = jiefen(env, "cases").stdout.splitlines()
    assert listed[0].startswith("编号") and "联系电话" in listed[0]
    assert "138****5678" in listed[1] and "13812345678" not in listed[1]
    for args, what in ((("--status", "red"), "no such status"), (("--risk", "purple"), "no such risk"),
                       (("--type", "aliens"), "no such dispute type"), (("--place", "NOPE"), "no place NOPE")):
        proc = jiefen(env, "cases", *args, check=False)
        assert proc.returncode == 2 and what in proc.stderr, proc.stderr
    assert "JF" in jiefen(env, "cases", "--risk", "green,yellow", "--status", "received").stdout
    number = listed[1].split()[0]
    shown = jiefen(env, "case", number).stdout
    assert "+00:00" not in shown and "T0" not in shown                      # local times, not ISO UTC
    first_event = json.loads(jiefen(env, "case", number, "--json").stdout)["events"][0]
    assert first_event["data"]["text"] in shown                               # not cut at a fixed width
