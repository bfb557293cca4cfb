"""``gait history`` (symmetry trends over stored walks) and ``gait batch`` (many recordings).

The data and the statistics live in :mod:`gait.history` and :mod:`gait.batch`, the pages in
:mod:`gait.report.history`; this module is the click layer.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import click
from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from gait.errors import GaitInputError
from gait.parameters import NAMES
from gait.recording import PLACEMENTS
from gait.report.history import render_history_html, render_history_text, verdict_text
from gait.report.text import fmt_si

DB_OPTION = click.option(
    "--db", "db", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
    help="History database (default: $GAIT_HISTORY_DB, else the user data folder).")


# --- commands -------------------------------------------------------------------------------

def _write(dest: str, text: str) -> None:
    try:
        Path(dest).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise GaitInputError(dest, f"cannot write ({exc.strerror})",
                             expected="a writable path") from None


@click.command()
@DB_OPTION
@click.option("--json", "json_out", is_flag=True,
              help="Print the history as JSON (schema gait-history/1).")
@click.option("--html", "html_out", metavar="PATH", help="Write a self-contained HTML page.")
@click.option("--parameter", "parameters", multiple=True, type=click.Choice(list(NAMES)),
              help="Only this parameter (repeatable; default: all stored).")
def history(db: Path | None, json_out: bool, html_out: str | None,
            parameters: Sequence[str]) -> None:
    """The trend of each symmetry index over the stored walks, with 95 % CIs, and whether
    the asymmetry is improving (needs at least 3 walks).

    Walks are stored by 'gait report FILE' (and 'gait batch --db').
    """
    from gait.history import history_doc

    doc = history_doc(db, parameters or None)
    if html_out:
        _write(html_out, render_history_html(doc))
    if json_out:
        click.echo(json.dumps(doc, indent=1, ensure_ascii=False, allow_nan=False))
        return
    con = Console(highlight=False)
    render_history_text(doc, con)
    if html_out:
        con.print(f"HTML written to {html_out}")


@click.command()
@click.argument("paths", nargs=-1, required=True, metavar="PATH...")
@click.option("--workers", type=click.IntRange(min=1), default=None,
              help="Local worker processes (default: the number of CPUs).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), metavar="TABLE",
              help="Write one row per recording to TABLE (.csv or .parquet).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on this Dask distributed scheduler (e.g. tcp://host:8786).")
@click.option("--db", "db", type=click.Path(dir_okay=False, path_type=Path), metavar="PATH",
              help="Also store every analysed walk in this history database.")
@click.option("--seed", type=int, default=0, show_default=True,
              help="Seed of the bootstrap confidence intervals.")
@click.option("--placement", type=click.Choice([p for p in PLACEMENTS if p != "unknown"]),
              help="Where the sensor was worn, for recordings that do not say.")
@click.option("--mount", "mounts", multiple=True, metavar="PLACEMENT=SPEC",
              help="How the sensor was worn, the same for every recording, e.g. "
                   "lower_back=screen-out,top-up (README, 'Mounting'); recorded in the "
                   "table's mount column. Repeatable.")
@click.option("--restart", is_flag=True, help="Forget earlier progress and redo everything.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no table.")
def batch(paths: tuple[str, ...], workers: int | None, out: Path | None,
          dask_address: str | None, db: Path | None, seed: int, placement: str | None,
          mounts: tuple[str, ...], restart: bool, quiet: bool) -> None:
    """Analyse many recordings: one row per recording (status, steps, verdict, SI with CI).

    PATH is a file, a folder (searched recursively) or a glob pattern; a gait recording
    (NAME.gait.json) and a phone-export folder each count as one recording. A bad file gives
    a row with its error and the batch goes on. Finished recordings are journalled, so a
    batch that was stopped resumes where it was. With --db, each walk is also stored in
    that history database.
    """
    from gait.batch import run_batch

    err = Console(stderr=True, highlight=False)
    res = run_batch(paths, workers=workers, out=out, dask=dask_address, db=db, seed=seed,
                    placement=placement, restart=restart, progress=not quiet, console=err,
                    mounts=mounts)
    n = res.n_analysed
    rate = f", {60 * n / res.seconds:.0f} recordings/min" if n and res.seconds > 0 else ""
    counts = ", ".join(f"{v} {k}" for k, v in sorted(res.counts.items()))
    err.print(f"{len(res.rows)} recording(s): {counts or 'none'}; analysed {n}, skipped "
              f"{res.n_skipped} already done, in {res.seconds:.1f} s{rate}")
    if out is not None:
        err.print(f"table written to {out}")
    for r in res.rows:
        if r["status"] in ("error", "failed"):
            err.print(Text(f"{r['status']}: {r['error']}", style="red"), soft_wrap=True)
    if out is None and not quiet:
        t = Table(box=box.SIMPLE_HEAD, header_style="bold", pad_edge=False)
        t.add_column("recording", overflow="ellipsis", no_wrap=True, max_width=28)
        t.add_column("status")
        t.add_column("verdict", no_wrap=True)
        t.add_column("stance SI % [95 % CI]", justify="right", no_wrap=True)
        for r in res.rows:
            v = {"level": r.get("verdict_level"), "towards": r.get("verdict_towards")}
            t.add_row(Path(r["file"]).name, r["status"],
                      verdict_text(v) if r["status"] == "ok" else "–",
                      fmt_si(r.get("stance_s_si_pct"),
                             [r.get("stance_s_ci_lo"), r.get("stance_s_ci_hi")]))
        Console(highlight=False).print(t)


COMMANDS = [history, batch]
__all__ = ["COMMANDS", "batch", "history"]
