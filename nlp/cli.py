"""Command-line pieces: `classify`, `nlp train`, `nlp report`.

The lead wires `add_subcommands(subparsers)` into the `jiefen` CLI; `python -m nlp.cli`
runs the same commands without it.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_REGISTRY = Path(__file__).resolve().parent.parent / "storage" / "demo" / "demo_county.yaml"


def reading_to_dict(r) -> dict:
    return {
        "text": r.text, "type": r.type, "confidence": r.confidence, "runner_up": r.runner_up,
        "evidence": list(r.evidence), "risk": r.risk, "risk_reasons": list(r.risk_reasons),
        "places": [{"code": p.code, "name": p.name, "score": p.score, "matched": p.matched} for p in r.places],
        "phones": list(r.phones), "other_phones": list(r.other_phones), "money": list(r.money), "people": r.people, "dates": list(r.dates),
        "ask_safety": r.ask_safety, "safety_cues": list(r.extra.get("safety_cues", ())),
        "model_version": r.model_version,
    }


def reading_to_text(r) -> str:
    """A reading as a person reads it (what `classify` prints without --json)."""
    from nlp.reading import RISK_NAMES, TYPE_NAMES

    def name(t):
        return f"{TYPE_NAMES.get(t, t)}（{t}）" if t else "–"

    lines = [f"「{r.text}」",
             f"  类型：{name(r.type)}  把握 {r.confidence:.2f}"
             + (f"，其次 {name(r.runner_up)}" if r.runner_up else "")]
    if r.evidence:
        lines.append("  依据：" + "、".join(r.evidence))
    lines.append(f"  风险：{RISK_NAMES.get(r.risk, r.risk)}"
                 + ("（" + "；".join(r.risk_reasons) + "）" if r.risk_reasons else ""))
    if r.ask_safety:
        cues = r.extra.get("safety_cues") or ()
        lines.append("  安全：不确定，先问居民现在有没有人受伤或有危险"
                     + ("（像以往紧急报告的词：" + "、".join(cues) + "）" if cues else ""))
    if r.places:
        lines.append("  地点：" + "、".join(f"{p.name}（{p.code}，{p.score:g}）" for p in r.places))
    slots = []
    if r.phones:
        slots.append("电话 " + "、".join(r.phones))
    if r.money:
        slots.append("金额 " + "、".join(f"{m:g}元" for m in r.money))
    if r.people:
        slots.append(f"人数 {r.people}")
    if r.dates:
        slots.append("时间 " + "、".join(r.dates))
    if slots:
        lines.append("  " + "；".join(slots))
    return "\n".join(lines)


def _load_places(path: str | None):
    from nlp.places import load_registry
    p = Path(path) if path else DEFAULT_REGISTRY
    if not p.exists():
        return []
    try:
        return load_registry(str(p))
    except Exception as e:  # a broken registry must not stop classification
        print(f"warning: cannot read registry {p}: {e}", file=sys.stderr)
        return []


def cmd_classify(args) -> int:
    from nlp.understanding import Understanding
    u = Understanding(_load_places(args.registry), model_dir=args.model)
    out = sys.stdout
    for line in (args.texts or sys.stdin):
        line = line.rstrip("\r\n")
        r = u.read(line)
        if args.json:
            out.write(json.dumps(reading_to_dict(r), ensure_ascii=False) + "\n")
        else:
            out.write(reading_to_text(r) + "\n\n")
        out.flush()
    return 0


def cmd_train(args) -> int:
    if args.from_ledger:
        from nlp.ledger import main_train
        return main_train(args)
    if not (args.input and args.text and args.label):
        print("nlp train: --input, --text and --label are needed (or --from-ledger)", file=sys.stderr)
        return 2
    from nlp.learn import train_from_csv
    report = train_from_csv(args.input, args.text, args.label, args.out)
    print(json.dumps(report, ensure_ascii=False, indent=1))
    return 0


def cmd_report(args) -> int:
    from nlp.evaluate import main_report
    return main_report(args)


def add_subcommands(subparsers, settings=None) -> None:
    """`settings(args)`, when given (the jiefen command line), is the service's settings
    (--config, JIEFEN_* variables): the ledger's database and the model in use for
    `nlp train --from-ledger`."""
    p = subparsers.add_parser("classify", help="read texts (the arguments, or one per line from stdin): type, risk, "
                                               "places, slots")
    p.add_argument("texts", nargs="*", help="texts to read (default: one per line from stdin)")
    p.add_argument("--model", default=None, help="a label set learned by `nlp train` (directory)")
    p.add_argument("--json", action="store_true", help="one JSON object per line (default: text for people)")
    p.add_argument("--registry", default=None, help=f"registry YAML for places (default {DEFAULT_REGISTRY})")
    p.set_defaults(func=cmd_classify)

    n = subparsers.add_parser("nlp", help="understanding layer: train label sets, accuracy report")
    ns = n.add_subparsers(dest="nlp_command", required=True)
    t = ns.add_parser("train", help="retrain the chat model on staff corrections (--from-ledger), "
                                    "or learn a label set from a labelled CSV")
    t.add_argument("--from-ledger", action="store_true",
                   help="retrain the built-in chat model on the shipped sets plus the staff corrections in the "
                        "ledger (database: JIEFEN_DATABASE_URL / --config, or --database-url)")
    t.add_argument("--database-url", default=None, help="with --from-ledger: the ledger's database URL")
    t.add_argument("--holdout", type=float, default=0.2,
                   help="with --from-ledger: share of the most recent corrected cases kept aside to compare (0.2)")
    t.add_argument("--before", default=None,
                   help="with --from-ledger: the model folder in use (default: JIEFEN_NLP_MODEL_DIR, else the "
                        "shipped model)")
    t.add_argument("--base", action="append", default=None,
                   help="with --from-ledger: TSV file(s) to train on instead of the shipped sets")
    t.add_argument("--backend", choices=("auto", "sklearn", "python"), default="auto",
                   help="with --from-ledger: scikit-learn when installed (auto), or the pure-Python trainer")
    t.add_argument("--json", action="store_true", help="with --from-ledger: print the report as JSON too")
    t.add_argument("--input", help="CSV file with a header row")
    t.add_argument("--text", action="append", help="text column (repeatable)")
    t.add_argument("--label", help="label column")
    t.add_argument("--out", required=True, help="output directory for the model (the service loads it with "
                                                "JIEFEN_NLP_MODEL_DIR)")
    t.set_defaults(func=cmd_train, settings_of=settings)
    from nlp.evaluate import parts
    r = ns.add_parser("report", help="per-type precision/recall, red recall and false alarms on labelled sets")
    r.add_argument("--data", default=None, help="TSV file(s) type<TAB>risk<TAB>text, e.g. a blind set",
                   action="append")
    r.add_argument("--part", choices=sorted(parts()), default="new", help="a shipped set or group of sets")
    r.add_argument("--errors", action="store_true", help="list the misclassified lines")
    r.add_argument("--registry", default=None)
    r.set_defaults(func=cmd_report)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlp.cli")
    sub = parser.add_subparsers(dest="command", required=True)
    add_subcommands(sub)
    args = parser.parse_args(argv)
    return int(args.func(args) or 0)


if __name__ == "__main__":
    sys.exit(main())
