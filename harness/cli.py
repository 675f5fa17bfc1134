"""The `harness` command: run, gate, report, target, trends.

Errors are typed (`HarnessError`) everywhere below and rendered once, here.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from harness.config import OPTIONS, PUSH_HELP, RunOption, load_settings, parse_stage_option
from vocabulary import secrets
from vocabulary.errors import HarnessError
from vocabulary.exit_codes import ExitCode
from vocabulary.profiles import PROFILES

DESCRIPTION = """A release gate for a web app: load, end-to-end, contract, security and accessibility stages
against the app, judged by one budget file; the exit code says go or no-go."""
STAGES_SLOT = "<stages>"
"""Where the help names the default stages: read from the stage registry (plugins included) only when shown."""
GUIDE = f"""stages (--stages, default all): {STAGES_SLOT}; coverage with --coverage
profiles (--profile, default smoke): {", ".join(PROFILES)}
faults (--faults): switches of an app the harness starts, declared by its target description;
  the bundled app lists its own: python -m target_app --list-faults
every setting, flag and stage option: harness options; every metric a budget can name: harness metrics"""
EPILOG = """exit codes: 0 every applicable budget met, 1 a budget breached, 2 inconclusive (the run did not
measure what a budget needs), 3 harness error, 4 usage error (bad flag, budget file or config)"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors with exit code 4 instead of 2 (2 means inconclusive)."""

    def error(self, message: str) -> Any:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.USAGE_ERROR, f"{self.prog}: error: {message}\n")

    def format_help(self) -> str:
        """The help, with the stages the registry runs by default."""
        from stagekit import stages

        return super().format_help().replace(STAGES_SLOT, ", ".join(stages.default_stages()))


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    raw = argparse.RawDescriptionHelpFormatter
    parser = _Parser(prog="harness", description=DESCRIPTION, epilog=f"{GUIDE}\n\n{EPILOG}", formatter_class=raw)
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    run_help = "start or attach the target, run the stages, gate and report"
    add_run_arguments(
        sub.add_parser("run", help=run_help, description=f"{run_help}\n\n{GUIDE}", epilog=EPILOG, formatter_class=raw)
    )

    gate = sub.add_parser(
        "gate", help="re-evaluate a saved run offline, into a new folder (the run is never changed)", epilog=EPILOG
    )
    gate.add_argument("run_dir", type=Path, metavar="RUN_DIR")
    gate.add_argument(
        "--out", type=Path, metavar="DIR", help="folder for the verdict and reports (default: RUN_DIR.regate-<time>)"
    )
    gate.add_argument("--budgets", type=Path, help="budget file (default: the shipped one)")
    gate.add_argument("--known-failures", type=Path, help="accepted findings file")
    gate.add_argument("--baseline", type=Path, metavar="RUN_DIR", help="an earlier run to compare with")
    gate.add_argument("--profile", choices=PROFILES, help="judge with another profile's budgets")
    gate.add_argument("--push-metrics", metavar="URL", help=PUSH_HELP)
    gate.add_argument(
        "--allow-remote", nargs="+", default=(), metavar="HOST", help="hosts --push-metrics may reach besides loopback"
    )

    report = sub.add_parser("report", help="re-render the reports of a saved run")
    report.add_argument("run_dir", type=Path, metavar="RUN_DIR")

    target = sub.add_parser("target", help="serve the bundled app in the foreground (QA, debugging)")
    target.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    target.add_argument("--workers", type=int, default=1, help="uvicorn workers (default: 1)")
    target.add_argument("--faults", default="", help="fault switches, e.g. slow-catalogue")
    target.add_argument("--data-dir", type=Path, help="where the database and uploads live")

    init = sub.add_parser("init", help="probe a running app and write a starter configuration and budget file")
    init.add_argument("url", nargs="?", default="http://127.0.0.1:8000", help="the running app (default: %(default)s)")
    init.add_argument("--allow-remote", action="store_true", help="allow a non-loopback host")

    sub.add_parser("options", help="every option of the target description, of `harness run` and of each stage")
    sub.add_parser("metrics", help="every metric each stage publishes, with its unit and values (for budget files)")

    trends = sub.add_parser("trends", help="key metrics over the last runs")
    trends.add_argument("--out", type=Path, default=Path("harness-runs"), help="folder holding history.jsonl")
    trends.add_argument("--last", type=int, default=10, help="how many runs (default: 10)")
    return parser


def _version() -> str:
    """The installed distribution's version (a checkout that is not installed says so)."""
    try:
        return version("release-harness")
    except PackageNotFoundError:
        return "(not installed: run it from an installed release-harness)"


def add_run_arguments(run: argparse.ArgumentParser) -> None:
    """The flags of `harness run`: one per setting that has a flag (`harness.config.Settings`), then the
    stage options."""
    for option in OPTIONS:
        if option.flag:
            run.add_argument(option.flag_name, dest=option.name, help=option.help, **_argparse_kind(option))
    run.add_argument("--zap-url", help="a running ZAP daemon for the security stage, e.g. http://127.0.0.1:8090")
    run.add_argument(
        "-o",
        "--option",
        action="append",
        default=[],
        metavar="STAGE.KEY=VALUE",
        help="a stage option, like [tool.harness.<stage>] in pyproject.toml, e.g. -o load.users=50",
    )


def _argparse_kind(option: RunOption) -> dict[str, Any]:
    """How argparse reads the flag; every value stays None when not given, so lower sources stand."""
    if option.kind == "bool":
        return {"action": "store_true", "default": None}
    if option.kind == "hosts":
        return {"nargs": "*", "metavar": option.metavar or "HOST"}
    kind: dict[str, Any] = {"type": {"path": Path, "int": int, "float": float}.get(option.kind, str)}
    if option.choices:
        kind["choices"] = option.choices
    if option.metavar:
        kind["metavar"] = option.metavar
    return kind


def _cmd_run(args: argparse.Namespace) -> ExitCode:
    from harness import pipeline

    flags: dict[str, Any] = {option.name: getattr(args, option.name) for option in OPTIONS if option.flag}
    flags["stage_options"] = _stage_options(args)
    settings = load_settings(flags)
    if settings.push_metrics:
        from reports.prometheus import check_push_url

        check_push_url(settings.push_metrics, settings.allow_remote)  # before anything starts
    code, finished = pipeline.run(settings)
    if finished.verdict is not None:
        # Imported once there is a verdict: the report stack's import costs a refusal half a second.
        from reports import ci
        from reports.terminal import print_verdict

        print_verdict(finished.verdict, finished.run.path)
        ci.publish(finished.run.path, finished.inputs.budgets)  # the step summary and annotations of CI
        _push_metrics(finished.run.path, settings.push_metrics)
    return code


def _push_metrics(folder: Path, url: str | None) -> None:
    """Push the figures of ``folder`` when asked; a failed push is a warning: the verdict (and its exit
    code) stands, a dashboard missing one point must neither block nor pass a release."""
    if not url:
        return
    from reports.prometheus import push

    try:
        print(f"metrics pushed to {push(folder, url)}")
    except HarnessError as exc:
        print(secrets.redact(f"warning: {exc.message}\ntip: {exc.tip}"), file=sys.stderr)


def _stage_options(args: argparse.Namespace) -> dict[str, dict[str, Any]]:
    options: dict[str, dict[str, Any]] = {}
    for text in args.option:
        stage, key, value = parse_stage_option(text)
        options.setdefault(stage, {})[key] = value
    if args.zap_url:
        options.setdefault("security", {})["zap_url"] = args.zap_url
    return options


def _cmd_gate(args: argparse.Namespace) -> ExitCode:
    from harness import gate
    from reports import ci, write_all
    from reports.terminal import print_verdict
    from vocabulary.rundir import RunDir

    if args.push_metrics:
        from reports.prometheus import check_push_url

        check_push_url(args.push_metrics, tuple(args.allow_remote))
    run = RunDir.open(args.run_dir)
    inputs = gate.load_inputs(args.budgets, args.known_failures, args.baseline)
    given = {key: getattr(args, key) for key in ("budgets", "known_failures", "baseline", "profile")}
    folder = gate.regate_folder(run, args.out, given)
    verdict = gate.judge(run, inputs, profile=args.profile, out=folder)
    try:
        write_all(folder)
    except HarnessError as exc:
        verdict = gate.add_error(folder, verdict, exc, run_complete=bool(run.meta().get("complete", True)))
        print(secrets.redact(exc.render()), file=sys.stderr)
    print_verdict(verdict, folder)
    ci.publish(folder, inputs.budgets)
    _push_metrics(folder, args.push_metrics)
    return verdict.exit_code


def _cmd_report(args: argparse.Namespace) -> ExitCode:
    from reports import write_all

    # A run folder or a re-gate folder; without a verdict.json `write_all` says to gate it first.
    for path in write_all(args.run_dir):
        print(path)
    return ExitCode.OK


def _cmd_target(args: argparse.Namespace) -> ExitCode:
    from stagekit.description import require_bundled_app

    require_bundled_app()
    from target_app.server import serve

    faults = tuple(f for f in args.faults.split(",") if f)
    serve(host="127.0.0.1", port=args.port, workers=args.workers, faults=faults, data_dir=args.data_dir)
    return ExitCode.OK


def _cmd_trends(args: argparse.Namespace) -> ExitCode:
    from reports.history import render_trends

    print(render_trends(args.out, args.last))
    return ExitCode.OK


def _cmd_init(args: argparse.Namespace) -> ExitCode:
    from harness import init

    found = init.probe(args.url, allow_remote=args.allow_remote)
    for path in init.write(found, Path.cwd()):
        print(f"wrote {path}")
    print(f"\nwhat `harness run` will do on {found.url}:")
    for line in init.plan(found):
        print(f"  {line}")
    return ExitCode.OK


def _cmd_options(args: argparse.Namespace) -> ExitCode:
    from stagekit.description import option_reference

    print("Target description: [tool.harness.target] in pyproject.toml, or [target] in harness.toml\n")
    for key, kind, default, meaning in option_reference():
        print(f"{key}  ({kind}{', default ' + default if default else ''})\n    {meaning}")
    print("\n`harness run` settings: [tool.harness] keys, HARNESS_<KEY> variables, --<key> flags\n")
    for option in OPTIONS:
        print(f"{option.name}  ({option.facts()})\n    {option.help}")
    flags = argparse.ArgumentParser(add_help=False)
    add_run_arguments(flags)
    for action in flags._actions:
        if action.dest not in {option.name for option in OPTIONS}:
            print(f"{', '.join(action.option_strings)}\n    {action.help}")
    _print_stage_options()
    return ExitCode.OK


def _print_stage_options() -> None:
    """Each stage's table: ``[tool.harness.<stage>]`` in pyproject.toml, or ``-o <stage>.KEY=VALUE``."""
    from stagekit import stages

    for stage in stages.option_stages():
        print(f"\n{stage} stage: [tool.harness.{stage}] keys, -o {stage}.KEY=VALUE flags\n")
        for option in stages.options_of(stage):
            facts = (
                option.type_name,
                f"default {option.shown_default}" if option.shown_default else "",
                option.constraint,
                f"env {option.env}" if option.env else "",
            )
            print(f"{stage}.{option.name}  ({', '.join(filter(None, facts))})\n    {option.help}")


def _cmd_metrics(args: argparse.Namespace) -> ExitCode:
    """Each stage's published metrics: the names a budget's ``metric`` may use, and the values they take."""
    from stagekit import stages

    print('Metrics each stage publishes (a budget\'s metric; ["*"] is a label: write one, or "*" for all)')
    for stage in stages.metric_stages():
        print(f"\n{stage} stage\n")
        for metric in stages.metrics_of(stage):
            print(f"{metric.name}  ({metric.unit}, {metric.shown_bounds})\n    {metric.help}")
    return ExitCode.OK


COMMANDS = {
    "run": _cmd_run,
    "gate": _cmd_gate,
    "report": _cmd_report,
    "target": _cmd_target,
    "trends": _cmd_trends,
    "init": _cmd_init,
    "options": _cmd_options,
    "metrics": _cmd_metrics,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `harness` console script; returns the process exit code."""
    args = build_parser().parse_args(argv)
    secrets.register_environment(dict(os.environ))
    try:
        return int(COMMANDS[args.command](args))
    except HarnessError as exc:
        print(secrets.redact(exc.render()), file=sys.stderr)
        return int(exc.exit_code)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return int(ExitCode.INCONCLUSIVE)
    except Exception:  # noqa: BLE001 - the CLI boundary: a bug ends in 3, never in Python's 1 ("breached")
        traceback.print_exc()
        print("error: the harness crashed (a bug)\ntip: please file a bug with the traceback above", file=sys.stderr)
        return int(ExitCode.HARNESS_ERROR)


if __name__ == "__main__":
    sys.exit(main())
