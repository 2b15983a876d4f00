"""The briefing as a Word document laid out like 公文 (GB/T 9704), and its PDF.

A4 (210 × 297 mm) with the standard's margins (top 37 mm, bottom 35 mm, left 28 mm, right
26 mm), one font family throughout (the CJK font of :mod:`geo.fonts`, Noto Serif CJK SC on
Debian), body text 三号 (16 pt) on a 28 pt grid, page numbers "— 1 —" at the foot. The text
and its small tables flow from page to page; the figures go to 附件 pages of their own, each
sized to fill its page — so no page is left half empty by a picture that did not fit.
"""

from __future__ import annotations

import datetime as dt
import io
import subprocess
import tempfile
from pathlib import Path
from typing import Any, Final

import pandas as pd

from geo.briefing import Briefing, sections
from geo.fonts import find_cjk_font, soffice
from geo.i18n import label
from geo.schema import TZ

#: GB/T 9704-2012: A4, margins top 37, bottom 35, left 28, right 26 mm
PAGE_MM: Final = (210.0, 297.0)
MARGINS_MM: Final = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TYPE_WIDTH_MM: Final = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]  # 156
TYPE_HEIGHT_MM: Final = PAGE_MM[1] - MARGINS_MM["top"] - MARGINS_MM["bottom"]  # 225
DEFAULT_FAMILY: Final = "Noto Serif CJK SC"



def _today() -> dt.date:
    """The date the document is signed: today where the deployment is, not the server's UTC."""
    return dt.datetime.now(TZ).date()

def _font(run: Any, name: str, size: float, bold: bool = False) -> None:
    from docx.shared import Pt

    run.font.name = name
    run.font.size = Pt(size)
    run.font.bold = bold
    _all_scripts(run._element.get_or_add_rPr(), name)


def _all_scripts(rpr: Any, family: str) -> None:
    """Set ``family`` for Chinese, Latin and complex scripts (python-docx sets Latin only)."""
    from docx.oxml.ns import qn

    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    for attr in ("w:eastAsia", "w:ascii", "w:hAnsi", "w:cs"):
        fonts.set(qn(attr), family)


def _cell_text(value: object) -> str:
    """A table cell: integers without ".0", nothing for missing values."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _table(doc: Any, frame: pd.DataFrame, family: str) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    head_props = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page the table spans
    repeat.set(qn("w:val"), "true")
    head_props.append(repeat)
    for cell, name in zip(header.cells, frame.columns, strict=True):
        cell.text = ""
        _font(cell.paragraphs[0].add_run(str(name)), family, 10.5, bold=True)
    for row in frame.itertuples(index=False):
        added = table.add_row()
        keep = OxmlElement("w:cantSplit")  # a row is never broken across two pages
        keep.set(qn("w:val"), "true")
        added._tr.get_or_add_trPr().append(keep)
        for cell, value in zip(added.cells, row, strict=True):
            cell.text = ""
            _font(cell.paragraphs[0].add_run(_cell_text(value)), family, 10.5)


def _page_setup(doc: Any, family: str) -> None:
    """A4, GB/T 9704 margins, the one font family as the document default, page numbers."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    for section in doc.sections:
        section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        section.footer_distance = Mm(20)
        foot = section.footer.paragraphs[0]
        foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(foot.add_run("— "), family, 14)
        _page_field(foot, family)
        _font(foot.add_run(" —"), family, 14)
    for style in ("Normal", "Table Grid"):
        _style_font(doc.styles[style], family)
    doc.styles["Normal"].font.size = Pt(16)


def _style_font(style: Any, family: str) -> None:
    style.font.name = family
    _all_scripts(style.element.get_or_add_rPr(), family)


def _page_field(paragraph: Any, family: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        run = paragraph.add_run()
        _font(run, family, 14)
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


class _Writer:
    """Paragraph helpers bound to one document and one font family."""

    def __init__(self, doc: Any, family: str) -> None:
        self.doc, self.family = doc, family

    def line(
        self,
        text: str,
        size: float,
        *,
        bold: bool = False,
        align: str = "left",
        indent: bool = False,
        keep: bool = False,
    ) -> Any:
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.alignment = {
            "left": WD_ALIGN_PARAGRAPH.LEFT,
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
        fmt = p.paragraph_format
        fmt.line_spacing = Pt(28 if size <= 16 else size * 1.5)
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.keep_with_next = keep
        if indent:
            fmt.first_line_indent = Pt(size * 2)
        _font(p.add_run(text), self.family, size, bold=bold)
        return p

    def body(self, text: str) -> None:
        self.line(text, 16, align="justify", indent=True)

    def picture(self, data: bytes, width_mm: float, height_mm: float) -> None:
        """A picture scaled to fit ``width_mm`` × ``height_mm``, centred on its own line."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Mm
        from PIL import Image

        w, h = Image.open(io.BytesIO(data)).size
        size = (
            {"width": Mm(width_mm)} if w / h >= width_mm / height_mm else {"height": Mm(height_mm)}
        )
        self.doc.add_picture(io.BytesIO(data), **size)
        p = self.doc.paragraphs[-1]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        p.paragraph_format.space_before = p.paragraph_format.space_after = Mm(0)

    def page_break(self) -> None:
        from docx.enum.text import WD_BREAK

        self.doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


def section_tables(b: Briefing) -> dict[str, list[tuple[str, pd.DataFrame]]]:
    """The tables after each section's text, with the line that leads in (may be empty).

    One definition for the DOCX and the app's preview: Chinese headers, as printed.
    """
    out: dict[str, list[tuple[str, pd.DataFrame]]] = {"situation": [("", b.periods)]}
    if len(b.vehicles):
        lead = "重点关注车辆(车牌已脱敏,识别码用于区分不同车辆):"
        out["situation"].append((lead, b.vehicles))
    if len(b.top_cells):
        out["hotspots"] = [("主要热点格(按热点置信度排序):", b.top_cells)]
    if len(b.risk):
        names = {"name": "重点区域", "level_label": "风险等级", "reasons": "依据"}
        out["risk"] = [("", b.risk[list(names)].rename(columns=names))]
    if b.suspects is not None and len(b.suspects.places):
        out["suspects"] = [
            ("疑似车辆过车较多的地点(不含过境卡口):", _places_table(b.suspects.places))
        ]
    if len(b.plan_posts):
        frame = b.plan_posts[["post", "kind", "name", "time"]].assign(
            kind=lambda d: d["kind"].map({"fixed": "固定岗", "mobile": "机动巡逻"})
        )
        names = {"post": "序号", "kind": "类型", "name": "位置", "time": "时段"}
        out["plan"] = [("", frame.rename(columns=names))]
    return out


def _places_table(places: pd.DataFrame) -> pd.DataFrame:
    """The checkpoints most passed by listed vehicles, in words (no plate)."""
    return pd.DataFrame(
        {
            "序号": range(1, len(places) + 1),
            "卡口": places["cp_name"].to_numpy(),
            "所在乡镇": places["township"].to_numpy(),
            "类型": [label("cat_", k, "zh") for k in places["kind"]],
            "疑似车辆(辆)": places["vehicles"].astype(int).to_numpy(),
            "过车(次)": places["passes"].astype(int).to_numpy(),
        }
    )


def _section_tables(w: _Writer, b: Briefing, key: str) -> None:
    """The small tables that follow a section's text (they flow with it)."""
    for lead, frame in section_tables(b).get(key, []):
        if lead:
            w.body(lead)
        _table(w.doc, frame, w.family)


def _attachments(b: Briefing) -> list[tuple[str, bytes, pd.DataFrame | None]]:
    year, mon = b.month.split("-")
    out: list[tuple[str, bytes, pd.DataFrame | None]] = []
    if b.map_png:
        out.append((f"{b.scope}{int(year)}年{int(mon)}月非法营运热点分布图", b.map_png, None))
    if b.trend_png:
        table = b.monthly.rename(
            columns={"month": "月份", "cases": "查处案件(起)", "tips": "举报线索(条)"}
        )
        out.append(("近12个月查处案件与举报线索走势", b.trend_png, table))
    return out


def to_docx(
    b: Briefing,
    *,
    issuer: str = "非法营运整治工作专班",
    synthetic: bool = False,
    font_family: str | None = None,
) -> bytes:
    """The briefing as an A4 公文-style Word document.

    Parameters
    ----------
    b : Briefing
        From :func:`geo.briefing.compose`, with ``map_png`` and ``trend_png`` drawn by
        :mod:`geo.briefmap` (each becomes an 附件 page; missing ones are left out).
    issuer : str
        The issuing office (发文机关署名).
    synthetic : bool
        Say under the title that the data are synthetic.
    font_family : str, optional
        Default: the CJK font found on this machine (:func:`geo.fonts.find_cjk_font`).

    Returns
    -------
    bytes
        The ``.docx`` file.
    """
    from docx import Document

    found = find_cjk_font()
    family = font_family or (found.family if found else DEFAULT_FAMILY)
    doc = Document()
    _page_setup(doc, family)
    w = _Writer(doc, family)
    year, mon = b.month.split("-")
    w.line(f"{b.scope}{int(year)}年{int(mon)}月非法营运热点研判通报", 22, bold=True, align="center")
    w.line(f"{issuer}　{_today():%Y年%m月%d日}", 16, align="center")
    if synthetic:
        w.line("(本通报基于合成演示数据,非真实案件)", 12, align="center")
    attachments = _attachments(b)
    for key, heading in sections(b.text):
        w.line(heading, 16, bold=True, keep=True)
        for sentence in b.text.get(key, []):
            w.body(sentence)
        _section_tables(w, b, key)
    if attachments:
        items = "  ".join(f"{i}.{title}" for i, (title, _, _) in enumerate(attachments, 1))
        w.body(f"附件:{items}")
    w.line(issuer, 16, align="right")
    w.line(f"{_today():%Y年%m月%d日}", 16, align="right")
    for i, (title, picture, table) in enumerate(attachments, 1):
        w.page_break()
        w.line(f"附件{i}", 16, bold=True)
        w.line(title, 18, bold=True, align="center")
        height = TYPE_HEIGHT_MM - 30 if table is None else 112
        w.picture(picture, TYPE_WIDTH_MM, height)
        if table is not None:
            _table(doc, table, family)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def to_pdf(docx: bytes, *, timeout: float = 180) -> bytes:
    """Convert DOCX bytes to PDF with LibreOffice (``soffice --headless``).

    Raises
    ------
    RuntimeError
        LibreOffice is not installed (the message says which package to install).
    """
    program = soffice()
    if program is None:
        raise RuntimeError(
            "LibreOffice is not installed (Debian: apt-get install "
            "libreoffice-writer-nogui, which make run installs); the DOCX is still available"
        )
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "briefing.docx"
        src.write_bytes(docx)
        subprocess.run(
            [
                program,
                "--headless",
                "--norestore",
                f"-env:UserInstallation=file://{tmp}/profile",
                "--convert-to",
                "pdf",
                "--outdir",
                tmp,
                str(src),
            ],
            check=True,
            capture_output=True,
            timeout=timeout,
        )
        return (Path(tmp) / "briefing.pdf").read_bytes()
