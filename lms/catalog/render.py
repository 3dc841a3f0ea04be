"""Lesson Markdown to sanitised HTML, once per published version: no scripts, no event handlers, no javascript: links."""

from __future__ import annotations

from html.parser import HTMLParser

import nh3
from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark", {"html": True, "linkify": False, "typographer": False}).enable("table")

_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "br",
    "hr",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "th": {"align"},
    "td": {"align"},
    "ol": {"start"},
}


def render_markdown(text: str) -> str:
    html = _md.render(text)
    # Headings inside a lesson start at h2: the page's h1 is the lesson title.
    for level in range(5, 0, -1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(f"</h{level}>", f"</h{level + 1}>")
    return nh3.clean(
        html,
        tags=_TAGS,
        attributes=_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


class _UndescribedImages(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "img" and not (found.get("alt") or "").strip():
            self.sources.append(found.get("src") or "")


def undescribed_images(markdown: str) -> list[str]:
    """The sources of the images in lesson Markdown (``![](x.png)`` or ``<img>``) that have no text for people who
    cannot see them: a screen reader would read the file name instead."""
    if "![" not in markdown and "<img" not in markdown.lower():
        return []
    parser = _UndescribedImages()
    parser.feed(render_markdown(markdown))
    return parser.sources
