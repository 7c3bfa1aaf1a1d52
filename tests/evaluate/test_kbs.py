"""KB specs: the shipped kbs.toml, its validation, and cache keys that change with the spec."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from engine.errors import ConfigError
from engine.evaluate.kbs import KbSource, KbSpec, load_kb_specs, resolve_kb

ROOT = Path(__file__).resolve().parents[2]
KBS = ROOT / "evals" / "kbs.toml"


def test_shipped_specs() -> None:
    specs = load_kb_specs(KBS)
    assert set(specs) == {"plausible", "kb_samples", "wixqa", "techqa", "mtrag-govt"}
    plausible = specs["plausible"]
    assert [s.path for s in plausible.sources] == [
        ROOT / "evals/datasets/plausible-docs/articles",
        ROOT / "evals/datasets/plausible-docs/retired",
    ]
    assert plausible.sources[1].overrides == {"status": "archived"}
    assert plausible.now is None
    assert specs["kb_samples"].now == datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert specs["kb_samples"].clock()() == datetime(2026, 11, 23, 12, tzinfo=UTC)
    assert specs["kb_samples"].changelog == ROOT / "kb_samples" / "changelog.yml"
    assert specs["kb_samples"].changelog.is_file()
    assert all(s.path.exists() for spec in specs.values() for s in spec.sources)


def test_cache_key_follows_the_spec() -> None:
    base = KbSpec("kb", (KbSource("kb", Path("x")),))
    archived = KbSpec("kb", (KbSource("kb", Path("x"), {"status": "archived"}),))
    dated = KbSpec("kb", (KbSource("kb", Path("x")),), now=datetime(2026, 1, 1, tzinfo=UTC))
    assert len({base.key, archived.key, dated.key}) == 3
    assert base.key == KbSpec("kb", (KbSource("kb", Path("x")),)).key
    assert base.key.startswith("kb-")


def test_bad_specs_say_what_to_fix(tmp_path: Path) -> None:
    evals = tmp_path / "evals"
    evals.mkdir()
    path = evals / "kbs.toml"
    path.write_text("[empty]\n")
    with pytest.raises(ConfigError, match=r"\[empty\] needs at least one"):
        load_kb_specs(path)
    path.write_text('[kb]\nnow = "yesterday"\n[[kb.sources]]\npath = "x"\n')
    with pytest.raises(ConfigError, match="ISO date-time"):
        load_kb_specs(path)


def test_resolve_by_name_or_path(tmp_path: Path) -> None:
    assert resolve_kb("kb_samples", KBS).name == "kb_samples"
    folder = tmp_path / "mykb"
    folder.mkdir()
    adhoc = resolve_kb(str(folder), KBS)
    assert adhoc.sources[0].path == folder.resolve() and adhoc.now is None
    with pytest.raises(ConfigError, match="known: kb_samples, mtrag-govt, plausible, techqa, wixqa"):
        resolve_kb("nope", KBS)


def test_a_kb_may_name_its_sensitive_policy_which_does_not_change_its_cache(tmp_path: Path) -> None:
    (tmp_path / "evals").mkdir()
    path = tmp_path / "evals" / "kbs.toml"
    sources = '[[gov.sources]]\npath = "kb"\n'
    path.write_text("[gov]\n" + sources)
    plain = load_kb_specs(path)["gov"]
    path.write_text('[gov]\nsensitive_policy = "policies/gov.toml"\n' + sources)

    gov = load_kb_specs(path)["gov"]

    assert gov.sensitive_policy == tmp_path / "policies" / "gov.toml" and plain.sensitive_policy is None
    assert gov.key == plain.key  # the index does not depend on the policy
    path.write_text("[gov]\nsensitive_policy = 3\n" + sources)
    with pytest.raises(ConfigError, match=r"sensitive_policy of \[gov\] must be a path"):
        load_kb_specs(path)
