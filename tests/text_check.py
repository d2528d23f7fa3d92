"""What a user reads on a page must be Russian: ``text_problems(html)`` lists the English words, the
template syntax left in the output, the «г..» of a date followed by a sentence's full stop, numeric dates
and numbers not written the one Russian way.

Only the text a person reads is checked: <script>, <style>, <svg> and <template> bodies, tag attributes,
e-mail addresses, web addresses and file names are left out. A Latin word passes only if it is on the
allow-list below (abbreviations and product names a Russian reader meets as they are).

Dates and numbers (``date_number_problems``): a date a person reads has its month in words, in the
genitive («15 декабря 2026 г.», the ``ru_date``/``ru_datetime`` filters), so «15.12.2026» is flagged; a
number has its thousands joined by a no-break space («327 723», the ``num`` filter), so «327 723» with an
ordinary space, «327,723» and a bare «327723» (five digits or more) are flagged. Codes are not numbers: a
PIN, an INN, an OGRN, a postal code or an id sits inside <code>, <kbd>, <samp>, <time>, a tel:/mailto:
link or an element marked ``data-code``, and is left alone there."""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Latin words a Russian page legitimately shows, each with its reason.
ALLOWED = {
    # file formats and the abbreviations of everyday computing
    "PDF",
    "XLSX",
    "XLS",
    "CSV",
    "DOCX",
    "DOC",
    "ZIP",
    "JSON",
    "PNG",
    "JPEG",
    "JPG",
    "HEIC",
    "WEBP",
    "SVG",
    "GIF",
    "ODS",
    "XML",
    "API",
    "ID",
    "QR",
    "PIN",
    "URL",
    "HTTP",
    "HTTPS",
    "SMS",
    "IP",
    "UTC",
    "TOTP",
    "OGRN",
    "MB",
    "KB",
    "WebSocket",
    "OpenAPI",
    "GeoJSON",
    "UTF",
    "ISO",
    "WebP",  # the picture format as its makers spell it
    # «e-mail» is the usual Russian spelling of the word
    "e",
    "mail",
    "E",
    # products and services named as they are spelt
    "Google",
    "Authenticator",
    "Yandex",
    "Kahoot",
    "Telegram",
    "VK",
    "YouTube",
    "RuTube",
    "Rutube",
    "Excel",
    "Word",
    "Microsoft",
    "LibreOffice",
    "Calc",
    "Typst",
    "Chromium",
    "Sentry",
    "Android",
    "iOS",
    "iPhone",
    "FreeOTP",
    "Aegis",
    "Bitwarden",
    "Quizizz",
    "Mentimeter",
    "Zoom",
    "Skype",
    "WhatsApp",
    "Max",
    "TikTok",
    "Dzen",
    "OK",
    "CC",
    "BY",
    "SA",
    "OFL",
    "Creative",
    "Commons",
    # Roman numerals (a round, a century, a forum)
    "I",
    "II",
    "III",
    "IV",
    "V",
    "VI",
    "VII",
    "VIII",
    "IX",
    "X",
    "XI",
    "XII",
    "XX",
    "XXI",
    # units and symbols a reader meets as they are
    "px",
    "dpi",
    "km",
    # keyboard keys named as printed on them
    "Tab",
    "Enter",
    "Esc",
    "Ctrl",
    "Shift",
    # formats a user subscribes to by name: a news feed, a calendar, a presentation
    "Atom",
    "RSS",
    "iCal",
    "ics",
    "PPTX",
    "PPT",
}

# A <textarea> holds what a user (or a letter template with its {{ fields }}) wrote, or code to copy.
_SKIP = {"script", "style", "svg", "template", "noscript", "code", "textarea"}
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_URL = re.compile(r"(https?|wss?|ftp)://\S+|www\.\S+|(?<![\w@])/[\w./?=&%#-]*[\w/]")
_FILE = re.compile(
    r"[\w.-]+\.(pdf|xlsx|xls|csv|docx|doc|zip|json|png|jpe?g|heic|webp|svg|txt|ods|html|ics|geojson)\b", re.IGNORECASE
)
_DOMAIN = re.compile(r"\b[\w-]+(\.[\w-]+)*\.(ru|com|org|net|рф|local|io)\b", re.IGNORECASE)
# A forum ticket's code (ABCD-EFGH-JKLM) is letters and digits, not words.
_CODE = re.compile(r"\b[A-Z0-9]{4}(-[A-Z0-9]{4}){2}\b")
# A region's ISO 3166-2 code (RU-KIR) is a code, not a word.
_ISO = re.compile(r"\bRU-[A-Z]{2,3}\b")
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
# A number pattern's placeholder («{n}-РСК») is what the operator types.
_PLACEHOLDER = re.compile(r"\{n\}")
_LETTER_FIELD = re.compile(r"\{\{\w+\}\}")
_LATIN = re.compile(r"[A-Za-z]+")
# «15.12.2026», «1.2.2026»: a date written in digits.
NUMERIC_DATE = re.compile(r"(?<![\d.])\d{1,2}\.\d{1,2}\.\d{4}(?![\d])")
# «327 723» with an ordinary space, «327,723» with a comma: thousands grouped the English or the careless
# way (a decimal «0,125» is a fraction, not a group). The no-break space U+00A0 is the one right join.
BADLY_GROUPED = re.compile(r"(?<![\d.,:])(?!0[ ,])\d{1,3}(?:[ ,]\d{3})+(?![\d])")
# «327723»: five or more digits standing alone. A run inside a token (QW-2026-000123, 15-02/31145) is a
# code's part, not a number.
BARE_DIGITS = re.compile(r"(?<![\w\-/.])\d{5,}(?![\w\-/]|\.\d)")
# Elements whose text is a code and never a quantity: no grouping expected there.
_CODE_TAGS = {"code", "kbd", "samp", "time"}


def _is_code(tag: str, attrs: list) -> bool:
    if tag in _CODE_TAGS or any(name == "data-code" for name, _ in attrs):
        return True
    href = dict(attrs).get("href") or ""
    return tag == "a" and href.startswith(("tel:", "mailto:"))


class _Text(HTMLParser):
    """The visible text (``chunks``) and, for the number rules, the visible text outside codes
    (``number_chunks``; every tag boundary a line break, so two table cells never read as one number)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.skip = 0
        self.hidden: list[str] = []
        self.chunks: list[str] = []
        self.number_chunks: list[str] = []
        self.codes: list[list] = []  # [tag, depth] of the open code elements

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag in _SKIP or (("aria-hidden", "true") in attrs and tag not in _VOID):
            # A decorative mark (the brand's «Q») is hidden from screen readers and not words.
            self.skip += 1
            self.hidden.append(tag)
        elif tag in {"br", "p", "div", "td", "th", "li", "option", "tr", "dt", "dd", "h1", "h2", "h3", "label"}:
            self.chunks.append("\n")
        self.number_chunks.append("\n")
        if tag in _VOID:
            return
        if self.codes and self.codes[-1][0] == tag:
            self.codes[-1][1] += 1
        elif _is_code(tag, attrs):
            self.codes.append([tag, 1])

    def handle_startendtag(self, tag: str, attrs: list) -> None:
        self.chunks.append(" ")
        self.number_chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if self.hidden and tag == self.hidden[-1]:
            self.skip -= 1
            self.hidden.pop()
        if self.codes and tag == self.codes[-1][0]:
            self.codes[-1][1] -= 1
            if not self.codes[-1][1]:
                self.codes.pop()
        self.chunks.append(" ")
        self.number_chunks.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.chunks.append(data)
            if not self.codes:
                self.number_chunks.append(data)


def _parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser


def visible_text(html: str) -> str:
    return "".join(_parse(html).chunks)


def _without_addresses(text: str) -> str:
    for pattern in (_EMAIL, _URL, _FILE, _DOMAIN):
        text = pattern.sub(" ", text)
    return text


def date_number_problems(text: str, number_text: str | None = None) -> list[str]:
    """The numeric dates in ``text`` and the badly written numbers in ``number_text`` (the text outside
    codes; ``text`` itself for a plain-text e-mail). Web and e-mail addresses and file names are left out."""
    problems = []
    text = _without_addresses(text)
    number_text = text if number_text is None else _without_addresses(number_text)
    if dates := sorted(set(NUMERIC_DATE.findall(text))):
        problems.append("numeric dates (write «15 декабря 2026 г.», the ru_date filter): " + ", ".join(dates[:10]))
    if grouped := sorted({m.group() for m in BADLY_GROUPED.finditer(number_text)}):
        problems.append("numbers grouped with a space or a comma (join thousands with a no-break space, "
                        "the num filter): " + ", ".join(repr(g) for g in grouped[:10]))
    if bare := sorted(set(BARE_DIGITS.findall(number_text))):
        problems.append("numbers of five digits or more not grouped (the num filter; a code goes in "
                        "<code> or an element marked data-code): " + ", ".join(bare[:10]))
    return problems


def english_words(text: str, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    for pattern in (_EMAIL, _URL, _FILE, _DOMAIN, _CODE, _PLACEHOLDER, _ISO):
        text = pattern.sub(" ", text)
    return sorted({w for w in _LATIN.findall(text) if w not in ALLOWED and w not in allowed})


def text_problems(html: str, allowed: set[str] | frozenset[str] = frozenset()) -> list[str]:
    problems = []
    parsed = _parse(html)
    text = "".join(parsed.chunks)
    # A letter template's placeholders ({{region}}, no spaces) are listed for the operator who writes one;
    # Django's own syntax left unrendered ({{ x }}, {% tag %}) is an error.
    if "{{" in _LETTER_FIELD.sub(" ", text) or "{%" in text:
        problems.append("template syntax in the output")
    if "г.." in text:
        problems.append("«г..»")
    if words := english_words(text, allowed):
        problems.append("English words: " + ", ".join(words[:40]))
    problems += date_number_problems(text, "".join(parsed.number_chunks))
    return problems


def mail_problems(message) -> list[str]:
    """The date and number rules over an e-mail as its reader sees it: the plain-text body as it is and
    every HTML alternative as a page (codes in <code> or data-code left alone)."""
    problems = [f"subject: {p}" for p in date_number_problems(message.subject)]
    problems += [f"body: {p}" for p in date_number_problems(message.body)]
    for content, mimetype in getattr(message, "alternatives", ()):
        if mimetype == "text/html":
            parsed = _parse(content)
            problems += [f"html: {p}" for p in date_number_problems("".join(parsed.chunks),
                                                                     "".join(parsed.number_chunks))]
    return problems
