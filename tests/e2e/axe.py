"""axe-core in the browser tests: inject the vendored axe.min.js, run it, and describe the
serious and critical violations so a failing test says what to fix."""

from __future__ import annotations

from pathlib import Path

AXE_JS = Path(__file__).parent / "vendor" / "axe.min.js"
# Minor and moderate findings are advice; these two stop someone from using the page.
BLOCKING_IMPACTS = ("serious", "critical")
TARGETS_SHOWN = 3


def axe_violations(page) -> list[dict]:
    """axe's serious and critical violations on the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_JS))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [rule for rule in results["violations"] if rule["impact"] in BLOCKING_IMPACTS]


def violations_described(violations: list[dict]) -> str:
    """One line per rule: id, impact, how many elements, the first few targets, the help."""
    lines = []
    for rule in violations:
        targets = [" ".join(map(str, node["target"])) for node in rule["nodes"]]
        shown = ", ".join(targets[:TARGETS_SHOWN]) + (" …" if len(targets) > TARGETS_SHOWN else "")
        lines.append(
            f"{rule['id']} ({rule['impact']}, {len(targets)} elements: {shown}): {rule['help']}"
        )
    return "\n".join(lines)
