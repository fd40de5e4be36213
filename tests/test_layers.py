"""The import rule of the README's "Where a rule lives (layers)", read from the source (no module is imported).

Layers by kind, one direction: doors -> services -> selectors -> models -> pure modules.
Across apps, everything but a door follows the foreign keys: contracts <- schedules <-
invoicing. A pure module imports neither Django nor anything but other pure modules.
No import cycle, counting the package `__init__` an import runs.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parent.parent
PACKAGES = (
    "billing_site",
    "accounts",
    "webhooks",
    "contracts",
    "schedules",
    "invoicing",
    "demo",
    "api",
)

PURE, MODEL, SELECTOR, SERVICE, DOOR, CONFIG = range(6)
LAYER_NAMES = ("pure module", "model", "selector", "service", "door", "configuration")
# Apps in foreign-key order; project-wide helpers in billing_site come first.
# accounts (a person's own preferences) depends on no app; webhooks (a generic outbox that
# knows nothing of invoices) neither: invoicing publishes through it, never the other way.
APP_ORDER = {
    "billing_site": 0,
    "accounts": 1,
    "webhooks": 2,
    "contracts": 3,
    "schedules": 4,
    "invoicing": 5,
    "demo": 6,
    "api": 7,
}

PURE_MODULES = {
    "billing_site.errors",
    "billing_site.retries",
    "webhooks.events",
    "webhooks.errors",
    "webhooks.signing",
    "invoicing.money",
    "invoicing.money_format",
    "contracts.errors",
    "contracts.vat",
    "schedules.cycles",
    "schedules.posting_periods",
    "schedules.errors",
    "invoicing.errors",
    "invoicing.line_amounts",
    "invoicing.drafting",
    "invoicing.change_log_drafting",
    "invoicing.credit_drafts",
    "invoicing.decrease_credits",
    "invoicing.tax_categories",
    "invoicing.post_invoicing.errors",
    "accounts.api_keys",
}
# Settings, the URL map, the Celery app, the WSGI/ASGI entry points and the local servers
# wire the whole project together: they stand above every layer.
CONFIG_MODULES = {
    "billing_site.settings",
    "billing_site.urls",
    "billing_site.wsgi",
    "billing_site.asgi",
    "billing_site.devserver",
    "billing_site.local_services",
    "billing_site",
    "manage",
}
# The benchmark's drivers: they build books, start processes and workers, time the doors.
BENCHMARK_DOORS = {
    "invoicing.benchmarks",
    "invoicing.bench_floor",
    "invoicing.bench_measure",
    "invoicing.bench_celery",
}
DOOR_PARTS = {"views", "forms", "admin", "tasks", "urls", "management", "templatetags", "apps"}


def layer_of(module: str) -> int:
    parts = module.split(".")
    if module in CONFIG_MODULES:
        return CONFIG
    if module in PURE_MODULES:
        return PURE
    # The REST API is a door through and through, like the pages.
    if parts[0] in {"demo", "api"} or module in BENCHMARK_DOORS:
        return DOOR
    # The Celery app object is what doors (tasks, the health check) send and ping with.
    named_as_door = any(part.endswith(("_views", "_urls")) for part in parts)
    if DOOR_PARTS & set(parts) or named_as_door:
        return DOOR
    if module in {"billing_site.celery", "billing_site.health"}:
        return DOOR
    if parts[-1] in {"admin_helpers", "invoice_admin"}:
        return DOOR
    if parts[-1] == "models" or module in {
        "billing_site.lookups",
        "billing_site.actors",
        "billing_site.dates",
    }:
        return MODEL
    if "selectors" in parts:
        return SELECTOR
    return SERVICE


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    at_module_level: bool


def _module_name(path: Path) -> str:
    name = ".".join(path.relative_to(PROJECT_DIR).with_suffix("").parts)
    return name.removesuffix(".__init__")


@cache
def project_modules() -> dict[str, Path]:
    paths = [PROJECT_DIR / "manage.py"]
    for package in PACKAGES:
        paths += (PROJECT_DIR / package).rglob("*.py")
    return {_module_name(p): p for p in paths if "migrations" not in p.parts}


def _under_type_checking(node: ast.If) -> bool:
    return isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING"


def _imports_of(module: str, path: Path) -> list[Import]:
    """Every project import of the module, nested ones too, but not those under
    `if TYPE_CHECKING:` (annotations only: nothing is run)."""
    found: list[Import] = []

    def visit(node: ast.AST, at_module_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _under_type_checking(child):
                continue
            nested = at_module_level and not isinstance(
                child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda
            )
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [alias.name for alias in child.names]
            elif isinstance(child, ast.ImportFrom) and child.module and child.level == 0:
                # `from package import submodule` imports the submodule when there is one.
                names = [
                    f"{child.module}.{alias.name}"
                    if f"{child.module}.{alias.name}" in project_modules()
                    else child.module
                    for alias in child.names
                ]
            for name in names:
                if name.split(".")[0] in PACKAGES:
                    found.append(Import(module, name, child.lineno, at_module_level))
            visit(child, nested)

    visit(ast.parse(path.read_text()), True)
    return found


@cache
def all_imports() -> list[Import]:
    return [i for m, p in project_modules().items() for i in _imports_of(m, p)]


def _is_lazy_task_import(i: Import) -> bool:
    """A service may load a task module inside a function, to queue it: task modules
    import services, so at module level that import would be a cycle."""
    return not i.at_module_level and i.imported.split(".")[-1] == "tasks"


def layer_violations(imports: list[Import]) -> list[str]:
    refused: set[str] = set()
    for i in imports:
        if i.imported not in project_modules():
            continue
        source, target = layer_of(i.importer), layer_of(i.imported)
        where = f"{i.importer}:{i.line} imports {i.imported}"
        if source == SERVICE and target == DOOR and _is_lazy_task_import(i):
            continue
        if target > source:
            refused.add(f"{where}: a {LAYER_NAMES[source]} imports a {LAYER_NAMES[target]}")
            continue
        app, other = i.importer.split(".")[0], i.imported.split(".")[0]
        follows_foreign_keys = APP_ORDER.get(other, 0) <= APP_ORDER.get(app, 0)
        if source < DOOR and target != PURE and not follows_foreign_keys:
            refused.add(f"{where}: {app} comes before {other} in foreign-key order")
    return sorted(refused)


def pure_module_violations() -> list[str]:
    """Django, or a project module that is not pure, imported by a pure module or by a
    package __init__ that importing one runs (annotations under TYPE_CHECKING aside)."""
    runs = {p for m in PURE_MODULES for p in _executed_by("", m) if p not in PURE_MODULES}
    checked = PURE_MODULES | runs
    refused = [
        f"{i.importer}:{i.line} imports {i.imported}"
        for i in all_imports()
        if i.importer in checked and i.imported not in PURE_MODULES
    ]
    for module in sorted(checked):
        for node in ast.walk(ast.parse(project_modules()[module].read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            refused += [
                f"{module}:{node.lineno} imports {n}" for n in names if n.startswith("django")
            ]
    return sorted(refused)


def _executed_by(importer: str, imported: str) -> list[str]:
    """The modules an import runs: each enclosing package's __init__, then the module,
    less the importer's own packages (already running when the importer runs)."""
    parts = imported.split(".")
    enclosing = importer.split(".")
    return [
        name
        for name in (".".join(parts[:n]) for n in range(1, len(parts) + 1))
        if name in project_modules()
        and name != importer
        and name.split(".") != enclosing[: len(name.split("."))]
    ]


def import_cycle(imports: list[Import]) -> list[str]:
    """A loop of module-level imports (empty when there is none)."""
    graph: dict[str, set[str]] = {}
    for i in imports:
        if i.at_module_level:
            graph.setdefault(i.importer, set()).update(_executed_by(i.importer, i.imported))
    try:
        TopologicalSorter(graph).prepare()
    except CycleError as cycle:
        return cycle.args[1]
    return []


def test_no_import_runs_against_the_layers():
    assert layer_violations(all_imports()) == []


def test_pure_modules_import_no_django():
    assert pure_module_violations() == []


def test_no_import_cycle():
    assert import_cycle(all_imports()) == []


@pytest.mark.parametrize(
    ("importer", "imported"),
    [
        ("invoicing.selectors.runs", "invoicing.services.bulk"),
        ("invoicing.models", "invoicing.selectors.runs"),
        ("schedules.cycles", "schedules.models"),
        ("invoicing.services.writing", "invoicing.views.generate"),
        ("contracts.selectors", "invoicing.models"),
        ("schedules.services.keeping", "invoicing.selectors.runs"),
        ("webhooks.services.publishing", "invoicing.models"),
    ],
)
def test_an_import_against_the_layers_is_refused(importer, imported):
    assert layer_violations([Import(importer, imported, 1, at_module_level=True)])


def test_a_service_may_load_a_task_module_only_inside_a_function():
    late = Import("invoicing.services.bulk", "invoicing.tasks", 1, at_module_level=False)
    early = Import("invoicing.services.bulk", "invoicing.tasks", 1, at_module_level=True)
    assert layer_violations([late]) == []
    assert layer_violations([early])


def test_a_loop_through_a_package_init_is_a_cycle():
    # The models of one package importing another whose __init__ loads a module that
    # imports those models back: the loop only held by the order of lines.
    imports = [
        Import("invoicing.models", "invoicing.post_invoicing.models", 1, True),
        Import("invoicing.post_invoicing", "invoicing.post_invoicing.scheduling", 1, True),
        Import("invoicing.post_invoicing.scheduling", "invoicing.models", 1, True),
    ]
    assert import_cycle(imports)


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("invoicing.views.generate", DOOR),
        ("invoicing.post_invoicing.tasks", DOOR),
        ("invoicing.services.writing", SERVICE),
        ("invoicing.selectors.runs", SELECTOR),
        ("invoicing.post_invoicing.models", MODEL),
        ("schedules.cycles", PURE),
    ],
)
def test_modules_are_read_as_the_layer_their_name_says(module, layer):
    assert module in project_modules()
    assert layer_of(module) == layer
