"""Server-drawn SVG charts: named and described for screen readers, escaped, proportional, no scripts or styles."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from lms.reports.charts import Progress, Series, bar_chart, line_chart, nice_max, number, progress_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(str(svg))


def test_a_bar_chart_is_an_image_named_by_its_title_and_description():
    svg = bar_chart(
        chart_id="by-track",
        title="Outcomes by track",
        desc="Enrolled and completed per track",
        categories=["Medical Assistant", "Dental Assistant"],
        series=[Series("Enrolled", [40, 10]), Series("Completed", [20, 5])],
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-labelledby") == "by-track-title by-track-desc"
    assert (
        root.find(f"{SVG}title").text == "Outcomes by track" and root.find(f"{SVG}title").get("id") == "by-track-title"
    )
    assert root.find(f"{SVG}desc").text == "Enrolled and completed per track"
    assert (
        "<script" not in svg
        and "style=" not in svg
        and "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )


def test_bars_are_proportional_to_their_values_and_labelled_with_them():
    svg = bar_chart(chart_id="c", title="t", desc="d", categories=["A", "B"], series=[Series("Enrolled", [40, 10])])
    bars = parse(svg).findall(f"{SVG}rect")
    widths = [float(b.get("width")) for b in bars]
    assert widths[0] == 4 * widths[1]
    assert [t.text for t in parse(svg).findall(f"{SVG}text")] == ["A", "40", "B", "10"]


def test_a_long_label_is_shortened_and_kept_whole_in_a_tooltip():
    name = "Clínica Monseñor Oscar A. Romero, Pico-Union site"
    svg = bar_chart(chart_id="c", title="t", desc="d", categories=[name], series=[Series("S", [3])])
    label = parse(svg).findall(f"{SVG}text")[0]
    shown = label.find(f"{SVG}title").tail
    assert label.find(f"{SVG}title").text == name and shown.endswith("…") and name.startswith(shown[:-1])


def test_labels_are_escaped():
    svg = bar_chart(
        chart_id="c",
        title='<script>alert("x")</script>',
        desc="d & e",
        categories=["<b>Clinic</b>"],
        series=[Series("S", [1])],
    )
    assert "<script>" not in svg and "<b>" not in svg
    root = parse(svg)
    assert root.find(f"{SVG}title").text == '<script>alert("x")</script>'


def test_an_empty_chart_says_so_instead_of_drawing_nothing():
    svg = bar_chart(chart_id="c", title="t", desc="d", categories=["A"], series=[Series("S", [0])], empty="No activity")
    assert "No activity" in svg and parse(svg).findall(f"{SVG}rect") == []
    assert "Nothing yet" in line_chart(chart_id="l", title="t", desc="d", labels=[], series=[], empty="Nothing yet")


def test_a_fixed_scale_keeps_a_likert_average_in_proportion_to_five():
    svg = bar_chart(
        chart_id="c", title="t", desc="d", categories=["Q1", "Q2"], series=[Series("Average", [5, 2.5])], max_value=5
    )
    widths = [float(b.get("width")) for b in parse(svg).findall(f"{SVG}rect")]
    assert widths[0] == 2 * widths[1]


def test_a_line_chart_has_a_point_per_period_and_at_most_about_ten_axis_labels():
    labels = [f"M{i}" for i in range(36)]
    svg = line_chart(
        chart_id="trend",
        title="t",
        desc="d",
        labels=labels,
        series=[Series("Enrolled", list(range(36))), Series("Completed", [i // 2 for i in range(36)])],
    )
    root = parse(svg)
    assert len(root.findall(f"{SVG}circle")) == 72 and len(root.findall(f"{SVG}polyline")) == 2
    x_labels = [t.text for t in root.findall(f"{SVG}text") if t.text and t.text.startswith("M")]
    assert 9 <= len(x_labels) <= 13 and x_labels[-1] == "M35"
    # series differ by dash pattern, not by colour alone
    assert {p.get("stroke-dasharray") for p in root.findall(f"{SVG}polyline")} == {None, "6 3"}


def test_progress_toward_a_target_is_capped_at_the_full_bar():
    svg = progress_chart(
        chart_id="targets",
        title="t",
        desc="d",
        items=[Progress("Industry credentials", 100, 400), Progress("Over target", 500, 400)],
    )
    rects = parse(svg).findall(f"{SVG}rect")
    track, fill, track2, fill2 = (float(r.get("width")) for r in rects)
    assert fill == track / 4 and fill2 == track2
    assert "100 of 400 (25 %)" in svg


def test_numbers_follow_the_locale_and_axes_end_on_round_values():
    assert number(1234.5, "en") == "1,234.5" and number(1234.0, "en") == "1,234"
    assert re.fullmatch(r"1.234,5", number(1234.5, "es"))
    assert [nice_max(v) for v in (0, 3, 7, 12, 180, 2400)] == [1, 5, 10, 20, 200, 2500]
