"""The Dagster logger behind ``evictions refresh``'s normal output (see ``orchestration.lib.console``).

Our assets' own messages pass through (ingest's per-file lines, dbt's summary, GX's findings);
of Dagster's events only what an operator acts on is kept: a step done with its time, a step
failed or skipped, a check that failed. ``--verbose`` uses Dagster's console logger instead.
"""

import logging
import sys

import dagster as dg

from orchestration.lib import console


class _OperatorHandler(logging.Handler):
    def __init__(self, stream):
        super().__init__()
        # The stream of the run's start: the dbt step redirects stdout to its log file meanwhile.
        self.stream = stream

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = _render(record)
        except Exception:  # a logger must never fail the run
            return
        if message:
            console.line(message, self.stream)


# dagster-dbt's own notes on how it invokes dbt: the dbt summary line says what matters. And
# Dagster's list of the dbt tests an incremental build left out: the dbt step says how many.
_DAGSTER_DBT_CHATTER = (
    "A dbt subsetted execution",
    "Copying `",
    "Running dbt command",
    "Finished dbt command",
    "op 'warehouse_dbt' did not yield or return expected outputs",
)


class _UnrunDbtChecks(logging.Filter):
    """Drops Dagster's warning, one line per check, that a blocking dbt test left out of an
    incremental build "emitted no result". It was left out because nothing it reads changed since
    the last complete build, which it passed (a build with a failing blocking test records no
    basis, so the next build is full): the gate holds, and the dbt step says how many were left out.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (message.startswith("Blocking asset check 'dbt/") and "in step 'warehouse_dbt'" in message)


def _render(record: logging.LogRecord) -> str | None:
    meta = getattr(record, "dagster_meta", None)
    if meta is None:
        return record.getMessage() if record.levelno >= logging.WARNING else None
    step = meta.get("step_key") or "run"
    event = meta.get("dagster_event")
    if event is None:
        if record.levelno < logging.INFO or meta.get("orig_message", "").startswith(_DAGSTER_DBT_CHATTER):
            return None
        prefix = (
            "WARNING " if record.levelno == logging.WARNING else ("ERROR " if record.levelno >= logging.ERROR else "")
        )
        return f"{step}: {prefix}{meta.get('orig_message', record.getMessage())}"
    kind = event.event_type_value
    data = event.event_specific_data
    if kind == "STEP_SUCCESS":
        return f"{step}: done in {data.duration_ms / 1000:.1f} s"
    if kind == "STEP_FAILURE":
        error = data.error
        while error is not None and error.cause is not None:
            error = error.cause
        text = (error.message.strip() if error is not None and error.message else "failed").splitlines()
        return f"{step}: FAILED: {text[0] if text else 'failed'}"
    if kind == "STEP_SKIPPED":
        return f"{step}: skipped (an upstream step failed or a blocking check did not pass)"
    if kind == "ASSET_CHECK_EVALUATION" and not data.passed:
        if data.severity.value != "ERROR":
            severity = "warning"
        else:
            severity = "blocking, FAILED" if data.blocking else "FAILED (not blocking)"
        return f"{step}: check {data.check_name} on {data.asset_key.to_user_string()}: {severity}"
    return None


@dg.logger(description="One readable line per stage (evictions refresh without --verbose).")
def operator_console_logger(init_context: dg.InitLoggerContext) -> logging.Logger:
    # DEBUG: Dagster records a step's success at debug level; _render chooses what is shown.
    logger = logging.Logger("evictions", level=logging.DEBUG)
    logger.addHandler(_OperatorHandler(sys.stdout))
    plan_logger = logging.getLogger("dagster._core.execution.plan.active")
    if not any(isinstance(f, _UnrunDbtChecks) for f in plan_logger.filters):
        plan_logger.addFilter(_UnrunDbtChecks())
    return logger
