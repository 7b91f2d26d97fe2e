"""The console's languages: every message the page and its scripts use exists in English and
Chinese, with the same placeholders, and no Chinese message is left in English."""

from __future__ import annotations

import re

from api.console import STATIC_DIR

JS = STATIC_DIR / "js"
ENTRY = re.compile(r'^\s*"([^"]+)":\s*"((?:[^"\\]|\\.)*)",?\s*$', re.M)
PLACEHOLDER = re.compile(r"\{(\w+)\}")
ATTRIBUTE = re.compile(r'data-i18n(?:-[a-z-]+)?="([^"]+)"')
LITERAL = re.compile(r'"([a-z]+\.[A-Za-z0-9]+)"')
DYNAMIC = re.compile(r"\bt\(`(\w+)\.\$\{")


def table(name: str) -> dict[str, str]:
    """A message table (``messages/<name>.js``) as a dict."""
    return dict(ENTRY.findall((JS / "messages" / f"{name}.js").read_text(encoding="utf-8")))


def used_keys() -> set[str]:
    """Message keys named in index.html and the scripts (string literals of a known area)."""
    english = table("en")
    areas = {key.split(".")[0] for key in english}
    html = (STATIC_DIR / "index.html").read_text(encoding="utf-8")
    keys = set(ATTRIBUTE.findall(html))
    for script in JS.glob("*.js"):
        if script.name == "api.js":  # event kinds, no text
            continue
        lines = script.read_text(encoding="utf-8").splitlines()
        text = "\n".join(x for x in lines if not x.strip().startswith("case "))
        keys |= {k for k in LITERAL.findall(text) if k.split(".")[0] in areas}
    return keys


def test_the_tables_have_the_same_messages_with_the_same_placeholders() -> None:
    english, chinese = table("en"), table("zh-CN")
    assert len(english) > 200
    assert set(english) <= set(chinese)
    for key, text in english.items():
        assert set(PLACEHOLDER.findall(chinese[key])) == set(PLACEHOLDER.findall(text)), key


def test_chinese_messages_are_chinese() -> None:
    """Only names and abbreviations read the same (OpenStreetMap, SLA, VIP)."""
    latin = {k for k, v in table("zh-CN").items() if not re.search(r"[\u4e00-\u9fff]", v)}
    assert latin == {"nav.osm", "sla.title", "details.sla", "details.positionAt", "tier.vip"}


def test_every_message_the_console_uses_is_in_both_languages() -> None:
    english, chinese = table("en"), table("zh-CN")
    keys = used_keys()
    assert {"nav.engineers", "absences.markAbsent", "import.commit", "edit.save"} <= keys
    assert sorted(keys - set(english)) == []
    assert sorted(keys - set(chinese)) == []
    dynamic = {area for script in JS.glob("*.js") for area in DYNAMIC.findall(script.read_text())}
    assert dynamic <= {"edit"}, dynamic  # edit.<rule kind>: checked here
    assert {f"edit.{kind}" for kind in ("preferred", "required", "excluded")} <= set(chinese)


def test_no_visible_english_is_left_in_the_scripts() -> None:
    """User-facing text goes through t(): el(..., {text: "..."}) with English words is a miss."""
    offenders = []
    for script in JS.glob("*.js"):
        for line in script.read_text(encoding="utf-8").splitlines():
            if re.search(r'text: "[A-Z][a-z]+ [a-z]+', line):
                offenders.append(f"{script.name}: {line.strip()}")
    assert offenders == []
