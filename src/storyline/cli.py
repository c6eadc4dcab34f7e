"""The ``storyline`` command: parse, call the library, format. No pipeline logic lives here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from storyline import __version__
from storyline.config import Settings, load_settings
from storyline.errors import InputRejectedError, StorylineError, UsageError
from storyline.model import Article, Rejected
from storyline.project import IngestProgress, Project, open_project

FORMAT_OPTION = click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="Output as a human-readable table or as JSON (a stable contract, see DESIGN.md).",
)


class _State:
    """Global options, resolved once per invocation."""

    def __init__(self, db: str | None, config: str | None, json_errors: bool, quiet: bool):
        self.db = db
        self.config = config
        self.json_errors = json_errors
        self.quiet = quiet

    def settings(self, **overrides: Any) -> Settings:
        return load_settings(config_file=self.config, overrides={"db": self.db, **overrides})

    def project(self, *, create: bool = False, **overrides: Any) -> Project:
        """The project; only commands that write may create a new store."""
        return open_project(settings=self.settings(**overrides), create=create)


def _fail(state: _State | None, error: StorylineError) -> NoReturn:
    if state is not None and state.json_errors:
        click.echo(json.dumps({"error": error.to_dict()}), err=True)
    else:
        click.echo(f"storyline: error {error.code}: {error.message}", err=True)
    sys.exit(error.exit_code)


def _print_json(document: object) -> None:
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


# Free-text columns wrap; ids, dates and codes stay on one line so they can be copied.
_WRAPPING_COLUMNS = {"title", "message", "location", "source"}


def _table(title: str, columns: Sequence[str], rows: Iterator[Sequence[object]]) -> None:
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, overflow="fold", no_wrap=column not in _WRAPPING_COLUMNS)
    for row in rows:
        table.add_row(*("" if cell is None else str(cell) for cell in row))
    # Piped output has no terminal width to follow: 80 columns would wrap every title.
    Console(width=None if sys.stdout.isatty() else 140).print(table)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="storyline")
@click.option(
    "--db",
    envvar="STORYLINE_DB",
    metavar="PATH",
    help="The store: a SQLite file (default ./storyline.db).  [env: STORYLINE_DB]",
)
@click.option(
    "--config",
    "config_file",
    metavar="FILE",
    type=click.Path(dir_okay=False),
    help="TOML settings file (default ./storyline.toml if present).  [env: STORYLINE_CONFIG]",
)
@click.option("--json", "json_errors", is_flag=True, help="Print errors as JSON on stderr.")
@click.option("-q", "--quiet", is_flag=True, help="No progress display.")
@click.pass_context
def cli(
    ctx: click.Context, db: str | None, config_file: str | None, json_errors: bool, quiet: bool
) -> None:
    """storyline: turn a stream of news articles into cross-checked stories."""
    ctx.obj = _State(db, config_file, json_errors, quiet)


@contextmanager
def _progress_display(enabled: bool) -> Iterator[Callable[[IngestProgress], None] | None]:
    """A live counter on a terminal; nothing when piped or quiet."""
    if not enabled:
        yield None
        return
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("reading", total=None)

        def update(step: IngestProgress) -> None:
            totals = step.totals
            if totals.records_read % 25 == 0 or totals.records_read < 25:
                bar.update(
                    task,
                    description=(
                        f"{totals.records_read:,} read · {totals.articles_added:,} new articles · "
                        f"{totals.duplicates_added:,} copies · {totals.rejected:,} rejected · "
                        f"{step.location[-50:]}"
                    ),
                )

        yield update


@cli.command()
@click.argument("sources", nargs=-1, required=True, metavar="PATH... | -")
@click.option("--fetch", is_flag=True, help="Download the pages named in URL-list files.")
@click.option(
    "--allow-private",
    is_flag=True,
    default=None,
    help="With --fetch, allow loopback and private addresses (off by default: SSRF guard).",
)
@click.option("--strict", is_flag=True, help="Exit with code 3 when any record is rejected.")
@click.option("--min-text-chars", type=int, help="Reject articles with less text than this.")
@click.option("--dedup-threshold", type=float, help="Similarity at which texts are copies.")
@FORMAT_OPTION
@click.pass_obj
def ingest(
    state: _State,
    sources: tuple[str, ...],
    fetch: bool,
    allow_private: bool | None,
    strict: bool,
    min_text_chars: int | None,
    dedup_threshold: float | None,
    output_format: str,
) -> None:
    """Read articles from files, folders (recursively) or - (stdin) into the store.

    Formats are recognised by content: JSONL, HTML, plain text, RSS/Atom, WARC and URL lists
    (with --fetch), each optionally gzip-, bzip2- or xz-compressed. Bad records are kept as
    rejections with their reason (see: storyline rejected).
    """
    overrides = {
        "fetch.allow_private_addresses": allow_private,
        "ingest.min_text_chars": min_text_chars,
        "dedup.threshold": dedup_threshold,
    }
    with state.project(create=True, **overrides) as project:
        show = not state.quiet and sys.stderr.isatty()
        with _progress_display(show) as progress:
            report = project.ingest(sources, fetch=fetch, progress=progress)
    if output_format == "json":
        _print_json(
            {
                "records_read": report.records_read,
                "articles_added": report.articles_added,
                "duplicates_added": report.duplicates_added,
                "already_stored": report.already_stored,
                "rejected": {"total": report.rejected, "by_code": report.rejected_by_code},
                "rejected_again": report.rejected_again,
            }
        )
    else:
        click.echo(
            f"read {_count(report.records_read, 'record')}: "
            f"{_count(report.articles_added, 'new article')} "
            f"({report.duplicates_added:,} of them copies), "
            f"{report.already_stored:,} already stored, {report.rejected:,} rejected"
        )
        for code, count in report.rejected_by_code.items():
            click.echo(f"  rejected {code}: {count:,}")
        if report.rejected_again:
            click.echo(f"  rejected before, read again: {report.rejected_again:,}")
        if report.any_rejected:
            db = f" --db {state.db}" if state.db else ""
            click.echo(f"  (see: storyline{db} rejected)")
    if strict and report.any_rejected:
        raise InputRejectedError(
            f"{_count(report.rejected + report.rejected_again, 'record')} rejected "
            f"({report.rejected:,} new, {report.rejected_again:,} rejected before)"
        )


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@cli.command()
@FORMAT_OPTION
@click.pass_obj
def stats(state: _State, output_format: str) -> None:
    """Totals over the life of the store: records read, articles, copies, rejections."""
    with state.project() as project:
        totals = project.stats()
        location = project.store.location
    if output_format == "json":
        _print_json(totals.to_dict())
        return
    rows = [
        ("records read", totals.records_read),
        ("articles", totals.articles),
        ("  of which copies", totals.duplicates),
        ("rejected", totals.rejected_total),
        *((f"  {code}", n) for code, n in totals.rejected_by_code.items()),
        ("sources", totals.sources),
        ("stories", totals.stories),
    ]
    # The store actually opened: --db, STORYLINE_DB or the config file's db.
    _table(f"store {location}", ("", "count"), iter(rows))


def _article_json(article: Article) -> dict[str, object]:
    return {
        "id": article.id,
        "source": article.source,
        "published": article.published.isoformat() if article.published else None,
        "title": article.title,
        "url": article.url,
        "duplicate_of": article.duplicate_of,
        "story_id": article.story_id,
    }


PAGING = [
    click.option("--limit", type=click.IntRange(min=0), help="At most this many rows."),
    click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many rows."),
]


def _paged(command: Callable[..., Any]) -> Callable[..., Any]:
    for option in reversed(PAGING):
        command = option(command)
    return command


@cli.command()
@FORMAT_OPTION
@_paged
@click.pass_obj
def articles(state: _State, output_format: str, limit: int | None, offset: int) -> None:
    """List stored articles in ingest order."""
    with state.project() as project:
        rows = project.articles(limit=limit, offset=offset)
    if output_format == "json":
        _print_json({"articles": [_article_json(a) for a in rows]})
        return
    _table(
        f"{len(rows)} articles",
        ("id", "published", "source", "title", "copy of"),
        (
            (a.id, a.published.date() if a.published else "", a.source, a.title, a.duplicate_of)
            for a in rows
        ),
    )


def _rejected_json(item: Rejected) -> dict[str, object]:
    return {"location": item.location, "code": str(item.code), "message": item.message}


@cli.command()
@FORMAT_OPTION
@_paged
@click.pass_obj
def rejected(state: _State, output_format: str, limit: int | None, offset: int) -> None:
    """List rejected input records with their reason codes."""
    with state.project() as project:
        rows = project.rejected(limit=limit, offset=offset)
    if output_format == "json":
        _print_json({"rejected": [_rejected_json(r) for r in rows]})
        return
    _table(
        f"{len(rows)} rejected records",
        ("location", "code", "message"),
        ((r.location, str(r.code), r.message) for r in rows),
    )


@cli.group(name="eval")
def eval_group() -> None:
    """Score a stage against annotated data (see ../shared/eval/README.md)."""


@eval_group.command(name="timex")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@FORMAT_OPTION
def eval_timex(path: str, output_format: str) -> None:
    """Time expressions against MEANTIME-style JSONL: relaxed span F1 and value F1."""
    from storyline.eval.timex import evaluate_timex, report

    if output_format == "json":
        _print_json(evaluate_timex(path).to_dict())
    else:
        click.echo(report(path))


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: maps errors to one stderr line and the documented exit code."""
    ctx: click.Context | None = None

    def state() -> _State | None:
        return ctx.obj if ctx is not None and isinstance(ctx.obj, _State) else None

    try:
        ctx = cli.make_context("storyline", list(argv) if argv is not None else sys.argv[1:])
        with ctx:
            cli.invoke(ctx)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        hint = (
            f" (try: {exc.ctx.command_path} --help)"
            if isinstance(exc, click.UsageError) and exc.ctx
            else ""
        )
        wants_json = "--json" in (argv if argv is not None else sys.argv[1:])
        error = UsageError(exc.format_message() + hint)
        _fail(state() or _State(None, None, wants_json, False), error)
    except click.exceptions.Abort:
        click.echo("storyline: aborted", err=True)
        sys.exit(130)
    except StorylineError as exc:
        _fail(state(), exc)
    except KeyboardInterrupt:
        click.echo("storyline: interrupted", err=True)
        sys.exit(130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:  # a bug: say so in one line, keep the traceback for --debug later
        _fail(state(), StorylineError(f"{type(exc).__name__}: {exc}"))
