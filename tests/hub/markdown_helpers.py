"""Reading rendered HTML the way a browser would, to check it is inert."""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

SAFE_SCHEMES = {"", "http", "https", "mailto"}
URL_ATTRIBUTES = {"href", "src"}


@dataclass
class RenderedHtml:
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    text: str = ""

    @property
    def tags(self) -> set[str]:
        return {tag for tag, _ in self.elements}

    def attributes(self, name: str) -> list[str]:
        return [attrs[name] for _, attrs in self.elements if name in attrs]


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = RenderedHtml()
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.found.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self.found.text = "".join(self._text)


def read_html(html: str) -> RenderedHtml:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    return reader.found


def assert_inert(html: str) -> RenderedHtml:
    """No element can run code: no handler attributes, no URL outside http(s)/mailto."""
    found = read_html(html)
    for tag, attrs in found.elements:
        assert tag not in {"script", "style", "iframe", "form", "object", "embed", "svg"}, html
        for name, value in attrs.items():
            assert not name.startswith("on"), html
            if name in URL_ATTRIBUTES:
                scheme = urlsplit(value.strip()).scheme.lower()
                assert scheme in SAFE_SCHEMES, (tag, name, value)
    return found
