"""render: a VerifiedSummary -> the briefing note, as Markdown, as one self-contained HTML file, and as JSON.

The templates (templates/*.j2) receive the VerifiedSummary and nothing else; filters.py holds the pure formatting
helpers they use. Escaping is on by default for both formats: HTML through Jinja's autoescape, Markdown through a
finalizer that escapes every `{{ }}` output, so no template line can forget it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from summarizer.render import filters
from summarizer.verify import VerifiedSummary

FILENAMES = {"md": "brief.md", "html": "brief.html", "json": "summary.json"}
"""The file each output format is written to."""


def _asset(name: str) -> str:
    return (files(__package__) / "templates" / name).read_text(encoding="utf-8")


def _csp_hash(code: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(code.encode("utf-8")).digest()).decode("ascii") + "'"


@cache
def _environment(fmt: str) -> Environment:
    env = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=fmt == "html",
        finalize=filters.md_escape if fmt == "md" else None,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(filters.FILTERS)
    env.tests.update(filters.TESTS)
    env.globals["icons"] = filters.STATUS_ICONS
    env.globals["note_pointers"] = filters.NOTE_POINTERS
    if fmt == "html":
        # The page's one script and one style sheet are inlined; the CSP admits exactly these bytes and nothing
        # else (no network, no other script, no injected style), so escaped source text stays inert even if an
        # escaping bug ever let markup through.
        script, style = _asset("note.js"), _asset("note.css")
        env.globals["script"], env.globals["style"] = Markup(script), Markup(style)
        env.globals["csp"] = (
            f"default-src 'none'; script-src {_csp_hash(script)}; style-src {_csp_hash(style)}; "
            "img-src 'none'; base-uri 'none'; form-action 'none'"
        )
    return env


def markdown(vs: VerifiedSummary) -> str:
    """The briefing note as Markdown: every source-derived string is escaped so it cannot become markup."""
    return _environment("md").get_template("brief.md.j2").render(vs=vs)


def html(vs: VerifiedSummary) -> str:
    """The briefing note as one self-contained HTML page: no network, source text escaped, evidence highlighting."""
    return _environment("html").get_template("brief.html.j2").render(vs=vs)


def summary_json(vs: VerifiedSummary) -> str:
    """The verified summary itself, for other programs (reads back with VerifiedSummary.model_validate_json)."""
    return vs.model_dump_json(indent=2) + "\n"


RENDERERS = {"md": markdown, "html": html, "json": summary_json}
