"""The report page's trend charts as inline SVG, drawn on the server (no script, no CDN): a bar
chart of tickets received per bucket and a line chart of the on-time rates and satisfaction.

Each chart has a ``<title>`` and a ``<desc>`` for screen readers, and each bar and point its own
``<title>`` (the tooltip). Any number of buckets is drawn (one day to three years of days); the
x axis labels at most about a dozen of them. Without data the axes say so."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from reports.figures import Figures, Trend

register = template.Library()

HEIGHT = 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 34, 46  # the plot's margins (axis labels, legend)
MIN_WIDTH = 720  # below this many pixels per bucket the chart grows and scrolls instead
MIN_STEP = 4.0
MAX_X_LABELS = 12
FONT = 'font-family="inherit" font-size="12"'
_ids = count(1)


@dataclass(frozen=True)
class Series:
    label: str
    colour: str
    values: list[float | None]  # 0-1 per bucket; None: nothing to judge in it


def _contact(f: Figures) -> float | None:
    return f.contact.value


def _meet(f: Figures) -> float | None:
    return f.meet.value


def _resolve(f: Figures) -> float | None:
    return f.resolve.value


def _satisfaction(f: Figures) -> float | None:
    return f.satisfaction_rate


# What the line chart draws: (label, colour, the figure's 0-1 value).
RATE_SERIES: tuple[tuple[str, str, Callable[[Figures], float | None]], ...] = (
    ("响应率", "#1f5fbf", _contact),
    ("按时约见率", "#2e8b57", _meet),
    ("按时办结率", "#b76e00", _resolve),
    ("满意率", "#b3261e", _satisfaction),
)


def _nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 5 × 10^k at or above ``value`` (at least 1)."""
    if value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if step * power >= value:
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _divisions(top: float) -> int:
    """How many gridlines divide 0..top into whole numbers (top is 1, 2 or 5 × 10^k)."""
    lead = round(top / 10 ** math.floor(math.log10(top)))
    return min({1: 5, 2: 4, 5: 5}.get(lead, 5), int(top))


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class _Frame:
    """The plot area of one chart: its width, and where bucket ``i`` sits on the x axis."""

    n: int

    @property
    def width(self) -> float:
        return max(float(MIN_WIDTH), LEFT + RIGHT + self.n * MIN_STEP)

    @property
    def plot_width(self) -> float:
        return self.width - LEFT - RIGHT

    @property
    def plot_height(self) -> float:
        return float(HEIGHT - TOP - BOTTOM)

    @property
    def step(self) -> float:
        return self.plot_width / self.n if self.n else self.plot_width

    def x_centre(self, i: int) -> float:
        return LEFT + self.step * (i + 0.5)

    def y(self, fraction: float) -> float:
        return TOP + self.plot_height * (1 - fraction)


def _open_svg(frame: _Frame, *, title: str, desc: str) -> list[str]:
    uid = next(_ids)
    scrolls = frame.width > MIN_WIDTH
    style = ("display:block" if scrolls
             else f"display:block;width:100%;min-width:{MIN_WIDTH * 3 // 4}px;"
             f"max-width:{MIN_WIDTH * 4 // 3}px;height:auto")
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {frame.width:.0f} {HEIGHT}" width="{frame.width:.0f}" height="{HEIGHT}" '
        f'style="{style}" aria-labelledby="chart{uid}-t chart{uid}-d">',
        f'<title id="chart{uid}-t">{escape(title)}</title>',
        f'<desc id="chart{uid}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{frame.width:.0f}" height="{HEIGHT}" fill="#fff"/>',
    ]


def _y_axis(frame: _Frame, ticks: Sequence[tuple[float, str]], caption: str) -> list[str]:
    out = [f'<text x="4" y="{TOP - 14}" {FONT} fill="#6b7785">{escape(caption)}</text>']
    for fraction, label in ticks:
        y = frame.y(fraction)
        out.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{frame.width - RIGHT:.1f}" '
                   f'y2="{y:.1f}" stroke="#e4e8ee"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT} '
                   f'fill="#6b7785">{escape(label)}</text>')
    bottom = frame.y(0)
    out.append(f'<line x1="{LEFT}" y1="{bottom:.1f}" x2="{frame.width - RIGHT:.1f}" '
               f'y2="{bottom:.1f}" stroke="#6b7785"/>')
    out.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom:.1f}" stroke="#6b7785"/>')
    return out


def _x_axis(frame: _Frame, labels: Sequence[str]) -> list[str]:
    if not labels:
        return []
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    out = []
    baseline = frame.y(0)
    for i, label in enumerate(labels):
        if i % every:
            continue
        x = frame.x_centre(i)
        out.append(f'<line x1="{x:.1f}" y1="{baseline:.1f}" x2="{x:.1f}" '
                   f'y2="{baseline + 4:.1f}" stroke="#6b7785"/>')
        out.append(f'<text x="{x:.1f}" y="{baseline + 18:.1f}" text-anchor="middle" {FONT} '
                   f'fill="#1d2733">{escape(label)}</text>')
    return out


def _nothing(frame: _Frame) -> str:
    return (f'<text x="{frame.width / 2:.1f}" y="{frame.y(0.5):.1f}" text-anchor="middle" '
            f'{FONT} fill="#6b7785">暂无数据</text>')


def bar_chart(*, labels: Sequence[str], values: Sequence[int], title: str, unit: str,
              caption: str) -> SafeString:
    """One bar per bucket (``values[i]`` for ``labels[i]``), each with its own tooltip."""
    frame = _Frame(len(labels))
    top = _nice_ceiling(max(values, default=0))
    parts = _divisions(top)
    total = sum(values)
    out = _open_svg(frame, title=title, desc=(
        f"共 {len(labels)} 个时段，合计 {total} {unit}，最多 {max(values, default=0)} {unit}。"))
    ticks = [(k / parts, _fmt(top * k / parts)) for k in range(parts + 1)]
    out += _y_axis(frame, ticks, caption)
    bar_width = max(1.0, frame.step * 0.7)
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        height = frame.plot_height * value / top
        x = frame.x_centre(i) - bar_width / 2
        out.append(f'<rect class="bar" x="{x:.2f}" y="{frame.y(0) - height:.2f}" '
                   f'width="{bar_width:.2f}" height="{height:.2f}" fill="#1f5fbf">'
                   f'<title>{escape(label)}：{value} {escape(unit)}</title></rect>')
    out += _x_axis(frame, labels)
    if not total:
        out.append(_nothing(frame))
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


def line_chart(*, labels: Sequence[str], series: Sequence[Series], title: str,
               caption: str) -> SafeString:
    """Rates (0-1) per bucket, one line per series; a bucket without a value breaks the line."""
    frame = _Frame(len(labels))
    has_data = any(v is not None for s in series for v in s.values)
    out = _open_svg(frame, title=title, desc=(
        f"共 {len(labels)} 个时段，" + "、".join(s.label for s in series) + "，纵轴 0%–100%。"))
    out += _y_axis(frame, [(k / 4, f"{k * 25}%") for k in range(5)], caption)
    legend_x = float(LEFT + 40)
    for s in series:
        out.append(f'<rect x="{legend_x:.0f}" y="{TOP - 24}" width="12" height="4" '
                   f'transform="translate(0 4)" fill="{s.colour}"/>')
        out.append(f'<text x="{legend_x + 16:.0f}" y="{TOP - 14}" {FONT} '
                   f'fill="#1d2733">{escape(s.label)}</text>')
        legend_x += 16 + 13 * len(s.label) + 18
    radius = 3.0 if frame.step >= 8 else 1.5
    for s in series:
        path: list[str] = []
        points: list[str] = []
        pen_down = False
        for i, value in enumerate(s.values):
            if value is None:
                pen_down = False
                continue
            x, y = frame.x_centre(i), frame.y(value)
            path.append(f"{'L' if pen_down else 'M'}{x:.2f} {y:.2f}")
            pen_down = True
            points.append(f'<circle class="point" cx="{x:.2f}" cy="{y:.2f}" r="{radius}" '
                          f'fill="{s.colour}"><title>{escape(labels[i])} {escape(s.label)}：'
                          f'{value * 100:.1f}%</title></circle>')
        if path:
            out.append(f'<path d="{" ".join(path)}" fill="none" stroke="{s.colour}" '
                       f'stroke-width="2"><title>{escape(s.label)}</title></path>')
        out += points
    out += _x_axis(frame, labels)
    if not has_data:
        out.append(_nothing(frame))
    out.append("</svg>")
    return mark_safe("".join(out))  # every text above is escaped


@register.simple_tag
def trend_received_chart(trend: Trend) -> SafeString:
    """受理量 per bucket of the trend."""
    word = {"day": "日", "week": "周", "month": "月"}[trend.granularity.value]
    return bar_chart(labels=[row.label for row in trend.rows],
                     values=[row.figures.received for row in trend.rows],
                     title=f"受理量趋势（按{word}，{trend.period}）", unit="件",
                     caption="受理量（件）")


@register.simple_tag
def trend_rates_chart(trend: Trend) -> SafeString:
    """The three on-time rates and satisfaction per bucket of the trend."""
    word = {"day": "日", "week": "周", "month": "月"}[trend.granularity.value]
    figures = [row.figures for row in trend.rows]
    series = [Series(label, colour, [pick(f) for f in figures])
              for label, colour, pick in RATE_SERIES]
    return line_chart(labels=[row.label for row in trend.rows], series=series,
                      title=f"按时率与满意率趋势（按{word}，{trend.period}）", caption="比率")
