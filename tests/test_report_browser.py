"""The HTML report in a real headless Chromium: the DOM holds the four plots and they are drawn.

No script and no driver: ``chromium --dump-dom`` for the parsed DOM and ``--screenshot`` for the
pixels (read with Pillow). Skips when Chromium is absent (``.ci/run`` installs Debian's
``chromium``).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from gait.report import render_html

from .test_report import make_doc

CHROMIUM = shutil.which("chromium") or (
    "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium not installed (.ci/run installs Debian's chromium)")

WIDTH, HEIGHT = 1200, 4000
RGB = {"left": (0x00, 0x72, 0xB2), "right": (0xE6, 0x9F, 0x00),  # series colours
       "green band": (0xC8, 0xE6, 0xC9), "red band": (0xFF, 0xCD, 0xD2),
       "mild verdict background": (0xFF, 0xF8, 0xE1)}


def _chromium(profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
           "--no-first-run", "--disable-background-networking", "--disable-component-update",
           "--disable-sync", "--disable-dev-shm-usage", "--hide-scrollbars", "--mute-audio",
           f"--user-data-dir={profile}", *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    return r


@pytest.fixture(scope="module", params=["walk", "one_hour"])
def browsed(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The page of a 150-s walk / a 1-hour walk (binned plots), its DOM and screenshot."""
    tmp = tmp_path_factory.mktemp(f"browser_{request.param}")
    doc = make_doc() if request.param == "walk" else make_doc(duration_s=3600.0, seed=2)
    page = tmp / "report.html"
    page.write_text(render_html(doc), encoding="utf-8")
    url = page.as_uri()
    dom = _chromium(tmp / "profile", "--dump-dom", url).stdout
    png = tmp / "shot.png"
    _chromium(tmp / "profile", f"--screenshot={png}", f"--window-size={WIDTH},{HEIGHT}", url)
    return {"doc": doc, "dom": dom, "png": png}


def test_dom_holds_four_plots_with_content(browsed: dict[str, Any]) -> None:
    dom = browsed["dom"]
    assert "Verdict: MILD asymmetry towards the left" in dom
    svgs = re.findall(r"<svg\b[^>]*>.*?</svg>", dom, flags=re.S)
    assert len(svgs) == 8  # for a wide screen and for a phone
    svgs = [s for s in svgs if "-narrow" not in s[:s.index(">")]]
    assert len(svgs) == 4
    for svg, pid in zip(svgs, ["plot-stance", "plot-stance-dist", "plot-impact",
                               "plot-symmetry"], strict=True):
        head = svg[:svg.index(">")]
        assert f'id="{pid}"' in head and 'class="plot"' in head and "aria-label=" in head
        assert re.search(r"<title\b[^>]*>[^<]+</title>", svg)
        assert 'viewBox="0 0 900 ' in head
        assert len(re.findall(r"<path\b", svg)) >= 4
        assert len(re.findall(r"<text\b", svg)) >= 5  # tick labels kept as text
        if pid != "plot-symmetry":  # a data path in each side's colour
            for colour in ("#0072B2", "#E69F00"):
                assert re.search(rf'<path d="M[^"]{{200,}}"[^>]*stroke="{colour}"', svg), pid
    sym = svgs[3]
    assert len(re.findall(r"<circle\b", sym)) >= 5 and "left larger →" in sym


def test_screenshot_shows_the_plots(browsed: dict[str, Any]) -> None:
    with Image.open(browsed["png"]) as im:
        px = np.asarray(im.convert("RGB"), dtype=np.int16)
    assert px.shape[:2] == (HEIGHT, WIDTH)
    assert px.std() > 20  # not blank

    def count(rgb: tuple[int, int, int], tol: int = 12) -> int:
        return int((np.abs(px - np.array(rgb)).max(axis=2) <= tol).sum())

    counts = {name: count(rgb) for name, rgb in RGB.items()}
    # both series are drawn (lines + markers / IQR bands), the SI reference bands and the
    # verdict panel's CSS background are painted
    assert counts["left"] > 3000 and counts["right"] > 3000, counts
    # (the bands are drawn for the parameter that counts, stance time, only)
    assert counts["green band"] > 1000 and counts["red band"] > 8000, counts
    assert counts["mild verdict background"] > 20000, counts
    # the series colours sit in several separate plot bands down the page
    rows = np.flatnonzero((np.abs(px - np.array(RGB["left"])).max(axis=2) <= 12).sum(axis=1) > 3)
    blocks = np.count_nonzero(np.diff(rows) > 60) + 1
    assert blocks >= 3, rows


# --- layout at a phone's and a desktop's width ---------------------------------------------

#: Runs in a wrapper page around the report (an iframe of the screen's width: a headless
#: window is at least 500 px wide); the report itself stays script-free under its own CSP.
_PROBE = """<script>
const f = document.getElementById('page');
f.addEventListener('load', () => {
  const doc = f.contentDocument, win = f.contentWindow;
  const out = {width: win.innerWidth, height: win.innerHeight,
               scroll_width: doc.documentElement.scrollWidth,
               page_height: doc.documentElement.scrollHeight, small: [], n_text: 0};
  const box = doc.querySelector('.headline').getBoundingClientRect();
  out.headline_bottom = box.bottom;
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const el = n.parentElement;
    if (!n.nodeValue.trim() || !el || el.closest('title,style')) continue;
    const b = el.getBoundingClientRect();
    if (!b.width || !b.height) continue;  // not displayed (the other width's plots, folded)
    let px = parseFloat(win.getComputedStyle(el).fontSize);
    const svg = el.closest('svg');  // SVG text scales with its chart
    if (svg) px *= svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    out.n_text++;
    if (px < 12) out.small.push([n.nodeValue.trim().slice(0, 40), px]);
  }
  document.body.setAttribute('data-probe', JSON.stringify(out));
});
</script>"""


def _wrapped(page: str, width: int, height: int) -> str:
    return (f'<!DOCTYPE html><html><body style="margin:0"><iframe id="page" '
            f'style="border:0;width:{width}px;height:{height}px" '
            f'srcdoc="{html.escape(page, quote=True)}"></iframe>{_PROBE}</body></html>')


@pytest.fixture(scope="module", params=[400, 1200])
def laid_out(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo walk's page at ``param`` px wide: layout figures from the DOM, and a screenshot
    of the first screen (800 px)."""
    width = request.param
    tmp = tmp_path_factory.mktemp(f"layout_{width}")
    from gait.analysis.single import analyse
    from gait.cli.demo import demo_recording

    rec, label = demo_recording()
    page = render_html(analyse(rec, file=label).doc)
    wrapper = tmp / "wrapper.html"
    wrapper.write_text(_wrapped(page, width, 800), encoding="utf-8")
    window = f"--window-size={max(width, 500)},800"
    dom = _chromium(tmp / "profile", window, "--dump-dom", wrapper.as_uri()).stdout
    m = re.search(r'data-probe="([^"]*)"', dom)
    assert m, dom[-2000:]
    png = tmp / "first_screen.png"
    _chromium(tmp / "profile", window, f"--screenshot={png}", wrapper.as_uri())
    return {"width": width, "probe": json.loads(html.unescape(m.group(1))), "png": png}


def test_no_horizontal_overflow_and_legible_text(laid_out: dict[str, Any]) -> None:
    p = laid_out["probe"]
    assert p["width"] == laid_out["width"]
    assert p["scroll_width"] <= p["width"], p  # nothing wider than the screen
    assert p["n_text"] > 100 and p["small"] == [], p["small"][:10]  # >= 12 px, plots included
    assert p["page_height"] < (7000 if laid_out["width"] < 500 else 5000), p["page_height"]


def test_headline_in_the_first_screen(laid_out: dict[str, Any]) -> None:
    assert laid_out["probe"]["headline_bottom"] < 800 * 0.6
    with Image.open(laid_out["png"]) as im:
        px = np.asarray(im.convert("RGB"), dtype=np.int16)[:, :laid_out["width"]]
    # the mild verdict's panel is painted in the first screen
    bg = (np.abs(px - np.array(RGB["mild verdict background"])).max(axis=2) <= 12)
    assert bg.sum() > 0.2 * laid_out["width"] * 100, bg.sum()
