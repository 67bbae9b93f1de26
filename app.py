"""The Chalice application: wiring only.

Routes live in blueprints by audience (candidates, the exam, staff, pages);
every request passes the middleware in `chalicelib.web.middleware`.
"""

from chalicelib.coldstart import import_on_fresh_stack

# First, and on a stack of known depth: AWS, PynamoDB and the storage layer,
# which are most of a cold start (chalicelib/coldstart.py says why).
import_on_fresh_stack("chalicelib.runtime")

from chalice.app import Chalice, CloudWatchEvent, Cron, Rate  # noqa: E402

from chalicelib import runtime  # noqa: E402
from chalicelib.web import admin, bank, candidate, exam, middleware, pages  # noqa: E402

app = Chalice(app_name="hr-exam")
app.api.binary_types.append("image/png")
app.api.binary_types.append("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
app.register_middleware(middleware.http, "http")
app.register_blueprint(candidate.bp)
app.register_blueprint(exam.bp)
app.register_blueprint(admin.bp)
app.register_blueprint(bank.bp)
app.register_blueprint(pages.bp)


# Schedules. Cron expressions are in UTC; Beijing is UTC+8 all year.


@app.schedule(Cron(0, 11, "*", "*", "?", "*"), name="export_passers")
def export_passers(event: CloudWatchEvent) -> None:
    """19:00 Beijing daily: e-mail staff the new passers of every period whose exam has ended."""
    # Each schedule imports its service: every function's cold start imports this module,
    # and the API's needs none of them (tests/packaging/test_cold_start.py).
    from chalicelib.services import export

    export.export_passers(runtime.current())


@app.schedule(Rate(1, unit=Rate.MINUTES), name="send_outbox")
def send_outbox(event: CloudWatchEvent) -> None:
    """Every minute: send the candidates' queued e-mails; failures wait for a later run."""
    from chalicelib.services import mail

    mail.send_outbox(runtime.current())


@app.schedule(Cron(0, 1, "*", "*", "?", "*"), name="queue_reminders")
def queue_reminders(event: CloudWatchEvent) -> None:
    """09:00 Beijing daily: queue reminders from the working day before each exam."""
    from chalicelib.services import mail

    mail.queue_reminders(runtime.current())


@app.schedule(Rate(5, unit=Rate.MINUTES), name="close_exams")
def close_exams(event: CloudWatchEvent) -> None:
    """Every 5 minutes: score, from their saved answers, attempts the grace left unsubmitted (自动交卷)."""
    from chalicelib.services import exam as exam_service

    exam_service.close_exams(runtime.current())


@app.schedule(Cron(30, 19, "*", "*", "?", "*"), name="purge_expired")
def purge_expired(event: CloudWatchEvent) -> None:
    """03:30 Beijing daily: delete what the retention settings say has expired, in bounded steps."""
    from chalicelib.services import retention

    retention.purge_expired(runtime.current())
