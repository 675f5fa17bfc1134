"""JUnit XML with one test case per (operation, check), so CI shows exactly what broke where."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from xml.etree import ElementTree

from contracts.events import CheckFailure, Observations
from contracts.findings import curl, group
from vocabulary import atomic, secrets

# Fuzzed payloads carry characters XML 1.0 forbids even escaped; show them as Python escapes.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def case_name(operation: str, check: str) -> str:
    """The test-case name: unique per operation and check."""
    return f"{operation} :: {check}"


def write(path: Path, seen: Observations) -> Path:
    """Write the report: passed pairs, failed pairs (message + reproduction), and tool errors."""
    failed = {(operation, check): cases for (check, operation), cases in group(seen.failures).items()}
    pairs = sorted(seen.checked | set(failed))
    errors: dict[str, list[str]] = defaultdict(list)
    for error in seen.errors:
        errors[error.label].append(error.message)
    suites = ElementTree.Element("testsuites")
    suite = ElementTree.SubElement(suites, "testsuite", {"name": "contracts"})
    for operation, check in pairs:
        case = _case(suite, case_name(operation, check))
        if (operation, check) in failed:
            _outcome(case, "failure", *_failure_text(failed[(operation, check)]))
    for label, messages in sorted(errors.items()):
        _outcome(_case(suite, case_name(label, "schemathesis-error")), "error", messages[0], "\n\n".join(messages))
    counts = {"tests": str(len(pairs) + len(errors)), "failures": str(len(failed)), "errors": str(len(errors))}
    suite.attrib.update(counts)
    suites.attrib.update(counts)
    ElementTree.indent(suites)
    atomic.write_text(path, '<?xml version="1.0" encoding="utf-8"?>\n' + ElementTree.tostring(suites, "unicode"))
    return path


def _case(suite: ElementTree.Element, name: str) -> ElementTree.Element:
    return ElementTree.SubElement(suite, "testcase", {"classname": "contracts", "name": _clean(name)})


def _outcome(case: ElementTree.Element, kind: str, message: str, text: str) -> None:
    element = ElementTree.SubElement(case, kind, {"message": _clean((message.splitlines() or [""])[0][:200])})
    element.text = _clean(text)


def _failure_text(cases: list[CheckFailure]) -> tuple[str, str]:
    first = cases[0]
    title = f"{first.title} ({first.code})"
    return title, f"{title}\n\n{first.message}\n\nReproduce with:\n\n    {curl(first.request)}\n"


def _clean(text: str) -> str:
    return _XML_ILLEGAL.sub(lambda match: ascii(match.group())[1:-1], secrets.redact(text))
