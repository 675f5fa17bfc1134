"""The trust benchmark: can the gate's red and green be believed? (issue 17, point 8; a tool, not a test)

Runs N clean smoke gates on the bundled app and every fault switch once, each as a real
`harness run --profile smoke --faults X --out DIR` subprocess, and prints one row per run (exit
code, breached budgets, inconclusive budgets and why, wall time), then false alarms (clean runs
with a breach), misses (a fault no budget caught), catches by the wrong budget, inconclusive runs.
Which budgets must catch which fault is the target's knowledge: `target_app.faults.FAULT_EVIDENCE`.
A fault runs only the stages its budgets live in (its row says so); `--fault-stages all` runs the
whole gate for it, except where the fault needs its own run (crash, slow-restart).

    python bench/trust.py [--clean 10] [--faults a,b] [--stages load,e2e] [--fault-stages own|all]
                          [-o STAGE.KEY=VALUE ...] [--out DIR]

Writes `trust.json` and `trust.md` (the table, ready to paste) into the output folder. Exit code 0
when the goal is met: no false alarm, every fault caught by exactly its budgets, no inconclusive
clean run.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf_budgets.loader import SHIPPED  # noqa: E402
from target_app.faults import FAULT_EVIDENCE, FaultEvidence, UnknownFaultError, parse_faults  # noqa: E402

GOAL_CLEAN_RUNS = 10
RUN_TIMEOUT_S = 15 * 60
"""A smoke gate takes about three minutes here; past this the run is stopped and reported as such."""
INTERRUPT_GRACE_S = 60
REASON_CHARS = 140
JUDGED = ("pass", "warn", "fail", "not_applicable")
ROUTINE_NOTE = "not evaluated because"
"""Verdict notes on budgets left out by design (stages not run, no baseline): not worth a table cell."""


@dataclasses.dataclass(frozen=True)
class Planned:
    """One `harness run` to do."""

    kind: str
    """``clean`` or the fault's name."""
    args: tuple[str, ...]
    env: dict[str, str]
    stages: str
    """What the row says about stages: ``all``, or the list and why it was restricted."""


@dataclasses.dataclass
class Row:
    """One run's outcome, as the table shows it."""

    kind: str
    stages: str
    exit_code: int
    wall_s: float
    breached: list[str]
    warned: list[str]
    """Warn-level budgets breached (reported, never failing the run)."""
    inconclusive: dict[str, str]
    """Budget result id -> the gate's message (why it could not be judged)."""
    notes: list[str]
    run_dir: str
    other: dict[str, str] = dataclasses.field(default_factory=dict)
    """Budget result id -> a status this script does not count (e.g. not enough samples to judge)."""
    has_verdict: bool = True
    judgement: str = ""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--clean", type=int, default=GOAL_CLEAN_RUNS, metavar="N", help="clean smoke gates (default 10)"
    )
    parser.add_argument("--faults", help="comma-separated fault switches (default: every one --list-faults prints)")
    parser.add_argument("--stages", help="passed to every run, e.g. load,e2e (faults: only their stages among these)")
    parser.add_argument(
        "--fault-stages",
        choices=("own", "all"),
        default="own",
        help="own: a fault runs only the stages its budgets live in (default); all: the whole gate",
    )
    parser.add_argument(
        "-o", "--option", action="append", default=[], metavar="STAGE.KEY=VALUE", help="passed to every run"
    )
    parser.add_argument("--out", type=Path, help="output folder (default: harness-runs/trust-<time>)")
    return parser.parse_args(argv)


def listed_faults() -> list[str]:
    """Fault names as `python -m target_app --list-faults` prints them (name first on each line)."""
    done = subprocess.run(
        [sys.executable, "-m", "target_app", "--list-faults"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return [line.split("\t", 1)[0] for line in done.stdout.splitlines() if line.strip()]


def chosen_faults(option: str | None, listed: list[str]) -> list[str]:
    """The faults to run, in listing order; `--faults ""` runs none."""
    if option is None:
        return listed
    chosen = parse_faults(option)
    return [name for name in listed if name in chosen]


def _stages(wanted: str, among: str | None) -> str:
    """``wanted`` restricted to ``among`` (both comma lists; None = no restriction), in ``among``'s order."""
    if among is None:
        return wanted
    keep = set(wanted.split(","))
    return ",".join(stage for stage in among.split(",") if stage in keep)


def plan_clean(index: int, stages: str | None) -> Planned:
    """The i-th clean smoke gate."""
    args = ("--stages", stages) if stages else ()
    return Planned(f"clean {index}", args, {}, stages or "all")


def plan_fault(name: str, stages: str | None, fault_stages: str, out: Path) -> Planned | str:
    """The run that shows one fault, or why it is skipped."""
    evidence = FAULT_EVIDENCE.get(name)
    if evidence is None:
        return f"{name}: no entry in target_app.faults.FAULT_EVIDENCE (which budgets must catch it?)"
    args = ["--faults", name, "--profile", evidence.profile, *_option_args(evidence)]
    args += _budget_args(name, evidence, out)
    if evidence.stages_needed or fault_stages == "own":
        run_stages = _stages(evidence.stages, stages)
        if not run_stages:
            return f"{name}: its budgets live in {evidence.stages}, not among --stages {stages}"
        label = f"{run_stages} ({'needed' if evidence.stages_needed else 'own'})"
    else:
        run_stages, label = stages or "", stages or "all"
    if run_stages:
        args += ["--stages", run_stages]
    return Planned(name, tuple(args), dict(evidence.env), label)


def _option_args(evidence: FaultEvidence) -> list[str]:
    return [arg for option in evidence.options for arg in ("-o", option)]


def _budget_args(name: str, evidence: FaultEvidence, out: Path) -> list[str]:
    """The shipped budget file with the fault's patch appended, written beside its runs."""
    if not evidence.budget_patch:
        return []
    patched = out / f"budgets-{name}.toml"
    patched.write_text(SHIPPED.read_text(encoding="utf-8") + "\n" + evidence.budget_patch, encoding="utf-8")
    return ["--budgets", str(patched), "--known-failures", str(SHIPPED.with_name("known-failures.toml"))]


def run_harness(planned: Planned, folder: Path, options: list[str]) -> tuple[int, float]:
    """`harness run ... --out folder` in its own process group; (exit code, wall seconds)."""
    folder.mkdir(parents=True)
    started = time.monotonic()
    with (folder / "harness.log").open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "harness", "run", *planned.args, *options, "--out", str(folder)],
            cwd=ROOT,
            env={**os.environ, **planned.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            code = process.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            code = _stop(process)
            log.write(f"\ntrust: stopped after {RUN_TIMEOUT_S} s\n".encode())
        except BaseException:  # Ctrl-C: stop the whole run (target, Locust, browser) before leaving
            _stop(process)
            raise
    return code, time.monotonic() - started


def _stop(process: subprocess.Popen[bytes]) -> int:
    """Ctrl-C to the run's group (it marks itself incomplete), then SIGKILL if it does not end; its exit code."""
    for sig, grace_s in ((signal.SIGINT, INTERRUPT_GRACE_S), (signal.SIGKILL, 10)):
        with contextlib.suppress(ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(process.pid, sig)
            return process.wait(timeout=grace_s)
    return process.wait()


def read_row(planned: Planned, folder: Path, code: int, wall_s: float) -> Row:
    """The run's verdict.json turned into a table row (no verdict: the log's last line says why)."""
    verdict_file = folder / "latest" / "verdict.json"
    row = Row(planned.kind, planned.stages, code, wall_s, [], [], {}, [], str(folder))
    if not verdict_file.is_file():
        tail = (folder / "harness.log").read_text(encoding="utf-8", errors="replace").strip().splitlines()
        row.notes, row.has_verdict = [f"no verdict.json: {tail[-1] if tail else 'no output'}"], False
        return row
    verdict = json.loads(verdict_file.read_text(encoding="utf-8"))
    row.run_dir = str(verdict_file.parent.resolve())
    row.notes = [note for note in verdict.get("notes", ()) if not note.startswith(ROUTINE_NOTE)]
    for budget in verdict["budgets"]:
        _file_budget(row, budget)
    return row


def _file_budget(row: Row, budget: dict[str, Any]) -> None:
    status, name = budget["status"], budget["budget"]
    if status == "fail":
        row.breached.append(name)
    elif status == "warn" and budget["level"] == "warn":
        row.warned.append(name)
    elif status == "inconclusive":
        row.inconclusive[name] = budget["message"]
    elif status not in JUDGED:
        row.other[name] = f"{status}: {budget['message']}"


def base_id(result_id: str) -> str:
    """``endpoint_p95`` of ``endpoint_p95[GET /api/models]``."""
    return result_id.split("[", 1)[0]


def judge(row: Row) -> str:
    """clean / false alarm for a clean run; caught / missed / wrong budget for a fault run."""
    breached = {base_id(b) for b in row.breached}
    if not row.has_verdict:
        return "no verdict"
    if row.kind.startswith("clean"):
        return "false alarm" if breached else ("inconclusive" if _inconclusive(row) else "clean")
    evidence = FAULT_EVIDENCE[row.kind]
    hit = breached | {base_id(w) for w in row.warned}
    missing = [b for b in evidence.budgets if b not in hit]
    others = sorted(breached - {*evidence.budgets, *evidence.also})
    if not breached and not hit & {*evidence.budgets, *evidence.also}:
        unmeasured = [b for b in evidence.budgets if b in {base_id(i) for i in row.inconclusive}]
        return "missed" + (f" ({', '.join(unmeasured)} inconclusive)" if unmeasured else "")
    if missing or others:
        return "wrong budget: " + "; ".join(part for part in (_listed("not", missing), _listed("also", others)) if part)
    return "caught"


def _listed(label: str, names: list[str]) -> str:
    return f"{label} {', '.join(names)}" if names else ""


def _inconclusive(row: Row) -> bool:
    return bool(row.inconclusive) or row.exit_code not in (0, 1)


def summarise(rows: list[Row], skipped: list[str], total_s: float, full: bool) -> dict[str, Any]:
    """The counts the goal is judged on, with the runs behind each (``full``: the goal's 10 clean runs, every fault)."""
    clean = [r for r in rows if r.kind.startswith("clean")]
    faults = [r for r in rows if not r.kind.startswith("clean")]
    summary: dict[str, Any] = {
        "clean_runs": len(clean),
        "false_alarms": [r.kind for r in clean if r.breached],
        "clean_warnings": {r.kind: r.warned for r in clean if r.warned},
        "fault_runs": len(faults),
        "misses": [r.kind for r in faults if r.judgement.startswith("missed")],
        "wrong_budget": {r.kind: r.judgement for r in faults if r.judgement.startswith("wrong")},
        "inconclusive_runs": {r.kind: _why_inconclusive(r) for r in rows if _inconclusive(r)},
        "skipped": skipped,
        "total_wall_s": round(total_s, 1),
        "full": full,
    }
    clean_inconclusive = [k for k in summary["inconclusive_runs"] if k.startswith("clean")]
    all_caught = all(r.judgement == "caught" for r in faults)
    problems = summary["false_alarms"] or clean_inconclusive or skipped
    summary["goal_met"] = bool(rows) and all_caught and not problems
    return summary


def _why_inconclusive(row: Row) -> str:
    return _reasons_cell(row.inconclusive) if row.inconclusive else "; ".join([f"exit {row.exit_code}", *row.notes])


def _cell(items: list[str]) -> str:
    return ", ".join(items).replace("|", "\\|") or "-"


def _ids_cell(result_ids: list[str]) -> str:
    """Budget result ids, one entry per budget: ``endpoint_p95[GET /a, GET /b]``."""
    labels: dict[str, list[str]] = {}
    for result_id in result_ids:
        labels.setdefault(base_id(result_id), []).append(result_id[len(base_id(result_id)) + 1 : -1])
    return _cell([f"{name}[{', '.join(found)}]" if any(found) else name for name, found in labels.items()])


def _reasons_cell(inconclusive: dict[str, str]) -> str:
    """Inconclusive budgets grouped by the reason their messages give: ``a, b (3): reason``."""
    groups = _grouped({name: _reason(message) for name, message in inconclusive.items()})
    return _cell([f"{_counted(counts)}: {_short(reason)}" for reason, counts in groups.items()])


def _statuses_cell(other: dict[str, str]) -> str:
    """Budgets in statuses this script does not count, by status: ``not_enough_samples: a (8), b``."""
    groups = _grouped({name: text.split(":", 1)[0] for name, text in other.items()})
    return _cell([f"{status}: {_counted(counts)}" for status, counts in groups.items()])


def _grouped(keyed: dict[str, str]) -> dict[str, dict[str, int]]:
    """Result id -> key, turned into key -> budget id -> how many of its results."""
    groups: dict[str, dict[str, int]] = {}
    for name, key in keyed.items():
        counts = groups.setdefault(key, {})
        counts[base_id(name)] = counts.get(base_id(name), 0) + 1
    return groups


def _counted(counts: dict[str, int]) -> str:
    return ", ".join(name if n == 1 else f"{name} ({n})" for name, n in counts.items())


def _reason(message: str) -> str:
    """The cause in a budget message ("<metric> could not be judged against budget 'x': <cause>. Tip: ...")."""
    cause = message.split("': ", 1)[-1]
    return cause.split(" Tip: ", 1)[0]


def _short(text: str) -> str:
    return text if len(text) <= REASON_CHARS else text[: REASON_CHARS - 1] + "…"


def markdown(rows: list[Row], summary: dict[str, Any]) -> str:
    """The table and the summary as Markdown (what the console prints, and trust.md)."""
    lines = [
        "| run | stages | exit | judgement | breached | warn-level breached | inconclusive (why) | other | wall s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        cells = (r.kind, r.stages, r.exit_code, r.judgement, _ids_cell(r.breached), _ids_cell(r.warned))
        unjudged = (_reasons_cell(r.inconclusive), _statuses_cell(r.other), f"{r.wall_s:.0f}")
        lines.append("| " + " | ".join(map(str, (*cells, *unjudged))) + " |")
    clean, faults = summary["clean_runs"], summary["fault_runs"]
    lines += [
        "",
        f"- false alarms: {len(summary['false_alarms'])} of {clean} clean runs{_names(summary['false_alarms'])}",
        f"- misses: {len(summary['misses'])} of {faults} fault runs{_names(summary['misses'])}",
        f"- caught by the wrong budget: {len(summary['wrong_budget'])}{_names(list(summary['wrong_budget']))}",
        f"- inconclusive runs: {len(summary['inconclusive_runs'])}{_names(list(summary['inconclusive_runs']))}",
        *[f"  - {kind}: {why}" for kind, why in summary["inconclusive_runs"].items()],
        *[f"- skipped: {reason}" for reason in summary["skipped"]],
        f"- warn-level breaches on clean runs: {len(summary['clean_warnings'])}",
        f"- total wall time: {summary['total_wall_s'] / 60:.1f} min",
        f"- goal (0 false alarms, every fault caught by exactly its budgets, 0 inconclusive clean runs): "
        f"{'met' if summary['goal_met'] else 'NOT met'}{'' if summary['full'] else ' (partial run)'}",
    ]
    return "\n".join(lines) + "\n"


def _names(kinds: list[str]) -> str:
    return f" ({', '.join(kinds)})" if kinds else ""


def restricted_notes(faults: list[str]) -> list[str]:
    """One line per fault whose run differs from a plain smoke gate, saying how and why."""
    special = {name: FAULT_EVIDENCE[name].why for name in faults if name in FAULT_EVIDENCE}
    lines = [f"- {name}: {why}" for name, why in special.items() if why]
    return ["Fault runs that differ from a plain smoke gate:", *lines] if lines else []


def plan(args: argparse.Namespace, out: Path) -> tuple[list[Planned], list[str], list[str]]:
    """Every run to do, the faults skipped (with why), and the faults planned."""
    try:
        faults = chosen_faults(args.faults, listed_faults())
    except UnknownFaultError as exc:
        raise SystemExit(f"trust: {exc}") from None
    runs = [plan_clean(i + 1, args.stages) for i in range(args.clean)]
    skipped: list[str] = []
    for name in faults:
        planned = plan_fault(name, args.stages, args.fault_stages, out)
        if isinstance(planned, str):
            skipped.append(planned)
        else:
            runs.append(planned)
    return runs, skipped, faults


def run_all(runs: list[Planned], out: Path, options: list[str]) -> list[Row]:
    """Each run in turn, its row printed as it ends; Ctrl-C stops the current run and keeps the rows so far."""
    rows: list[Row] = []
    for index, planned in enumerate(runs, 1):
        print(f"[{index}/{len(runs)}] {planned.kind} (stages: {planned.stages}) ...", flush=True)
        folder = out / f"{index:02d}-{planned.kind.replace(' ', '-')}"
        try:
            code, wall_s = run_harness(planned, folder, options)
        except KeyboardInterrupt:
            print("    interrupted: the table below has the runs that ended", flush=True)
            break
        row = read_row(planned, folder, code, wall_s)
        row.judgement = judge(row)
        rows.append(row)
        print(f"    exit {code}, {row.judgement}, {wall_s:.0f} s", flush=True)
    return rows


def main(argv: list[str] | None = None) -> int:
    """Run the plan, then print the table and write it to trust.json and trust.md."""
    args = parse_args(argv)
    out = (args.out or ROOT / "harness-runs" / f"trust-{datetime.now(UTC):%Y%m%d-%H%M%S}").resolve()
    out.mkdir(parents=True, exist_ok=True)
    runs, skipped, faults = plan(args, out)
    started = time.monotonic()
    rows = run_all(runs, out, [arg for option in args.option for arg in ("-o", option)])
    skipped += [f"{planned.kind}: not run (interrupted)" for planned in runs[len(rows) :]]
    full = args.clean >= GOAL_CLEAN_RUNS and args.faults is None and args.stages is None
    summary = summarise(rows, skipped, time.monotonic() - started, full)
    table = markdown(rows, summary) + "\n".join(["", *restricted_notes(faults)]) + "\n"
    (out / "trust.md").write_text(table, encoding="utf-8")
    report = {"rows": [dataclasses.asdict(r) for r in rows], "summary": summary}
    (out / "trust.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print("\n" + table + f"\n(written: {out / 'trust.md'}, {out / 'trust.json'})")
    return 0 if summary["goal_met"] else 1


if __name__ == "__main__":
    sys.exit(main())
