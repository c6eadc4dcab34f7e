"""The ``storyline`` command: parse, call the library, format. No pipeline logic lives here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from storyline import __version__
from storyline.config import Settings, load_settings
from storyline.errors import InputRejectedError, StorylineError, UsageError
from storyline.ingest.base import parse_published
from storyline.model import Annotations, Article, Rejected
from storyline.project import (
    SCHEMA_VERSION,
    WRITER_WAIT_SECONDS,
    IngestProgress,
    Project,
    annotate_input,
    open_project,
)

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
            ticks = totals.records_read + totals.articles_annotated + totals.articles_linked
            if ticks % 25 == 0 or ticks < 25:
                bar.update(
                    task,
                    description=(
                        f"{totals.records_read:,} read · {totals.articles_added:,} new articles · "
                        f"{totals.duplicates_added:,} copies · {totals.rejected:,} rejected · "
                        f"{totals.articles_annotated:,} annotated · "
                        f"{totals.articles_linked:,} linked · {step.location[-50:]}"
                    ),
                )

        yield update


@contextmanager
def _count_display(enabled: bool, noun: str) -> Iterator[Callable[[int, int], None] | None]:
    """A progress bar for work of known size on a terminal; nothing when piped or quiet."""
    if not enabled:
        yield None
        return
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(noun, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

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
@click.option(
    "--ignore-robots",
    is_flag=True,
    default=None,
    help="With --fetch, fetch pages that a site's robots.txt disallows (fetch.obey_robots).",
)
@click.option("--strict", is_flag=True, help="Exit with code 3 when any record is rejected.")
@click.option("--min-text-chars", type=int, help="Reject articles with less text than this.")
@click.option("--dedup-threshold", type=float, help="Similarity at which texts are copies.")
@click.option(
    "--no-annotate",
    "no_annotate",
    is_flag=True,
    help="Only read, dedupe and store; annotate later (annotate.on_ingest = false).",
)
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    default=WRITER_WAIT_SECONDS,
    show_default=True,
    metavar="SECONDS",
    help="How long to wait for another ingest writing to the same store before stopping.",
)
@FORMAT_OPTION
@click.pass_obj
def ingest(
    state: _State,
    sources: tuple[str, ...],
    fetch: bool,
    allow_private: bool | None,
    ignore_robots: bool | None,
    strict: bool,
    min_text_chars: int | None,
    dedup_threshold: float | None,
    no_annotate: bool,
    wait_seconds: float,
    output_format: str,
) -> None:
    """Read articles from files, folders (recursively) or - (stdin) into the store.

    Formats are recognised by content: JSONL, HTML, plain text, RSS/Atom, WARC and URL lists
    (with --fetch), each optionally gzip-, bzip2- or xz-compressed. Bad records are kept as
    rejections with their reason (see: storyline rejected).
    """
    overrides = {
        "fetch.allow_private_addresses": allow_private,
        "fetch.obey_robots": False if ignore_robots else None,
        "ingest.min_text_chars": min_text_chars,
        "dedup.threshold": dedup_threshold,
        "annotate.on_ingest": False if no_annotate else None,
    }
    with state.project(create=True, **overrides) as project:
        show = not state.quiet and sys.stderr.isatty()
        with _progress_display(show) as progress:
            report = project.ingest(
                sources, fetch=fetch, progress=progress, wait_seconds=wait_seconds
            )
    if output_format == "json":
        _print_json(report.to_dict())
    else:
        click.echo(
            f"read {_count(report.records_read, 'record')}: "
            f"{_count(report.articles_added, 'new article')} "
            f"({report.duplicates_added:,} of them copies), "
            f"{report.already_stored:,} already stored, {report.rejected:,} rejected"
        )
        if report.articles_annotated or report.annotation_failed:
            failed = f", {report.annotation_failed:,} failed" if report.annotation_failed else ""
            click.echo(f"  annotated {_count(report.articles_annotated, 'article')}{failed}")
        if report.articles_assigned or report.assignment_failed:
            failed = f", {report.assignment_failed:,} failed" if report.assignment_failed else ""
            stories = "story" if report.new_stories == 1 else "stories"
            click.echo(
                f"  assigned {_count(report.articles_assigned, 'article')} to stories "
                f"({report.new_stories:,} new {stories}){failed}"
            )
        if report.articles_linked or report.linking_failed:
            failed = f", {report.linking_failed:,} failed" if report.linking_failed else ""
            click.echo(
                f"  linked the entities of {_count(report.articles_linked, 'article')}{failed}"
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
        ("annotated", totals.annotated),
        ("sources", totals.sources),
        ("stories", totals.stories),
    ]
    # The store actually opened: --db, STORYLINE_DB or the config file's db.
    _table(f"store {location}", ("", "count"), iter(rows))


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
        _print_json({"articles": [a.to_dict() for a in rows]})
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


@cli.command()
@click.argument("source", metavar="FILE | -")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["jsonl"]),
    default="jsonl",
    show_default=True,
    help="One JSON object per article (the contract in DESIGN.md).",
)
@click.option(
    "--published",
    metavar="ISO",
    help="Publication time for articles whose input gives none (resolves 'last week').",
)
@click.option("--strict", is_flag=True, help="Exit with code 3 when any record is rejected.")
@click.pass_obj
def annotate(
    state: _State, source: str, output_format: str, published: str | None, strict: bool
) -> None:
    """Annotate articles from a file, folder or - (stdin) without a store.

    Prints entities, quotes with speakers, quantities and time expressions as JSON lines, in
    input order; offsets index the printed text (a given text is kept unchanged). Rejected
    records are reported on stderr.
    """
    when = _parse_published_option(published)
    rejected = 0
    for result in annotate_input(source, settings=state.settings(), published=when):
        if isinstance(result, Rejected):
            rejected += 1
            click.echo(
                f"storyline: rejected {result.location}: {result.code}: {result.message}",
                err=True,
            )
            continue
        article, found = result
        click.echo(json.dumps(_annotated_json(article, found), ensure_ascii=False))
    if strict and rejected:
        raise InputRejectedError(f"{_count(rejected, 'record')} rejected")


def _parse_published_option(value: str | None) -> datetime | None:
    if value is None:
        return None
    moment = parse_published(value)
    if moment is None:
        raise UsageError(f"--published: not an ISO-8601 date or time: {value!r}")
    return moment


def _annotated_json(article: Article, found: Annotations | None) -> dict[str, object]:
    document: dict[str, object] = {
        "id": article.id,
        "published": article.published.isoformat() if article.published else None,
        "text": article.text,
        **(found or Annotations()).to_dict(),
    }
    if found is None:
        document["error"] = "annotation_failed"
    return document


@cli.command(name="article")
@click.argument("article_id", metavar="ID")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A readable summary, or JSON: the article and its annotations.",
)
@click.pass_obj
def article_command(state: _State, article_id: str, output_format: str) -> None:
    """One stored article with its annotations."""
    with state.project() as project:
        article = project.article(article_id)
        found = project.annotations(article_id)
    if output_format == "json":
        _print_json(article.annotated_dict(found))
        return
    published = article.published.isoformat() if article.published else "unknown"
    click.echo(f"{article.id}  {article.source or ''}  {published}")
    click.echo(article.title or "(no title)")
    if found is None:
        click.echo("not annotated yet (run: storyline ingest again, or see annotate.on_ingest)")
        return
    entities = {f"{e.canonical} ({e.label})" for e in found.entities}
    click.echo(f"entities: {', '.join(sorted(entities)) or '-'}")
    for quote in found.quotes:
        who = quote.speaker.canonical if quote.speaker else "?"
        click.echo(f"quote [{quote.kind}] {who}: {quote.content.text[:120]}")
    for q in found.quantities:
        click.echo(
            f"quantity: {q.text} -> {q.value} [{q.low}, {q.high}] {q.unit or ''} {q.counts or ''}"
        )
    for t in found.timexes:
        click.echo(f"time: {t.text} -> {t.type} {t.value}")


@cli.command()
@FORMAT_OPTION
@_paged
@click.pass_obj
def stories(state: _State, output_format: str, limit: int | None, offset: int) -> None:
    """List stories, most recently published first."""
    with state.project() as project:
        rows = project.stories(limit=limit, offset=offset)
    if output_format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, "stories": [s.to_dict() for s in rows]})
        return
    _table(
        f"{len(rows)} stories",
        ("id", "first", "last", "articles", "sources", "title"),
        (
            (
                s.id,
                s.first_published.date() if s.first_published else "",
                s.last_published.date() if s.last_published else "",
                len(s.article_ids),
                s.sources,
                s.title,
            )
            for s in rows
        ),
    )


@cli.command()
@FORMAT_OPTION
@_paged
@click.option("--search", metavar="TEXT", help="Only entities with a name or alias containing it.")
@click.pass_obj
def entities(
    state: _State, output_format: str, limit: int | None, offset: int, search: str | None
) -> None:
    """List corpus entities (one per real-world referent), most mentioned first."""
    with state.project() as project:
        rows = project.entities(limit=limit, offset=offset, query=search)
    if output_format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, "entities": [e.to_dict() for e in rows]})
        return
    _table(
        f"{len(rows)} entities",
        ("id", "label", "articles", "canonical", "aliases"),
        ((e.id, e.label, len(e.article_ids), e.canonical, ", ".join(e.aliases[:6])) for e in rows),
    )


@cli.command(name="entity")
@click.argument("entity_id", metavar="ID")
@FORMAT_OPTION
@click.pass_obj
def entity_command(state: _State, entity_id: str, output_format: str) -> None:
    """One corpus entity: its name, label, aliases and the articles that mention it."""
    with state.project() as project:
        found = project.entity(entity_id)
    if output_format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, **found.to_dict()})
        return
    click.echo(f"{found.id}  {found.canonical} ({found.label})")
    click.echo(f"aliases: {', '.join(found.aliases) or '-'}")
    click.echo(f"articles ({len(found.article_ids)}): {', '.join(found.article_ids)}")


@cli.command(name="story-history")
@click.argument("story_id", metavar="STORY_ID")
@FORMAT_OPTION
@click.pass_obj
def story_history(state: _State, story_id: str, output_format: str) -> None:
    """What happened to a story id: merges and splits, and the story it resolves to now."""
    with state.project() as project:
        history = project.story_history(story_id)
    if output_format == "json":
        _print_json(history.to_dict())
        return
    click.echo(f"{story_id} -> {history.resolves_to}")
    if not history.events:
        click.echo("no merges or splits")
    for event in history.events:
        click.echo(
            f"{event.kind}: {', '.join(event.story_ids)} -> {event.into}"
            f"{f' (at {event.at_article})' if event.at_article else ''}: {event.reason}"
        )


@cli.command(name="check-stories")
@click.argument("story_ids", metavar="[STORY_ID]...", nargs=-1)
@FORMAT_OPTION
@click.pass_obj
def check_stories(state: _State, story_ids: tuple[str, ...], output_format: str) -> None:
    """Check the stories that changed since the last check (or the STORY_IDs given): split
    those whose articles report separate events, merge a lone article into the story it now
    matches. Ingest does this as it goes."""
    with state.project() as project:
        report = project.check_stories(list(story_ids) if story_ids else None)
    if output_format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, **report.to_dict()})
        return
    kinds = [event.kind for event in report.events]
    click.echo(
        f"stories checked: {len(report.checked):,}, split: {kinds.count('split'):,}, "
        f"merged: {kinds.count('merge'):,}, articles moved: {report.moved:,}"
    )
    for story_id in report.skipped:
        click.echo(f"skipped {story_id}: more articles than stories.check_max_members")
    for event in report.events:
        click.echo(f"{event.kind}: {', '.join(event.story_ids)} -> {event.into}")
        click.echo(f"  {event.reason}")


@cli.command()
@click.argument("article_id", metavar="ARTICLE_ID")
@FORMAT_OPTION
@click.pass_obj
def explain(state: _State, article_id: str, output_format: str) -> None:
    """Why an article is in its story: shared names and terms, nearest articles, runner-up."""
    with state.project() as project:
        why = project.explain(article_id)
    if output_format == "json":
        _print_json({"schema_version": SCHEMA_VERSION, **why.to_dict()})
        return
    joined = "founded" if why.new_story else "joined"
    click.echo(f"{why.article_id} {joined} story {why.story_id} (score {why.score:.3f})")
    if why.reason:
        click.echo(f"  {why.reason}")
    if why.time:
        click.echo(f"  time: {why.time}")
    if why.shared_entities:
        names = ", ".join(f"{n} {w:.3f}" for n, w in why.shared_entities)
        click.echo(f"  shared names: {names}")
    if why.shared_terms:
        click.echo(f"  shared terms: {', '.join(f'{t} {w:.3f}' for t, w in why.shared_terms)}")
    for other, score in why.nearest:
        click.echo(f"  nearest: {other} {score:.3f}")
    if why.runner_up:
        click.echo(f"  runner-up: {why.runner_up} (score {why.runner_up_score:.3f})")


@cli.command()
@click.argument("story_id", metavar="STORY_ID")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["json", "md", "html"]),
    default="md",
    show_default=True,
    help="JSON (the dossier contract), Markdown, or one self-contained HTML page.",
)
@click.option("--out", type=click.Path(dir_okay=False), help="Write to this file, not stdout.")
@click.pass_obj
def show(state: _State, story_id: str, output_format: str, out: str | None) -> None:
    """A story's dossier: brief, claims with corroboration, disagreements, timeline, quotes."""
    from storyline.synthesize.export import render_dossier

    with state.project() as project:
        document = project.dossier_document(story_id)
        texts = (
            project.article_texts(a["id"] for a in document["articles"])
            if output_format != "json"
            else None
        )
    rendered = render_dossier(document, output_format, texts)
    if out is None:
        click.echo(rendered, nl=False)
    else:
        Path(out).write_text(rendered, encoding="utf-8")


@cli.command(name="export")
@click.option(
    "--out", required=True, type=click.Path(file_okay=False), help="Folder to write into."
)
@click.option(
    "--format",
    "formats",
    type=click.Choice(["json", "md", "html"]),
    multiple=True,
    help="Formats to write (repeatable; default: all three).",
)
@click.option("--story", "story_ids", multiple=True, metavar="ID", help="Only these stories.")
@click.pass_obj
def export_command(
    state: _State, out: str, formats: tuple[str, ...], story_ids: tuple[str, ...]
) -> None:
    """Write every story's dossier into a folder (<story id>.json/.md/.html) with an index."""
    show = not state.quiet and sys.stderr.isatty()
    with state.project() as project, _count_display(show, "dossiers") as progress:
        written = project.export_dossiers(
            out,
            formats=formats or ("json", "md", "html"),
            story_ids=story_ids or None,
            progress=progress,
        )
    stories = {p.stem for p in written if p.stem != "index"}
    click.echo(f"wrote {_count(len(stories), 'dossier')} ({len(written)} files) to {out}")


@cli.command()
@click.option("--host", help="Address to listen on (default 127.0.0.1, or api.host).")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default 8000, or api.port).")
@click.pass_obj
def serve(state: _State, host: str | None, port: int | None) -> None:
    """Serve the HTTP API (and the web UI) over the store.

    Listens on 127.0.0.1 by default. Writes (POST /api/articles) need the bearer token of
    STORYLINE_API_TOKEN or [api] token; with none set they are accepted only on loopback.
    """
    import uvicorn

    from storyline.api import create_app

    settings = state.settings(**{"api.host": host, "api.port": port})
    app = create_app(settings)
    uvicorn.run(
        app,
        host=settings.api.host,
        port=settings.api.port,
        log_level="warning" if state.quiet else "info",
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


@eval_group.command(name="quotes")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--limit", type=click.IntRange(min=1), help="Score only the first N documents.")
@FORMAT_OPTION
@click.pass_obj
def eval_quotes(state: _State, path: str, limit: int | None, output_format: str) -> None:
    """Quote attribution against PolNeAR-style JSONL: content and speaker F1."""
    from storyline.annotate.pipeline import build_pipeline
    from storyline.eval.quotes import evaluate_quotes, report

    nlp = build_pipeline(state.settings().annotate)
    scores = evaluate_quotes(path, nlp, limit=limit)
    if output_format == "json":
        _print_json(scores.to_dict())
    else:
        click.echo(report(scores))


@eval_group.command(name="clustering")
@click.argument("path", type=click.Path(exists=True))
@click.option(
    "--stories",
    "labels_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Gold stories as JSONL {doc_id, story} (e.g. eval/polnear-stories.jsonl) for the "
    "documents in PATH; only labelled documents are scored.",
)
@click.option(
    "--shuffles",
    type=click.IntRange(min=0),
    default=5,
    show_default=True,
    help="Also score this many seeded random arrival orders (order robustness).",
)
@click.option(
    "--folds",
    type=click.IntRange(min=2),
    help="Cross-validate by topic: choose the join threshold, name weight and lead weight on "
    "all folds but one, score them on that one, for each fold (beside the default settings).",
)
@FORMAT_OPTION
@click.pass_obj
def eval_clustering(
    state: _State,
    path: str,
    labels_path: str | None,
    shuffles: int,
    folds: int | None,
    output_format: str,
) -> None:
    """Story clustering against gold stories: BCubed and pairwise P/R/F1.

    PATH is ECB+-style JSONL or a folder of such files (e.g. examples/corpus-src), or the
    texts that --stories labels (e.g. ../shared/eval/polnear). Documents are added online in
    publication order when all have dates, else in file order.
    """
    from storyline.eval.clustering import (
        evaluate_clustering,
        evaluate_folds,
        folds_report,
        load_labels,
        report,
    )

    labels = load_labels(labels_path) if labels_path else None
    if folds is not None:
        results = evaluate_folds(path, state.settings(), folds=folds, labels=labels)
        if output_format == "json":
            _print_json({"folds": [fold.to_dict() for fold in results]})
        else:
            click.echo(folds_report(results))
        return
    scores = evaluate_clustering(path, state.settings(), shuffles=shuffles, labels=labels)
    if output_format == "json":
        _print_json(scores.to_dict())
    else:
        click.echo(report(scores))


@eval_group.command(name="dossier")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--data",
    "data_dir",
    type=click.Path(exists=True, file_okay=False),
    help="Folder of the datasets the gold names (ecbplus/, polnear/); default: the "
    "repository's ../shared/eval.",
)
@FORMAT_OPTION
@click.pass_obj
def eval_dossier(state: _State, gold: str, data_dir: str | None, output_format: str) -> None:
    """Dossiers against hand-labelled gold stories (e.g. eval/dossier-gold.jsonl): claim
    precision and recall, measure naming, disagreement precision, recall and types.

    Each story's documents go through the real pipeline in a temporary store; its dossier is
    built from all of them even when clustering splits them.
    """
    from storyline.eval.dossier import default_data_dir, evaluate_dossiers, report

    folder = Path(data_dir) if data_dir else default_data_dir()
    if not folder.is_dir():
        raise UsageError(f"no dataset folder at {folder}: pass --data DIR")
    try:
        scores = evaluate_dossiers(gold, state.settings(), data_dir=folder)
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    if output_format == "json":
        _print_json(scores.to_dict())
    else:
        click.echo(report(scores))


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
