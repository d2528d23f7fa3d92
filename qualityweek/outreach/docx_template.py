"""The DOCX letter template, built with python-docx and filled by docxtpl.

It is built in code (once per process) rather than kept as a binary, so its layout is reviewable:
A4, GOST R 7.0.97 margins (left 20 mm, right 10 mm, top and bottom 20 mm), Liberation Serif 14 pt
embedded in the file so Word and LibreOffice show the same letter on any machine. Jinja tags are
docxtpl's: ``{{r x }}`` inserts a RichText run, ``{%p for … %}`` repeats a paragraph.
"""

from __future__ import annotations

import functools
import io
import re
import uuid
import zipfile
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt
from fontTools import subset
from fontTools.ttLib import TTFont

FONT_DIR = Path(__file__).resolve().parent / "fonts"
FONT = "Liberation Serif"
EMBEDDED = {"embedRegular": "LiberationSerif-Regular.ttf", "embedBold": "LiberationSerif-Bold.ttf",
            "embedItalic": "LiberationSerif-Italic.ttf"}
QR_PLACEHOLDER_NAME = "qr.png"

# A 1x1 white PNG: the QR requisite's image part; each letter's own QR replaces these bytes.
_BLANK_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8ffff3f0005fe02fe"
    "a7359a8a0000000049454e44ae426082"
)


def _no_borders(table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _para(container, text: str = "", *, align=None, indent: bool = False, space_after: int = 0,
          size: int | None = None):
    p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.space_after = Pt(space_after)
    fmt.space_before = Pt(0)
    if align is not None:
        p.alignment = align
    fmt.first_line_indent = Cm(1.25) if indent else Cm(0)
    if text:
        run = p.add_run(text)
        if size:
            run.font.size = Pt(size)
    return p


def _build_plain() -> bytes:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(20), Mm(10)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)

    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    rpr = normal.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), FONT)
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "ru-RU")
    rpr.append(lang)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0

    # Header zone: letterhead and registration data on the left, the addressee on the right.
    head = doc.add_table(rows=1, cols=2)
    head.alignment = WD_TABLE_ALIGNMENT.LEFT
    head.autofit = False
    _no_borders(head)
    left, right = head.rows[0].cells
    left.width, right.width = Mm(95), Mm(85)
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    left.paragraphs[0].add_run("{{r sender_name }}")
    _para(left, "{{r sender_details }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12, size=11)
    _para(left, "{{r registration }}", size=12)
    _para(left, "{%p if reply_line %}")
    _para(left, "{{ reply_line }}", size=12)
    _para(left, "{%p endif %}")
    _para(left, "", space_after=6)
    _para(left, "{{r title }}")
    right.paragraphs[0].add_run("{{r addressee }}")

    _para(doc, "", space_after=12)
    _para(doc, "{{ salutation }}", align=WD_ALIGN_PARAGRAPH.CENTER, space_after=12)
    _para(doc, "{%p for par in paragraphs %}")
    _para(doc, "{{r par }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=True, space_after=6)
    _para(doc, "{%p endfor %}")
    _para(doc, "{%p if attachment %}")
    _para(doc, "{{r attachment }}", align=WD_ALIGN_PARAGRAPH.JUSTIFY, space_after=6)
    _para(doc, "{%p endif %}")
    _para(doc, "", space_after=24)

    sign = doc.add_table(rows=1, cols=2)
    sign.autofit = False
    _no_borders(sign)
    a, b = sign.rows[0].cells
    a.width, b.width = Mm(110), Mm(70)
    a.paragraphs[0].add_run("{{ signer_position }}")
    b.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    b.paragraphs[0].add_run("{{ signer_name }}")

    _para(doc, "", space_after=24)
    foot = doc.add_table(rows=1, cols=2)
    foot.autofit = False
    _no_borders(foot)
    q, e = foot.rows[0].cells
    q.width, e.width = Mm(30), Mm(150)
    q.paragraphs[0].add_run().add_picture(io.BytesIO(_BLANK_PNG), width=Mm(22), height=Mm(22))
    e.paragraphs[0].add_run("{{r executor }}")

    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _obfuscate(font: bytes, key: str) -> bytes:
    """ECMA-376 font obfuscation: XOR the first 32 bytes with the GUID key read backwards."""
    digits = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    head = bytes(b ^ digits[i % 16] for i, b in enumerate(font[:32]))
    return head + font[32:]


# What a letter is written in: Latin with its Western and Central European letters, Cyrillic (with
# Ukrainian, Belarusian, Kazakh and the other letters of the Russian Federation's languages),
# punctuation, currency and letterlike symbols (№). Every copy carries the font, so only these glyphs
# and no hinting instructions: about 45 KB per style instead of 380 KB (docs/benchmarks.md).
SUBSET_RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x400, 0x52F), (0x2000, 0x206F), (0x20A0, 0x20BF), (0x2100, 0x21FF)]


def _subset(path: Path) -> bytes:
    options = subset.Options()
    options.layout_features = ["*"]  # kerning and ligatures stay
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.drop_tables += ["FFTM"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes={c for lo, hi in SUBSET_RANGES for c in range(lo, hi + 1)})
    with TTFont(path) as font:
        subsetter.subset(font)
        out = io.BytesIO()
        font.save(out)
    return out.getvalue()


def _embed_fonts(docx: bytes) -> bytes:
    """Put the OFL font into the package (word/fonts/*.odttf) and tell Word to use it."""
    src = zipfile.ZipFile(io.BytesIO(docx))
    out = io.BytesIO()
    rels = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">']
    embeds = []
    fonts: dict[str, bytes] = {}
    for i, (tag, filename) in enumerate(EMBEDDED.items(), start=1):
        key = "{" + str(uuid.UUID(int=0x5157_2026_0000_4000_8000_0000_0000_0000 + i)).upper() + "}"
        fonts[f"word/fonts/font{i}.odttf"] = _obfuscate(_subset(FONT_DIR / filename), key)
        rels.append(f'<Relationship Id="rIdFont{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                    f'relationships/font" Target="fonts/font{i}.odttf"/>')
        embeds.append(f'<w:{tag} r:id="rIdFont{i}" w:fontKey="{key}"/>')
    rels.append("</Relationships>")
    font_table = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<w:fonts xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        f'<w:font w:name="{FONT}"><w:panose1 w:val="02020603050405020304"/><w:charset w:val="CC"/>'
        '<w:family w:val="roman"/><w:pitch w:val="variable"/>' + "".join(embeds) + "</w:font></w:fonts>"
    )
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"<Default Extension=\"xml\"", b'<Default Extension="odttf" ContentType='
                                    b'"application/vnd.openxmlformats-officedocument.obfuscatedFont"/>'
                                    b'<Default Extension="xml"', 1)
            elif item.filename == "word/fontTable.xml":
                data = font_table.encode()
            elif item.filename == "word/settings.xml":
                # Element order matters to Word: embedTrueTypeFonts before proofState, autoHyphenation
                # right after defaultTabStop.
                data = data.replace(b"<w:proofState", b"<w:embedTrueTypeFonts/><w:saveSubsetFonts/><w:proofState", 1)
                data = re.sub(rb"(<w:defaultTabStop [^>]*/>)", rb"\1<w:autoHyphenation/>", data, count=1)
            dst.writestr(item, data)
        dst.writestr("word/_rels/fontTable.xml.rels", "".join(rels))
        for name, data in fonts.items():
            dst.writestr(name, data)
    return out.getvalue()


@functools.cache
def template_bytes() -> bytes:
    """The template package (built once per process)."""
    return _embed_fonts(_build_plain())
