"""One spreadsheet import in the console, as its pages run it: the preview (预览) and the record
(导入) steps of the roster, the candidates and the entrants imports.

Each import is a :class:`ConsoleImport`: what differs between them (the kind, how the import
runs for a target, its columns, the heading, the urls, the page that shows an upload error,
where to go once recorded) as fields; the flow itself once, here:

- ``preview``: the uploaded file's dry run -- every row and its problems, nothing recorded -- and,
  for a clean file, the file held sealed (:mod:`service.pages.console_uploads`) for the record
  step; no file, or an empty one, is said beside the upload field (422);
- ``record``: the held file recorded, all or nothing; an expired or foreign preview is refused
  (422), and a file the ledger no longer accepts (the target changed since the preview) is
  previewed again with its problems (422).

The routes stay in their pages' modules: each finds its target (and refuses anyone who may not
change it) and hands it to its import.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from flask import redirect, request, url_for

from domain.errors import DomainRuleViolation
from service.evaluations.imports import ImportReport
from service.pages.blueprints import render
from service.pages.console_uploads import (
    CHANGES,
    forget,
    hold,
    preview_rows,
    shown_name,
    take,
    uploaded_file,
)
from service.pages.i18n import gettext
from service.pages.people import current_person

__all__ = ["ConsoleImport"]

Target = TypeVar("Target")


def _same(target: Target) -> Target:
    return target


def _nothing(target: object) -> Mapping[str, Any]:
    return {}


@dataclass(frozen=True)
class ConsoleImport(Generic[Target]):
    """An import's preview and record steps for its target (a body's id, a session, a
    competition)."""

    kind: str  # the import's kind: what a held file is bound to; its blank template's kind
    # (target, data, dry_run, actor) → the import's report
    run: Callable[[Target, bytes, bool, str], ImportReport]
    target_id: Callable[[Target], UUID]  # the target the held file is bound to
    columns: Mapping[str, tuple[str, ...]]  # the import's columns, to read every row
    extra_columns: Mapping[str, str]  # the other cells the preview lists → their headings (N_)
    heading: Callable[[Target], str]  # the preview's heading (and title)
    upload_endpoint: str  # where the file is uploaded (the preview)
    record_endpoint: str  # where the preview's file is recorded
    back_endpoint: str  # the import's page: back from the preview, and after recording
    url_values: Callable[[Target], Mapping[str, Any]]  # the endpoints' values for a target
    page: Callable[..., Any]  # (target, status, upload_error=...) → the import's page
    recorded: Callable[[ImportReport], Mapping[str, Any]]  # the page's values once recorded
    # what the page says of a refused import (the target closed to it); None: not caught
    refusal: Callable[[DomainRuleViolation], str] | None = None
    fresh: Callable[[Target], Target] = _same  # the target as the ledger now has it
    context: Callable[[Target], Mapping[str, Any]] = _nothing  # more for the template

    def preview_page(
        self, target: Target, data: bytes, filename: str, report: ImportReport, status: int = 200
    ) -> Any:
        """The preview of ``report`` (every row of ``data`` with its problems); a clean file is
        held for the record step."""
        rows, whole_file, left_out = preview_rows(
            data, report, self.columns, tuple(self.extra_columns)
        )
        heading = self.heading(target)
        values = self.url_values(target)
        held = report.ok and report.rows
        return render(
            "pages/console_import_preview.html",
            status=status,
            title=heading,
            heading=heading,
            report=report,
            change_labels=CHANGES,
            upload_error=None,
            rows=rows,
            whole_file=whole_file,
            left_out=left_out,
            extra_columns=dict(self.extra_columns),
            filename=filename,
            upload=hold(data, kind=self.kind, target=self.target_id(target)) if held else "",
            record_url=url_for(self.record_endpoint, **values),
            upload_url=url_for(self.upload_endpoint, **values),
            back_url=url_for(self.back_endpoint, **values),
            template_url=url_for("evaluations.import_template", kind=self.kind),
            **{"evaluation": None, **self.context(target)},
        )

    def _run(self, target: Target, data: bytes, *, dry_run: bool) -> ImportReport | Any:
        """The import's report, or (when the target refuses the import) its page saying why."""
        person = current_person()
        assert person is not None  # the console lets only people in
        actor = person.principal.actor
        if self.refusal is None:
            return self.run(target, data, dry_run, actor)
        try:
            return self.run(target, data, dry_run, actor)
        except DomainRuleViolation as error:  # e.g. the session is no longer planned
            return self.page(target, 422, upload_error=self.refusal(error))

    def preview(self, target: Target) -> Any:
        """The dry run of the uploaded file: every row and its problems; nothing recorded."""
        uploaded = uploaded_file()
        if isinstance(uploaded, str):
            return self.page(target, 422, upload_error=uploaded)
        data, filename = uploaded
        report = self._run(target, data, dry_run=True)
        if not isinstance(report, ImportReport):
            return report
        return self.preview_page(target, data, filename, report)

    def record(self, target: Target) -> Any:
        """Record the previewed file (all or nothing)."""
        token = request.form.get("upload", "")
        data = take(token, kind=self.kind, target=self.target_id(target))
        if data is None:
            return self.page(target, 422, upload_error=gettext("预览已过期，请重新上传文件。"))
        report = self._run(target, data, dry_run=False)
        if not isinstance(report, ImportReport):
            return report
        if not report.recorded and report.problems:  # the ledger changed since the preview
            filename = shown_name(request.form.get("filename", ""))
            return self.preview_page(self.fresh(target), data, filename, report, status=422)
        forget(token)
        values = {**self.url_values(target), **self.recorded(report)}
        return redirect(url_for(self.back_endpoint, **values), code=303)
