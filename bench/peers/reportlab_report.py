#!/usr/bin/env python3
"""The ReportLab + matplotlib peer of valuereport's team report (issue #18): the same sections,
figures and charts as bench/peers/report.typ, for every customer in ONE process.

Usage: reportlab_report.py JSON_DIR OUT_DIR CJK_TTF_DIR
JSON_DIR holds prepare.py's output (index.txt and <customer_id>.json); writes
OUT_DIR/<customer_id>-team.pdf. Text in Noto Sans (embedded, subset) from the repository's fonts/;
paragraphs with Japanese characters in Noto Sans CJK JP (embedded, subset), converted to TrueType
outlines by cjk_ttf.py into CJK_TTF_DIR beforehand (ReportLab embeds TrueType only; ReportLab has
no per-character font fallback, so a paragraph holding Japanese is set in the CJK face). Charts:
matplotlib (Agg), PNG at 150 dpi, placed as images — the usual way to combine the two.
"""
import io
import json
import os
import re
import sys
from xml.sax.saxutils import escape

import matplotlib

matplotlib.use("Agg")
import matplotlib.font_manager  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
from reportlab.lib import colors  # noqa: E402
from reportlab.lib.enums import TA_RIGHT  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.styles import ParagraphStyle  # noqa: E402
from reportlab.lib.units import cm  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.ttfonts import TTFont  # noqa: E402
from reportlab.platypus import (  # noqa: E402
    Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle,
)

HERE = os.path.dirname(os.path.abspath(__file__))
FONTS = os.path.join(HERE, "..", "..", "fonts")
pdfmetrics.registerFont(TTFont("Noto", os.path.join(FONTS, "NotoSans-Regular.ttf")))
pdfmetrics.registerFont(TTFont("Noto-Bold", os.path.join(FONTS, "NotoSans-Bold.ttf")))
pdfmetrics.registerFontFamily("Noto", normal="Noto", bold="Noto-Bold", italic="Noto", boldItalic="Noto-Bold")
# Chart text (units in legends can be Japanese): DejaVu Sans, falling back to Noto Sans CJK JP.
matplotlib.font_manager.fontManager.addfont(os.path.join(FONTS, "NotoSansCJKjp-Regular.subset.otf"))
matplotlib.rcParams["font.family"] = ["DejaVu Sans", "Noto Sans CJK JP"]

BRAND = colors.HexColor("#1F4E79")
MUTED = colors.HexColor("#5f6b76")
VENDOR = "Northwind Analytics"
CJK = re.compile("[\u3000-\u9fff\uff00-\uffef]")
STATUS = {
    "achieved": ("Achieved", "#2e7d32"), "on_track": ("On track", "#1565c0"),
    "behind": ("Behind plan", "#ef6c00"), "too_early": ("Too early to tell", "#5f6b76"),
    "regressed": ("Regressed", "#c62828"), "no_data": ("No data", "#5f6b76"),
}

BODY = ParagraphStyle("body", fontName="Noto", fontSize=9.5, leading=12.5)
SMALL = ParagraphStyle("small", parent=BODY, fontSize=8, leading=10, textColor=MUTED)
H1 = ParagraphStyle("h1", parent=BODY, fontName="Noto-Bold", fontSize=15, leading=19, textColor=BRAND, spaceBefore=10, spaceAfter=6)
H2 = ParagraphStyle("h2", parent=BODY, fontName="Noto-Bold", fontSize=11, leading=14, textColor=BRAND, spaceBefore=8, spaceAfter=4)
CELL = ParagraphStyle("cell", parent=BODY, fontSize=8.5, leading=10.5)
CELL_R = ParagraphStyle("cellr", parent=CELL, alignment=TA_RIGHT)
HEAD = ParagraphStyle("head", parent=CELL, fontName="Noto-Bold", textColor=BRAND)
BULLET = ParagraphStyle("bullet", parent=BODY, leftIndent=12, bulletIndent=2, spaceAfter=3)


def para(text, style=BODY, **kw):
    """A paragraph of markup; set in the CID font when it holds Japanese (no fallback in ReportLab)."""
    if CJK.search(text):
        style = ParagraphStyle(style.name + "-ja", parent=style, fontName="NotoCJK" if style.fontName == "Noto" else "NotoCJK-Bold")
    return Paragraph(text, style, **kw)


def num(x):
    return None if x is None or x == "" else float(x)


def group(v):
    return f"{abs(round(v)):,}"


class Report:
    def __init__(self, doc):
        self.d = doc
        self.e = doc["explain"]
        self.acct = doc["account"]
        self.cur = self.e["currency"]

    def money(self, x):
        v = num(x)
        return ("-" if round(v) < 0 else "") + self.cur + " " + group(v)

    @staticmethod
    def pct(x):
        return "—" if x is None else f"{float(x):.1f}%"

    def amount(self, x, unit):
        if x is None or x == "":
            return "—"
        v = float(x)
        digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
        s = ("-" if v < 0 else "") + group(v) if abs(v) >= 1000 else f"{v:.{digits}f}"
        if unit == "percent":
            return s + "%"
        if unit in ("USD", "EUR", "GBP", "JPY", "MXN"):
            return unit + " " + s
        return s + " " + unit

    @staticmethod
    def status(s):
        label, colour = STATUS[s]
        return f'<font color="{colour}"><b>{label}</b></font>'

    def table(self, header, rows, widths, right=()):
        data = [[para(escape(h), HEAD) for h in header]]
        for row in rows:
            data.append([para(c, CELL_R if i in right else CELL) for i, c in enumerate(row)])
        t = Table(data, colWidths=widths, repeatRows=1)
        t.setStyle(TableStyle([
            ("LINEBELOW", (0, 0), (-1, 0), 0.8, BRAND),
            ("LINEBELOW", (0, 1), (-1, -1), 0.3, colors.HexColor("#d2d2d2")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("TOPPADDING", (0, 0), (-1, -1), 3), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ]))
        return t

    # ---------- charts (matplotlib) ----------
    @staticmethod
    def png(fig, width_cm, height_cm):
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=150)
        plt.close(fig)
        buf.seek(0)
        return Image(buf, width=width_cm * cm, height=height_cm * cm)

    def goal_chart(self, g):
        e = self.e
        gid = g["goal_id"]
        labels = [q["quarter"] for q in e["quarters"]] + [p["quarter"] for p in e["projection"]]
        actual = [num(q["by_goal"][gid]["actual"]) for q in e["quarters"]]
        projected = [num(p["expected_actual"].get(gid)) for p in e["projection"]]
        fig, ax = plt.subplots(figsize=(8.2 / 2.54, 4.6 / 2.54))
        xs = [i for i, v in enumerate(actual) if v is not None]
        ax.plot(xs, [actual[i] for i in xs], marker="o", markersize=3.5, linewidth=1.6, color="#1F4E79")
        last = len(actual) - 1
        path = [(last, actual[last])] + [(last + 1 + i, v) for i, v in enumerate(projected)]
        path = [(x, v) for x, v in path if v is not None]
        if len(path) > 1:
            ax.plot([p[0] for p in path], [p[1] for p in path], linestyle=":", linewidth=1, color="#1F4E79")
        ax.axhline(float(g["baseline"]), linestyle="--", linewidth=0.8, color="#5f6b76", label="baseline " + self.amount(g["baseline"], g["unit"]))
        if g["target"] is not None:
            ax.axhline(float(g["target"]), linestyle="--", linewidth=0.8, color="#2e7d32", label="target " + self.amount(g["target"], g["unit"]))
        ax.set_xticks(range(len(labels)), labels, fontsize=5, rotation=45)
        ax.tick_params(axis="y", labelsize=5.5)
        ax.grid(axis="y", linewidth=0.3, color="#d7d7d7")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=5.5, frameon=False, loc="best")
        fig.tight_layout(pad=0.3)
        return self.png(fig, 8.2, 4.6)

    def value_chart(self):
        e = self.e
        realized = [float(q["total"]) for q in e["quarters"]]
        expected = [float(p["expected"]) for p in e["projection"]]
        conservative = [float(p["conservative"]) for p in e["projection"]]
        labels = [q["quarter"] for q in e["quarters"]] + [p["quarter"] for p in e["projection"]]
        fig, ax = plt.subplots(figsize=(17 / 2.54, 6.5 / 2.54))
        k = len(realized)
        ax.bar(range(k), realized, width=0.6, color="#1F4E79", label="Realized")
        ax.bar([k + j - 0.17 for j in range(len(expected))], expected, width=0.32, color="#7fa7cf", label="Projected, expected")
        ax.bar([k + j + 0.17 for j in range(len(expected))], conservative, width=0.32, color="#c5d5e6", label="Projected, conservative")
        ax.axhline(0, linewidth=0.6, color="#5f6b76")
        ax.set_xticks(range(len(labels)), labels, fontsize=6)
        ax.tick_params(axis="y", labelsize=6.5)
        ax.yaxis.set_major_formatter(lambda v, _: f"{v / 1000:,.0f}K" if abs(v) >= 10000 else f"{v:,.0f}")
        ax.grid(axis="y", linewidth=0.3, color="#d7d7d7")
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=6.5, frameon=False, loc="upper left")
        fig.tight_layout(pad=0.3)
        return self.png(fig, 17, 6.5)

    # ---------- sections ----------
    def story(self):
        d, e, acct, ttm = self.d, self.e, self.acct, self.e["ttm"]
        m = self.money
        months = ttm["quarters"] * 3
        quarter = e["report_quarter"]
        this_q = e["quarters"][-1]
        s = []
        white = ParagraphStyle("title", parent=BODY, textColor=colors.white, fontSize=9, leading=12)
        title = Table([[[
            para(VENDOR, white),
            para("<b>Value report</b>", ParagraphStyle("t1", parent=white, fontSize=22, leading=28)),
            para(f'{escape(acct["customer_name"])} · {quarter}', ParagraphStyle("t2", parent=white, fontSize=14, leading=19)),
            para(f'Prepared for {escape(acct["executive_sponsor"])} · Customer success manager: '
                 f'{escape(acct["csm_name"])} · Renewal {acct["renewal_date"]}', ParagraphStyle("t3", parent=white, fontSize=8.5, leading=11)),
        ]]], colWidths=[17 * cm])
        title.setStyle(TableStyle([("BACKGROUND", (0, 0), (-1, -1), BRAND), ("TOPPADDING", (0, 0), (-1, -1), 14),
                                   ("BOTTOMPADDING", (0, 0), (-1, -1), 14), ("LEFTPADDING", (0, 0), (-1, -1), 14)]))
        s += [title, para("Executive summary", H1)]

        payback = "—" if ttm["payback_months"] is None else f'{float(ttm["payback_months"]):.1f} months'
        kpis = [(f"Value, trailing {months} months", m(ttm["value"])), ("Return on investment", self.pct(ttm["roi_pct"])),
                ("Net ROI", self.pct(ttm["net_roi_pct"])), ("Payback", payback)]
        kpi = Table([[para(f'<font size="7.5" color="#5f6b76">{label}</font><br/><font size="15" color="#1F4E79"><b>{value}</b></font>',
                           ParagraphStyle("kpi", parent=BODY, leading=18)) for label, value in kpis]], colWidths=[4.1 * cm] * 4)
        kpi.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.6, colors.HexColor("#c8c8c8")),
                                 ("INNERGRID", (0, 0), (-1, -1), 0.6, colors.HexColor("#c8c8c8"))]))
        s += [kpi, Spacer(1, 8)]

        goals = e["goals"]
        achieved = [g for g in goals if g["status"] == "achieved"]
        attention = [g for g in goals if g["status"] in ("regressed", "behind", "no_data")]
        text = (f'In {quarter}, {escape(acct["customer_name"])} realized {m(this_q["total"])} of measurable value across '
                f'{len(goals)} goals of its success plan; over the last {months} months the value was {m(ttm["value"])} on an '
                f'investment of {m(ttm["investment_share"])} for the period, a return of {self.pct(ttm["roi_pct"])}. '
                f'{len(achieved)} of {len(goals)} goals reached their target.')
        if attention:
            text += (f' {len(attention)} {"goal needs" if len(attention) == 1 else "goals need"} attention: '
                     + ", ".join("“" + escape(g["title"]) + "”" for g in attention) + ".")
        opp = e["opportunities"]
        if opp["count"]:
            text += (f' {opp["count"]} expansion {"opportunity is" if opp["count"] == 1 else "opportunities are"} worth about '
                     f'{m(opp["annual_value"])} a year ({m(opp["weighted_annual_value"])} weighted by confidence).')
        s.append(para(text))

        s.append(para(f"Goals at a glance ({quarter})", H2))
        s.append(self.table(["Goal", "Title", "Baseline", "Latest", "Value this quarter", "Status"],
                            [[g["goal_id"], escape(g["title"]), self.amount(g["baseline"], g["unit"]), self.amount(g["latest"], g["unit"]),
                              m(g["quarter_value"]), self.status(g["status"])] for g in goals],
                            [1.2 * cm, 6.4 * cm, 2 * cm, 2 * cm, 2.9 * cm, 2.5 * cm], right=(2, 3, 4)))
        s.append(para(f"Value by category ({quarter})", H2))
        s.append(self.table(["Category", "Value"], [[k.replace("_", " "), m(v)] for k, v in this_q["by_category"].items()],
                            [13 * cm, 4 * cm], right=(1,)))

        # metrics
        s += [PageBreak(), para("Metrics", H1),
              para("Each goal's metric per quarter against its baseline and target; the dotted line is the expected "
                   "path of the next quarters if the recent trend continues.")]
        cells = [[
            para(f'{g["goal_id"]} · {escape(g["title"])}', ParagraphStyle("h3", parent=H2, fontSize=9.5, leading=12, spaceBefore=0)),
            para(f'{g["metric"]} ({escape(g["unit"])} per {g["per"]}) · latest {self.amount(g["latest"], g["unit"])} in '
                 f'{g["latest_quarter"]} · improvement {self.pct(g["improvement_pct"])} · '
                 f'{self.pct(g["progress_to_target_pct"])} of the way to target · {self.status(g["status"])}',
                 ParagraphStyle("tiny", parent=SMALL, fontSize=7, leading=8.5)),
            self.goal_chart(g),
        ] for g in goals]
        grid = [cells[i:i + 2] + ([[]] if i + 1 == len(cells) else []) for i in range(0, len(cells), 2)]
        charts = Table(grid, colWidths=[8.5 * cm, 8.5 * cm])
        charts.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("BOTTOMPADDING", (0, 0), (-1, -1), 10)]))
        s.append(charts)

        # stories
        s += [PageBreak(), para("Wins, milestones and stories", H1)]
        if not d["stories"]:
            s.append(para("No stories were recorded this period."))
        for st in sorted(d["stories"], key=lambda st: st["date"], reverse=True):
            amount = f' <font color="#1F4E79">{m(st["amount"])}</font>' if st.get("amount") else ""
            detail = f'<i>“{escape(st["detail"])}”</i>' if st["type"] == "quote" else escape(st["detail"])
            person = (f'<br/><font size="8" color="#5f6b76">— {escape(st["person"])}'
                      f'{", " + escape(st["role"]) if st["role"] else ""}</font>') if st["person"] else ""
            s.append(KeepTogether([para(
                f'<font size="8" color="#5f6b76">{st["date"]} · {st["type"]}</font><br/><b>{escape(st["title"])}</b>{amount}<br/>'
                f'{detail}{person}', ParagraphStyle("story", parent=BODY, spaceAfter=9))]))

        # ROI
        s.append(para("Return on investment", H1))
        rows = [[g["goal_id"], escape(g["title"]), m(g["quarter_value"]), m(g["ttm_value"])] for g in goals]
        rows.append(["", "<b>Total</b>", f'<b>{m(this_q["total"])}</b>', f'<b>{m(ttm["value"])}</b>'])
        s.append(self.table(["Goal", "Title", f"Value {quarter}", f"Value, trailing {months} months"], rows,
                            [1.2 * cm, 9.3 * cm, 3 * cm, 3.5 * cm], right=(2, 3)))
        s.append(Spacer(1, 6))
        s.append(self.table(["Return on investment", ""], [
            ["Annual investment", m(ttm["investment"])],
            [f'Investment for the {ttm["quarters"]} quarters measured (from {ttm["first_quarter"]})', m(ttm["investment_share"])],
            ["Value realized", m(ttm["value"])],
            ["ROI (value ÷ investment)", self.pct(ttm["roi_pct"])],
            ["Net ROI ((value - investment) ÷ investment)", self.pct(ttm["net_roi_pct"])],
            ["Payback", payback]], [13 * cm, 4 * cm], right=(1,)))
        s.append(para("Value per goal and quarter", H2))
        s.append(para("Each quarter's value is (improvement over baseline) × volume × value per unit, for the quarter's mean of the observations."))
        rows_by_id = {g["goal_id"]: g for g in d["goals"]}
        window = e["quarters"][max(0, len(e["quarters"]) - ttm["quarters"]):]
        for g in goals:
            row = rows_by_id[g["goal_id"]]
            formula = "baseline - actual" if g["direction"] == "down" else "actual - baseline"
            rows = []
            for q in window:
                gq = q["by_goal"][g["goal_id"]]
                rows.append([q["quarter"], self.amount(gq["actual"], g["unit"]), self.amount(gq["improvement"], g["unit"]), m(gq["value"])])
            rows.append([f'<b>Last {ttm["quarters"]} quarters</b>', "", "", f'<b>{m(g["ttm_value"])}</b>'])
            s.append(KeepTogether([
                para(f'{g["goal_id"]} · {escape(g["title"])}', H2),
                para(f'Value per quarter = ({formula}) × {row["volume"]} × {self.cur} {row["value_per_unit"]} per {escape(g["unit"])} per '
                     f'{g["per"]}. Baseline {self.amount(g["baseline"], g["unit"])} ({row["baseline_source"]}), target '
                     f'{self.amount(g["target"], g["unit"])}.', SMALL),
                self.table(["Quarter", "Actual", "Improvement", "Value"], rows, [8 * cm, 3 * cm, 3 * cm, 3 * cm], right=(1, 2, 3)),
            ]))
        s.append(para("Assumptions", H2))
        for g in d["goals"]:
            volume = f' × {g["volume"]} units' if g["volume"] else ""
            s.append(para(f'<b>{g["goal_id"]}</b> · {g["metric"]}: each {escape(g["unit"])} of improvement per {g["per"]} is worth '
                          f'{self.cur} {g["value_per_unit"]}{volume}; baseline {g["baseline"]} ({g["baseline_source"]}), '
                          f'owner {escape(g["owner"])}.', BULLET, bulletText="•"))
        s.append(para("Value is counted per quarter from the mean of the quarter's observations; a quarter without data counts as zero.", BULLET, bulletText="•"))
        s.append(para("The investment is the annual contract value pro-rated to the quarters measured.", BULLET, bulletText="•"))

        # projections
        s += [PageBreak(), para("Projections", H1),
              para(f'Realized value per quarter, and the next {len(e["projection"])} quarters if the trends continue '
                   f'(expected) or if every goal stays at the worse of its latest and expected level (conservative).'),
              Spacer(1, 4), self.value_chart(),
              self.table(["Quarter", "Expected", "Conservative"],
                         [[p["quarter"], m(p["expected"]), m(p["conservative"])] for p in e["projection"]],
                         [9 * cm, 4 * cm, 4 * cm], right=(1, 2))]
        if d["opportunities"]:
            s.append(para("Expansion opportunities", H2))
            s.append(self.table(["Opportunity", "Annual value", "Confidence", "Weighted"],
                                [[escape(o["title"]), m(o["annual_value"]), f'{float(o["confidence"]) * 100:.0f}%',
                                  m(float(o["annual_value"]) * float(o["confidence"]))] for o in d["opportunities"]],
                                [8.5 * cm, 3 * cm, 2.5 * cm, 3 * cm], right=(1, 2, 3)))

        # recommendations
        s.append(para("Recommendations", H1))
        owners = {g["goal_id"]: g["owner"] for g in d["goals"]}
        for g in goals:
            t, owner = escape(g["title"]), escape(owners.get(g["goal_id"], ""))
            a = lambda x: self.amount(x, g["unit"])  # noqa: E731
            text = {
                "regressed": f'<b>Corrective action for “{t}”</b>: the metric is worse than its baseline ({a(g["latest"])} vs '
                             f'{a(g["baseline"])}), which cost {m(g["quarter_value"])} in {quarter}. Review the workflow with {owner} '
                             f'and agree a corrective plan this quarter.',
                "behind": f'<b>Back on plan for “{t}”</b>: at {a(g["latest"])} it is {self.pct(g["progress_to_target_pct"])} of the '
                          f'way to the target of {a(g["target"])}, and the current trend does not reach it within a year. '
                          f'Schedule a working session with {owner} on the blockers.',
                "achieved": f'<b>New target for “{t}”</b>: the target of {a(g["target"])} is reached ({a(g["latest"])} in '
                            f'{g["latest_quarter"]}). Agree the next ambition in the success plan.',
                "no_data": f'<b>Re-establish measurement for “{t}”</b>: no {g["metric"]} data arrived for {quarter}, so the goal '
                           f'shows no value this quarter.',
            }.get(g["status"])
            if text:
                s.append(para(text, BULLET, bulletText="•"))
        for o in d["opportunities"]:
            s.append(para(f'<b>Expansion: {escape(o["title"])}.</b> Worth about {m(o["annual_value"])} a year '
                          f'({float(o["confidence"]) * 100:.0f}% confidence, {m(float(o["annual_value"]) * float(o["confidence"]))} '
                          f'weighted). {escape(o["assumption"])}', BULLET, bulletText="•"))
        return s

    def decorate(self, canvas, doc):
        canvas.saveState()
        canvas.setFont("Noto", 8)
        canvas.setFillColor(MUTED)
        w, h = A4
        if doc.page > 1:
            canvas.drawString(2 * cm, h - 1.5 * cm, VENDOR + " · Value report")
            name = self.acct["customer_name"] + " · " + self.e["report_quarter"]
            canvas.setFont("NotoCJK" if CJK.search(name) else "Noto", 8)
            canvas.drawRightString(w - 2 * cm, h - 1.5 * cm, name)
            canvas.setStrokeColor(MUTED)
            canvas.setLineWidth(0.5)
            canvas.line(2 * cm, h - 1.6 * cm, w - 2 * cm, h - 1.6 * cm)
        canvas.setFont("Noto", 8)
        canvas.drawString(2 * cm, 1.2 * cm, f'Figures as of {self.e["report_quarter"]}; projections assume current trends continue.')
        canvas.drawRightString(w - 2 * cm, 1.2 * cm, str(doc.page))
        canvas.restoreState()

    def build(self, path):
        doc = SimpleDocTemplate(path, pagesize=A4, leftMargin=2 * cm, rightMargin=2 * cm, topMargin=2.3 * cm, bottomMargin=2 * cm,
                                title=f'Value report — {self.acct["customer_name"]} — {self.e["report_quarter"]}', author=VENDOR)
        doc.build(self.story(), onFirstPage=self.decorate, onLaterPages=self.decorate)


def main():
    json_dir, out, cjk = sys.argv[1:4]
    pdfmetrics.registerFont(TTFont("NotoCJK", os.path.join(cjk, "NotoSansCJKjp-Regular.ttf")))
    pdfmetrics.registerFont(TTFont("NotoCJK-Bold", os.path.join(cjk, "NotoSansCJKjp-Bold.ttf")))
    pdfmetrics.registerFontFamily("NotoCJK", normal="NotoCJK", bold="NotoCJK-Bold", italic="NotoCJK", boldItalic="NotoCJK-Bold")
    os.makedirs(out, exist_ok=True)
    names = open(os.path.join(json_dir, "index.txt")).read().split()
    for name in names:
        with open(os.path.join(json_dir, name), encoding="utf-8") as f:
            doc = json.load(f)
        Report(doc).build(os.path.join(out, name[: -len(".json")] + "-team.pdf"))
    print(f"reportlab: {len(names)} reports", file=sys.stderr)


if __name__ == "__main__":
    main()
