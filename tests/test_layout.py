"""The crate's layout stays findable: files small enough to read, modules that depend one way only, and the
registry (`helpers/src/registry.rs`) as the one list of the lab's experiments."""

import re
import subprocess

from conftest import ROOT

SRC = ROOT / "helpers" / "src"
MAX_LINES = 400


def tracked(*patterns):
    out = subprocess.run(["git", "ls-files", *patterns], cwd=ROOT, capture_output=True, text=True, check=True)
    return [ROOT / p for p in out.stdout.split()]


def test_no_source_file_over_400_lines():
    long = [f"{p.relative_to(ROOT)} ({n} lines)" for p in tracked("*.rs", "*.py")
            if (n := len(p.read_text().splitlines())) > MAX_LINES]
    assert not long, f"split these by what they hold: {long}"


def module_of(path):
    """A file's top-level module: `questions/q3/run.rs` -> questions, `chart/lines.rs` -> chart."""
    rel = path.relative_to(SRC)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def crate_refs(text):
    """Every top-level module a file names through `crate::`, including `use crate::{a, b::c}` groups."""
    text = re.sub(r"//[^\n]*", "", text).split("#[cfg(test)]\nmod tests")[0]  # unit tests may look anywhere
    names = set(re.findall(r"crate::([a-z_][a-z0-9_]*)", text))
    for group in re.findall(r"crate::\{([^}]*)\}", text):
        names |= {n.split("::")[0].strip() for n in group.split(",") if n.strip()}
    return names


def module_graph():
    lib = (SRC / "lib.rs").read_text()
    # The prelude lives in lib.rs: naming it means naming what it re-exports.
    prelude = crate_refs(lib[lib.index("pub mod prelude"):])
    graph = {}
    for path in SRC.rglob("*.rs"):
        if path.name == "lib.rs" or "bin" in path.relative_to(SRC).parts:
            continue
        mod = module_of(path)
        refs = crate_refs(path.read_text())
        if "prelude" in refs:
            refs = (refs - {"prelude"}) | prelude
        graph.setdefault(mod, set()).update(r for r in refs if r != mod)
    return graph


def cycle(graph):
    """One import circle as a list of modules, or None."""
    state, stack = {}, []

    def visit(m):
        state[m] = "open"
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == "open":
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        state[m] = "done"
        stack.pop()
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_the_checker_finds_a_circle():
    assert cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert crate_refs("use crate::{error::Result, params};\n// crate::ignored\nlet x = crate::units::fmt_s(1.0);") \
        == {"error", "params", "units"}


def test_no_import_circle_between_the_crates_modules():
    graph = module_graph()
    assert {"questions", "registry", "process", "paths", "runner", "watchdog"} <= set(graph), sorted(graph)
    found = cycle(graph)
    assert found is None, f"import circle: {' -> '.join(found)}"


def test_the_registry_is_the_only_list_of_experiments():
    """Outside the registry (and the module declarations its entries need), no line lists three or more
    experiments: such lists go stale, the registry does not (`lab list --names` reads it)."""
    allowed = {SRC / "registry.rs", SRC / "questions" / "mod.rs", SRC / "lib.rs"}
    lists = []
    for path in tracked("*.rs", "*.py", "*.ipynb", "Makefile", "*.j2", "*.toml", "*.md"):
        if path in allowed:
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if len(set(re.findall(r"\bq([1-9])\b", line))) >= 3:
                lists.append(f"{path.relative_to(ROOT)}:{n}")
    assert not lists, f"read the list from the registry (`lab list`) instead: {lists}"


def test_judges_reach_verdicts_only_through_the_judging_policy():
    """A judge never names a verdict or builds a finding itself: it compares quantities and decides through
    `judging`'s shapes (`helpers/src/judging`), so that every verdict comes from a number against a line, a
    definition, or a mechanism the language lacks."""
    forbidden = re.compile(r"Verdict::|Finding::decided|Finding::fixture|(?<!-> )Finding\s*\{|\.verdict\s*=|\.decision\s*=")
    found = []
    for path in (SRC / "questions").rglob("*.rs"):
        if path.name.endswith("_tests.rs"):
            continue
        code = re.sub(r"//[^\n]*", "", path.read_text()).split("#[cfg(test)]\nmod tests")[0]
        found += [f"{path.relative_to(ROOT)}: {m.group(0)}" for m in forbidden.finditer(code)]
    assert not found, f"decide through judging instead: {found}"
    # The check sees what it must refuse.
    assert forbidden.search("let v = Verdict::Confirmed;") and forbidden.search("Finding { verdict, ..f }")
    assert not forbidden.search("fn rule(r: &LabResult) -> Finding {")
