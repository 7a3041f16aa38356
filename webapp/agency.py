"""The agency's settings as data: its name and registration, and the policy texts its pages, workbooks and mails show."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from flask import Flask, current_app, has_request_context, url_for

from aggregator.agency import DEFAULT_RECOMMENDATION_POLICY, Agency, Authority

DEFAULTS = Path(__file__).parent / "policies"  # development placeholders; the instance folder's files replace them
POLICIES = ("recommendation", "solicitation", "privacy")


@dataclass(frozen=True, slots=True)
class PolicyText:
    """One policy in one language: its text, and whether it is a placeholder or the other language's text."""

    text: str
    placeholder: bool = False  # the built-in sample, not the agency's own
    fallback: bool = False  # no text in the page's language: the other language's is shown


@dataclass(frozen=True, slots=True)
class Settings:
    agency: Agency
    policies: dict[tuple[str, str], PolicyText]


def _read(folder: Path, name: str, lang: str) -> str | None:
    path = folder / (f"{name}.en.md" if lang == "en" else f"{name}.md")
    return path.read_text(encoding="utf-8").strip() if path.is_file() else None


def load(config: dict[str, Any]) -> Settings:
    """Read the agency's settings and policy files once, at start-up (a change to a file takes a restart)."""
    folder = Path(config["AGENCY_POLICY_DIR"])
    policies: dict[tuple[str, str], PolicyText] = {}
    for name in POLICIES:
        own = {lang: _read(folder, name, lang) for lang in ("ja", "en")}
        for lang, other in (("ja", "en"), ("en", "ja")):
            if own[lang]:
                policies[name, lang] = PolicyText(own[lang] or "")
            elif own[other]:
                policies[name, lang] = PolicyText(own[other] or "", fallback=True)
            elif name == "recommendation":
                policies[name, lang] = PolicyText(DEFAULT_RECOMMENDATION_POLICY[1 if lang == "en" else 0])
            else:
                policies[name, lang] = PolicyText(_read(DEFAULTS, name, lang) or "", placeholder=True)
    agency = Agency(
        name=config["AGENCY_NAME"],
        name_en=config["AGENCY_NAME_EN"],
        registration_no=config["AGENCY_REGISTRATION_NO"],
        authority=Authority(config["AGENCY_AUTHORITY"]),
        recommendation_policy=(policies["recommendation", "ja"].text, policies["recommendation", "en"].text),
    )
    return Settings(agency, policies)


def from_environment() -> Agency:
    """The agency as the same settings give it outside the web app (the command line's workbook): same variables and files."""
    from webapp import config as settings

    instance = Path(Flask("webapp", instance_relative_config=True).instance_path)
    return load(settings.load(instance)).agency


def setup(app: Flask) -> None:
    app.extensions["agency"] = load(app.config)

    @app.context_processor
    def _agency() -> dict[str, Any]:
        return {"agency": current()}


def current() -> Agency:
    """The agency of the running app, with links to its policy pages when a request is being served (mails too)."""
    settings: Settings = current_app.extensions["agency"]
    if not has_request_context():
        return settings.agency
    return replace(
        settings.agency,
        solicitation_url=url_for("public.policy", name="solicitation", _external=True),
        privacy_url=url_for("public.policy", name="privacy", _external=True),
    )


def policy(name: str, lang: str) -> PolicyText:
    settings: Settings = current_app.extensions["agency"]
    return settings.policies[name, "en" if lang == "en" else "ja"]


def blocks(text: str) -> list[tuple[str, Any]]:
    """A policy file as blocks: '# ' a heading, '- ' list items, anything else paragraphs split by blank lines.

    The small part of Markdown an agency's policy needs; the text is escaped by the template, never trusted as HTML.
    """
    out: list[tuple[str, Any]] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(("p", "\n".join(paragraph)))
            paragraph.clear()

    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            out.append(("h", line.lstrip("#").strip()))
        elif line.startswith(("- ", "* ", "・")):
            flush()
            item = line[1:].strip()
            if out and out[-1][0] == "ul":
                out[-1][1].append(item)
            else:
                out.append(("ul", [item]))
        else:
            paragraph.append(line)
    flush()
    return out
