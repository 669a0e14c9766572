"""What users write, as Markdown turned into safe HTML or plain text: the one renderer for user text.

Every text users write that stands on its own on a page is this Markdown subset, and nothing else renders it:

- meetings: a meeting's description, an agenda item's description, comments, minutes, addenda to minutes;
- votes: a vote's explanation, an item's explanation, candidates' statements, objections and staff's answers;
- requests and micro-wishes: the description, the reason staff declined it, what was done, the resident's comment;
- the three lists: a resource's and a project's description, project progress, what a completed project did and
  why a project was cancelled;
- the commitment board: an organisation's duties, a pledge's target, progress, what was done, why it was withdrawn,
  residents' rating comments;
- notices on the compound home.

Short reasons and notes shown inside a sentence are plain text, escaped (why an agenda or a vote went out at short
notice, why a meeting or vote was cancelled or a vote closed early, why a comment was hidden or minutes
published before every sign-off, sign-off comments, motions, eligibility notes); a request's timeline shows each
step's note as `plain_text`, on one line.

Each field keeps its HTML in a ``<field>_html`` column rendered when the text is written (`portal/user_text.py`);
pages show that, and `plain_text` serves where HTML cannot go (excerpts, the archive's search text).

Two layers, each enough on its own:

1. markdown-it-py, built from the "zero" preset with exactly the rules of our subset enabled (an allow-list, so
   a markdown-it upgrade that adds a rule to "commonmark" changes nothing here): paragraphs, soft and hard line
   breaks, emphasis, strong, inline code, indented and fenced code blocks, bullet and numbered lists, blockquotes,
   inline, reference-style and autolinks (``<https://…>``), headings, horizontal rules and pipe tables.
   ``html=False`` and the html_block/html_inline rules off: raw HTML in the source shows as text.
2. nh3 (ammonia) then decides what survives: only the tags the subset produces, only ``href`` on ``<a>`` and
   ``start`` on ``<ol>``, only http, https and mailto URLs (relative links and anchors pass), and every link gets
   ``rel="nofollow noopener noreferrer"``. Whatever markdown-it emits, nothing else reaches the page.

Choices a reader should know:

- A single newline is a line break (``breaks=True``): Chinese users type one newline and expect a new line.
- Headings are moved down two levels (``#`` → ``<h3>``, ``##`` → ``<h4>``, deeper ones stop at ``<h6>``):
  the page owns ``<h1>`` and ``<h2>``.
- Images are never rendered as ``<img>`` (no tracking pixels, no ``data:`` URIs): ``![plan](https://…/p.png)``
  becomes a plain link reading "plan" to that URL when the URL is http(s), otherwise just the alt text.
- Code blocks lose their language class (no highlighter here); table column alignment (a style attribute) is dropped.
- Rendering happens once per write, never per reader: markdown-it-py is pure Python (~0.3 ms for a formatted
  300-character comment), so a page of comments rendered at read time would be parsed again for every reader.
"""

from __future__ import annotations

import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from markupsafe import Markup, escape

_BLOCK_RULES = ["code", "fence", "blockquote", "hr", "list", "reference", "heading", "lheading", "table"]
_INLINE_RULES = ["newline", "escape", "backticks", "emphasis", "link", "image", "autolink", "entity"]

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "hr",
        "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "ol": {"start"}}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

_HEADING_SHIFT = 2
_IMAGE_LINK_SCHEME = re.compile(r"^https?:", re.IGNORECASE)


def _shift_headings(state: StateCore) -> None:
    """Move every heading two levels down (capped at h6) so user text never competes with the page's h1/h2."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = min(int(token.tag[1]) + _HEADING_SHIFT, 6)
            token.tag = f"h{level}"


def _render_image(self: RendererHTML, tokens: list[Token], idx: int, options: OptionsDict, env: EnvType) -> str:
    """An image as its alt text, linked to its URL when that is http(s): never an <img> that loads by itself."""
    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = str(token.attrGet("src") or "")
    # Inside a link ([![logo](a)](b)) a second <a> would be nested, which HTML forbids: the alt text is enough.
    inside_link = sum((t.type == "link_open") - (t.type == "link_close") for t in tokens[:idx]) > 0
    if inside_link or not _IMAGE_LINK_SCHEME.match(src):
        return str(escape(alt))
    return f'<a href="{escape(src)}">{escape(alt or src)}</a>'


def _build_parser() -> MarkdownIt:
    """The markdown-it instance for the subset described in the module docstring."""
    md = MarkdownIt("zero", {"html": False, "breaks": True, "xhtmlOut": False, "linkify": False})
    md.enable(_BLOCK_RULES + _INLINE_RULES)
    md.core.ruler.push("linli_shift_headings", _shift_headings)
    md.add_render_rule("image", _render_image)
    return md


# Both are stateless once built and cost far more to build than to use, so they are shared.
_parser = _build_parser()
_cleaner = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    # "*" given explicitly (and empty): otherwise ammonia keeps its default title/lang on every tag.
    attributes={"*": set()} | {tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    link_rel=LINK_REL,
    strip_comments=True,
)


def _sanitise(html: str) -> str:
    """The allow-list decides: whatever the renderer produced, only the subset's tags, attributes and schemes remain."""
    return _cleaner.clean(html)


def render_markdown(text: str | None) -> Markup:
    """User-written Markdown as safe HTML: parsed, rendered and sanitised, the only place user text becomes Markup."""
    if not text:
        return Markup("")
    return Markup(_sanitise(_parser.render(str(text))))  # noqa: S704 (nh3 has just reduced it to the allow-list)


def _inline_text(children: list[Token]) -> list[str]:
    """The readable words of an inline run: text, code and image alt text; line breaks become spaces."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.extend(_inline_text(child.children or []))
    return parts


def plain_text(text: str | None) -> str:
    """The Markdown reduced to plain words (for search indexing and notice excerpts), whitespace collapsed."""
    if not text:
        return ""
    parts: list[str] = []
    for token in _parser.parse(str(text)):
        if token.type == "inline":
            parts.extend(_inline_text(token.children or []))
        elif token.type in ("code_block", "fence"):
            parts.append(token.content)
        # Blocks end with a space so that "end of one paragraph" and "start of the next" stay two words.
        parts.append(" ")
    return " ".join("".join(parts).split())
