"""The `jiefen` command."""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import textwrap
import unicodedata
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.settings import Settings
from storage.case_list import UnknownPlace
from storage.lifecycle import OPEN_STATUSES, Risk, Status


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    missing = _missing_database(args)
    if missing:
        print(f"no database at {missing}: run `jiefen init` (or `jiefen init --demo`) in the folder that should "
              "hold it, or set JIEFEN_DATABASE_URL", file=sys.stderr)
        return 2
    try:
        code = args.func(args) or 0
        sys.stdout.flush()           # here, not at exit: a reader gone by then would make Python exit 120
        return int(code)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:          # `jiefen cases --json | head`: the reader has what it wanted
        import os
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="jiefen", description="解纷: dispute intake and mediation gateway")
    p.add_argument("--config", help="a TOML settings file (JIEFEN_CONFIG); environment variables override it")
    sub = p.add_subparsers(dest="command")

    s = sub.add_parser("serve", help="run the gateway: web chat and every configured channel")
    s.add_argument("--host")
    s.add_argument("--port", type=int)
    s.add_argument("--demo", action="store_true", help="load the demo county first if the database is empty")
    s.add_argument("--workers", type=int, default=1,
                   help="worker processes on the one port (needs a shared state store: JIEFEN_STATE_URL=redis://…)")
    s.set_defaults(func=cmd_serve)

    s = sub.add_parser("init", help="create or migrate the database")
    s.add_argument("--demo", action="store_true", help="load the demo county into an empty database")
    s.add_argument("--history", type=int, nargs="?", const=3000, default=0, metavar="CASES",
                   help="with --demo: add a year of made-up cases (default 3000) for the console's figures")
    s.set_defaults(func=cmd_init)

    s = sub.add_parser("chat", help="talk to the bot as a resident in the terminal")
    s.add_argument("--user", default="terminal-user")
    s.set_defaults(func=cmd_chat)

    s = sub.add_parser("cases", help="list cases (streamed: any number of them, in flat memory)")
    s.add_argument("--json", action="store_true", help="one JSON array")
    s.add_argument("--jsonl", action="store_true", help="one JSON object per line")
    s.add_argument("--status", help="a status, or several separated by commas: " + ", ".join(Status))
    s.add_argument("--risk", help="a risk colour, or several separated by commas: green, yellow, red")
    s.add_argument("--open", action="store_true", help="open cases only (received, dispatched, mediating, escalated)")
    s.add_argument("--type", help="dispute type(s), separated by commas")
    s.add_argument("--place", help="a place code: the place and everything under it")
    s.add_argument("--channel", help="channel(s), separated by commas")
    s.add_argument("--code", help="dispute code(s) the reports came through, separated by commas")
    s.add_argument("--assignee", help="a staff id")
    s.add_argument("--since", type=_day, help="opened on or after this local day (YYYY-MM-DD)")
    s.add_argument("--until", type=_day, help="opened on or before this local day (YYYY-MM-DD)")
    s.add_argument("--overdue", action="store_true", help="open cases past a deadline only")
    s.add_argument("--sort", choices=("created", "updated", "due"), default="created")
    s.add_argument("--desc", action="store_true", help="newest (or latest, or most urgent last) first")
    s.add_argument("--limit", type=int, help="at most this many")
    s.set_defaults(func=cmd_cases)

    s = sub.add_parser("figures", help="the centre's figures: cases by day, type, place and channel; times; rates")
    s.add_argument("--since", type=_day, help="first local day of opening (default: 29 days before --until)")
    s.add_argument("--until", type=_day, help="last local day of opening (default: today)")
    s.add_argument("--json", action="store_true")
    s.add_argument("--rebuild", action="store_true", help="recount them from the cases first")
    s.set_defaults(func=cmd_figures)

    s = sub.add_parser("agreement", help="a case's mediation agreement (Word copy per party + PDF), or its "
                                         "application for judicial confirmation")
    s.add_argument("number")
    s.add_argument("--application", action="store_true", help="the joint application (司法确认申请书) instead")
    s.add_argument("--out", default=".", help="folder to write the files into (default: here)")
    s.set_defaults(func=cmd_agreement)

    s = sub.add_parser("case", help="one case with its ledger")
    s.add_argument("number")
    s.add_argument("--json", action="store_true")
    s.set_defaults(func=cmd_case)

    s = sub.add_parser("staff", help="staff accounts of the console (/console)")
    ssub = s.add_subparsers(dest="action", required=True)
    pw = ssub.add_parser("passwd", help="set a staff member's console password (asked for, or from standard input)")
    pw.add_argument("id", help="the staff id in the registry, e.g. centre-qs")
    pw.set_defaults(func=cmd_staff_passwd)

    s = sub.add_parser("registry", help="show the registry, or load a registry file")
    s.add_argument("--json", action="store_true")
    rsub = s.add_subparsers(dest="action")
    load = rsub.add_parser("load", help="load places and staff from a YAML file")
    load.add_argument("file")
    s.set_defaults(func=cmd_registry)

    try:
        from nlp.cli import add_subcommands
    except ImportError:
        pass
    else:
        add_subcommands(sub, settings=_settings)
    try:
        from adapters.wechat_mp.cli import add_subcommands as add_wechat_subcommands
    except ImportError:
        pass
    else:
        add_wechat_subcommands(sub)       # qrcode, codes
    return p


# commands that read an existing ledger: in a folder without one they would make a new empty
# database there and answer "no cases yet"
_READS_LEDGER = frozenset({"cases", "case", "figures", "agreement", "codes", "chat", "staff", "registry"})


def _missing_database(args: argparse.Namespace) -> str | None:
    """The SQLite file a ledger-reading command would open, when it does not exist."""
    if args.command not in _READS_LEDGER or (args.command == "registry" and getattr(args, "action", None)):
        return None
    url = _settings(args).database_url
    if not url.startswith("sqlite") or ":memory:" in url:
        return None
    path = url.split(":///", 1)[-1]
    return None if not path or os.path.exists(path) else os.path.abspath(path)


def _settings(args: argparse.Namespace, **overrides: Any) -> Settings:
    return Settings.load(config_file=args.config, **overrides)


def _run(coro) -> Any:
    return asyncio.run(coro)


# ---- commands -------------------------------------------------------------------------
def cmd_init(args: argparse.Namespace) -> int:
    from jiefen.admin import init_database

    if args.history and not args.demo:
        print("--history goes with --demo (made-up cases for the demo county)", file=sys.stderr)
        return 2
    settings = _settings(args)
    loaded = _run(init_database(settings, demo=args.demo))
    print("database ready" + (f"; demo county loaded ({loaded} places)" if loaded else ""))
    if args.demo:
        from jiefen.admin import demo_logins
        lines = _run(demo_logins(settings))
        for line in lines:
            print(line)
        if not loaded and not lines:
            print("the database holds a registry of its own: the demo county was not loaded and no demo "
                  "password was given (use another database for the demo)", file=sys.stderr)
            return 1
    if args.history:
        from jiefen.demo import add_history
        added = _run(add_history(settings, args.history))
        print(f"{added} made-up cases over the past year added" if added else
              "the demo history is there already: nothing added")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from jiefen.admin import serve

    settings = _settings(args, host=args.host, port=args.port)
    if args.workers > 1:
        from jiefen.workers import SharedStateNeeded, serve_workers
        if args.config:
            os.environ["JIEFEN_CONFIG"] = args.config        # the workers read the same file
        try:
            return serve_workers(settings, args.workers, demo=args.demo)
        except SharedStateNeeded as exc:
            print(exc, file=sys.stderr)
            return 2
    _run(serve(settings, demo=args.demo))
    return 0


def cmd_chat(args: argparse.Namespace) -> int:
    from jiefen.admin import chat

    _run(chat(_settings(args), args.user))
    return 0


def _day(text: str):
    from datetime import date
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a day like 2026-11-23: {text!r}") from None


def _listed(text: str | None) -> list[str]:
    return [t.strip() for t in (text or "").split(",") if t.strip()]


def cmd_cases(args: argparse.Namespace) -> int:
    from jiefen.admin import case_rows
    from nlp.reading import DISPUTE_TYPES, NOT_A_DISPUTE

    statuses, risks, types = _listed(args.status), _listed(args.risk), _listed(args.type)
    for given, known, what in ((statuses, [*Status], "status"), (risks, [*Risk], "risk colour"),
                               (types, [*DISPUTE_TYPES, NOT_A_DISPUTE], "dispute type")):
        wrong = [v for v in given if v not in known]
        if wrong:      # a filter that can never match is a mistake, not an empty list
            print(f"no such {what}: {', '.join(wrong)} (one of: {', '.join(known)})", file=sys.stderr)
            return 2
    statuses = set(statuses) | (set(OPEN_STATUSES) if args.open else set())
    rows = case_rows(_settings(args), statuses=statuses, risks=risks, types=types, place=args.place,
                     channels=_listed(args.channel), sources=_listed(args.code), assignee=args.assignee,
                     since=args.since, until=args.until, overdue=args.overdue, sort=args.sort,
                     descending=args.desc, limit=args.limit)
    try:
        _run(_print_cases(rows, "json" if args.json else "jsonl" if args.jsonl else "text"))
    except UnknownPlace as exc:
        print(f"no place {exc} in the registry (jiefen registry lists them)", file=sys.stderr)
        return 2
    return 0


COLUMNS = (("number", "编号", 13), ("status", "状态", 11), ("risk", "风险", 7), ("type", "类型", 17),
           ("place", "地点", 10), ("contact_masked", "联系电话", 12))


def _width(text: str) -> int:
    """Columns a terminal gives a text: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _cell(text: str, width: int) -> str:
    return text + " " * max(1, width - _width(text))


async def _print_cases(rows, form: str) -> None:
    """Each row is written as it arrives: nothing is held but the batch being read."""
    out = sys.stdout
    first = True
    if form == "json":
        out.write("[")
    async for r in rows:
        if form == "json":       # the same text as json.dumps(all_rows, indent=1), a row at a time
            out.write(("\n" if first else ",\n") + textwrap.indent(json.dumps(r, ensure_ascii=False, indent=1), " "))
        elif form == "jsonl":
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
        else:
            if first:
                out.write("".join(_cell(title, w) for _k, title, w in COLUMNS) + "情况\n")
            desc = r["description"] if len(r["description"]) <= 30 else r["description"][:29] + "…"
            out.write("".join(_cell(str(r.get(k) or "-"), w) for k, _t, w in COLUMNS) + desc + "\n")
        first = False
    if form == "json":
        out.write("\n]\n" if not first else "]\n")
    elif first and form == "text":
        print("no cases (match these filters)" if sys.argv[2:] else "no cases yet", file=sys.stderr)
    out.flush()


def cmd_figures(args: argparse.Namespace) -> int:
    from jiefen.admin import figures_dict

    data = _run(figures_dict(_settings(args), since=args.since, until=args.until, rebuild=args.rebuild))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
        return 0
    t, now = data["total"], data["now"]
    print(f"{data['since']} – {data['until']}: {t['cases']} cases opened, {t['dispatched']} dispatched "
          f"(mean {t['mean_dispatch_hours']} h), {t['resolved']} with a result (mean {t['mean_result_days']} days), "
          f"success rate {t['success_rate']}, completion rate {t['completion_rate']}, satisfaction {t['satisfaction']}")
    print(f"now: {now['open']} open, {now['overdue']} overdue, {now['carded_open']} under a red card")
    m = data["mediation"]
    print(f"mediation: {m['agreements']} agreements ({m['written']} written, {m['oral']} oral) covering "
          f"{m['amount_yuan']:,.2f} yuan; {m['performed']} performed ({m['performed_on_time']} on time), "
          f"{m['overdue']} overdue; judicial confirmation {m['confirmations_applied']} applied, "
          f"{m['confirmations_granted']} granted, {m['confirmations_refused']} refused; follow-up visits "
          f"{m['follow_ups_done']}/{m['follow_ups_due']} done, {m['follow_ups_reopened']} reopened")
    print("cases by origin: " + ", ".join(f"{k} {v}" for k, v in m["cases_by_origin"].items()))
    for title, key in (("by type", "by_type"), ("by place", "by_place"), ("by channel", "by_channel")):
        print(title + ": " + ", ".join(f"{k or '-'} {v['cases']}" for k, v in
                                       sorted(data[key].items(), key=lambda kv: -kv[1]["cases"])))
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from bot.documents import DocumentError
    from jiefen.admin import write_documents

    try:
        paths = _run(write_documents(_settings(args), args.number, args.out, application=args.application))
    except (LookupError, DocumentError) as exc:
        print(str(exc).strip("'\""), file=sys.stderr)
        return 1
    print("\n".join(paths))
    return 0


def cmd_case(args: argparse.Namespace) -> int:
    from jiefen.admin import show_case

    row = _run(show_case(_settings(args), args.number))
    if row is None:
        print(f"no case {args.number}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(row, ensure_ascii=False, indent=1))
    else:
        zone = ZoneInfo(_settings(args).timezone)
        print(f"{row['number']}  {row['status']}  {row['type']}  {row['risk']}  {row['place_path'] or row['place'] or '-'}")
        print(f"  {row['description']}")
        for e in row["events"]:        # local times, as the chat shows them; the whole of each event
            at = datetime.fromisoformat(e["at"]).astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
            data = "  ".join(f"{k}={json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v}"
                             for k, v in e["data"].items())
            print(f"  {at}  {e['kind']:<13} {e['actor']}" + (f"\n      {data}".replace("\n", "\n      ")
                                                                  if data else ""))
    return 0


def cmd_staff_passwd(args: argparse.Namespace) -> int:
    import getpass

    from bot.accounts import PasswordTooWeak
    from jiefen.admin import set_staff_password

    if sys.stdin.isatty():
        password = getpass.getpass(f"new console password for {args.id}: ")
        if getpass.getpass("again: ") != password:
            print("the two passwords differ; nothing changed", file=sys.stderr)
            return 1
    else:
        password = sys.stdin.readline().rstrip("\n")
    try:
        _run(set_staff_password(_settings(args), args.id, password))
    except (KeyError, PasswordTooWeak) as exc:
        print(f"password not set: {exc.args[0]}", file=sys.stderr)
        return 1
    print(f"console password set for {args.id}")
    return 0


def cmd_registry(args: argparse.Namespace) -> int:
    from jiefen.admin import load_registry_file, registry_dict
    from storage.registry import RegistryError

    settings = _settings(args)
    if args.action == "load":
        try:
            n_places, n_staff = _run(load_registry_file(settings, args.file))
        except (RegistryError, OSError) as exc:
            print(f"registry not loaded: {exc}", file=sys.stderr)
            return 1
        print(f"loaded {n_places} places and {n_staff} staff")
        return 0
    data = _run(registry_dict(settings))
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=1))
    else:
        for p in data["places"]:
            print(f"{p['code']:<14} {p['level']:<10} {p['name']}")
        for s in data["staff"]:
            print(f"{s['id']:<14} {s['role']:<15} {s['name']} {','.join(s['places'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
