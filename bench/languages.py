"""Language detectors side by side on the labelled language set: accuracy, memory and time per question.

The set: every English question of the two golden sets written over English help centers (kb_samples, Plausible),
the German ones of kb_samples, and evals/golden/languages.jsonl (12 short support questions in each of de, fr, es,
it, nl, pt). Each detector runs in its own process so its resident memory is its own. Usage:

    PYTHONPATH=. .venv/bin/python -m bench.languages        # writes bench/results/DATE-COMMIT-languages.md
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from bench.run import default_name
from engine.evaluate.golden import load_golden

ROOT = Path(__file__).resolve().parents[1]
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pt")
DETECTORS = ("lingua-high", "lingua-low", "py3langid", "langdetect", "pycld2")
"""Compared here; the engine serves with pycld2 (engine/dialogue/language.py). The others are not dependencies of
the engine: `pip install lingua-language-detector py3langid langdetect` before running this comparison."""


def labelled() -> list[tuple[str, str]]:
    """(question, language) pairs."""
    pairs = [(r.question, r.locale or "en") for name in ("kb_samples", "plausible")
             for r in load_golden(ROOT / "evals" / "golden" / f"{name}.jsonl").records]
    with (ROOT / "evals" / "golden" / "languages.jsonl").open(encoding="utf-8") as handle:
        pairs += [(row["question"], row["language"]) for row in map(json.loads, handle)]
    return pairs


def _detector(name: str):  # type: ignore[no-untyped-def]
    """A function text → (language or None): each library restricted to LANGUAGES, unsure → None."""
    if name.startswith("lingua"):
        from lingua import IsoCode639_1, LanguageDetectorBuilder

        builder = LanguageDetectorBuilder.from_iso_codes_639_1(*(IsoCode639_1.from_str(c) for c in LANGUAGES))
        lingua = (builder.with_low_accuracy_mode() if name == "lingua-low" else builder).build()

        def confident(text: str) -> str | None:  # as the engine used it: trusted at confidence >= 0.6
            values = lingua.compute_language_confidence_values(text)
            return str(values[0].language.iso_code_639_1.name.lower()) if values and values[0].value >= 0.6 else None

        return confident
    if name == "pycld2":
        from engine.dialogue.language import LanguageDetector

        return LanguageDetector(LANGUAGES).detect
    if name == "py3langid":
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        identifier.set_languages(list(LANGUAGES))
        return lambda text: (lambda found: found[0] if found[1] >= 0.6 else None)(identifier.classify(text))
    if name == "langdetect":
        from langdetect import DetectorFactory, detect_langs

        DetectorFactory.seed = 0

        def detect(text: str) -> str | None:
            try:
                best = max((c for c in detect_langs(text) if c.lang in LANGUAGES), key=lambda c: c.prob)
            except Exception:  # noqa: BLE001 - langdetect raises on text without features
                return None
            return str(best.lang) if best.prob >= 0.6 else None

        return detect
    raise ValueError(name)


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_one(name: str) -> dict[str, object]:
    """Runs in a child process: load, warm up, then every labelled question once."""
    pairs = labelled()
    before = _rss_mb()
    started = time.perf_counter()
    detect = _detector(name)
    detect("warm up the models with one question")
    load_s = time.perf_counter() - started
    loaded = _rss_mb() - before
    right = unsure = wrong = 0
    misses: list[str] = []
    started = time.perf_counter()
    for text, language in pairs:
        found = detect(text) if sum(ch.isalpha() for ch in text) >= 8 else None
        if found is None:
            unsure += 1
        elif found == language:
            right += 1
        else:
            wrong += 1
            misses.append(f"{text} → {found} (is {language})")
    per_question_ms = (time.perf_counter() - started) / len(pairs) * 1000
    english = sum(language == "en" for _, language in pairs)
    return {"detector": name, "questions": len(pairs), "english": english, "right": right, "unsure": unsure,
            "wrong": wrong, "rss_mb": round(loaded, 1), "load_s": round(load_s, 2),
            "ms_per_question": round(per_question_ms, 3), "misses": misses[:6]}


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(measure_one(sys.argv[2]), ensure_ascii=False))
        return
    rows = []
    for name in DETECTORS:
        done = subprocess.run([sys.executable, "-m", "bench.languages", "--one", name], capture_output=True,
                              text=True, cwd=ROOT, check=True)
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    lines = [
        "# Language detectors on the labelled language set",
        "",
        f"{rows[0]['questions']} questions ({rows[0]['english']} English from the golden sets, the rest German, "
        "French, Spanish, Italian, Dutch, Portuguese); each detector restricted to those 7 languages, in its own "
        "process; 'unsure' answers fall back to the default locale (harmless), 'wrong' ones answer in another "
        "language.",
        "",
        "| detector | right | unsure | wrong | RSS after load MB | load s | ms per question |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *(f"| {r['detector']} | {r['right']} | {r['unsure']} | {r['wrong']} | {r['rss_mb']} | {r['load_s']} "
          f"| {r['ms_per_question']} |" for r in rows),
        "",
        "Wrong answers (up to 6 each):",
        "",
        *(f"- {r['detector']}: " + ("; ".join(map(str, r["misses"])) or "none") for r in rows),  # type: ignore[call-overload]
    ]
    out = ROOT / "bench" / "results" / f"{default_name('languages')}.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
