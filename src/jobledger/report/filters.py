"""Which applications a report is about: filters by role, tag, company and status, and cohorts
by when the applications were sent.

A cohort (`--since`, `--until`) holds the applications whose base-stage event (applied) falls in
the period, followed up to the report date: that is how recruiting funnels are measured, so a
February cohort's numbers do not change when March's applications come in.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from jobledger.ledger.model import Config
from jobledger.ledger.suggest import closest
from jobledger.records import record
from jobledger.report.view import ApplicationState, Standing

STATUS_WORDS = ("active", "closed")  # besides an outcome key, "accepted" and "ghosted"
_PERIOD = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@record
class Filters:
    roles: tuple[str, ...] = ()  # any of these role keys
    tags: tuple[str, ...] = ()  # all of these tags (case-folded)
    company: str = ""  # a case-insensitive part of the company's name
    status: str = ""  # active, closed, accepted, ghosted (written or inferred), or an outcome key
    since: date | None = None  # cohort: applied on or after
    until: date | None = None  # cohort: applied on or before

    def __bool__(self) -> bool:
        return bool(
            self.roles or self.tags or self.company or self.status or self.since or self.until
        )

    def matches(self, app: ApplicationState) -> bool:
        application = app.application
        if self.roles and application.role.key not in self.roles:
            return False
        if self.tags and not set(self.tags) <= {tag.casefold() for tag in application.tags}:
            return False
        if self.company and self.company.casefold() not in application.company.casefold():
            return False
        if self.status and not _status_matches(self.status, app):
            return False
        if self.since is not None or self.until is not None:
            if app.applied is None:
                return False
            applied = app.applied.date
            if self.since is not None and applied < self.since:
                return False
            if self.until is not None and applied > self.until:
                return False
        return True

    def describe(self) -> str:
        """'role devrel · tag remote · company "acme" · applied 2026-02-01 to 2026-02-28'."""
        parts = [f"role {' or '.join(self.roles)}"] if self.roles else []
        parts += [f"tag {tag}" for tag in self.tags]
        if self.company:
            parts.append(f'company "{self.company}"')
        if self.status:
            parts.append(f"status {self.status}")
        if self.since and self.until:
            parts.append(f"applied {self.since} to {self.until}")
        elif self.since:
            parts.append(f"applied since {self.since}")
        elif self.until:
            parts.append(f"applied until {self.until}")
        return " · ".join(parts)


NO_FILTERS = Filters()


def _status_matches(status: str, app: ApplicationState) -> bool:
    standing = app.status.standing
    if status == "active":
        return standing is Standing.ACTIVE
    if status == "closed":
        return standing is not Standing.ACTIVE
    return app.status.key == status


def parse_period(text: str, *, end: bool) -> date:
    """'2026-02-03', '2026-02' or '2026' -> a date: the first day of the period, or its last day
    when `end` ('--until 2026-02' means up to 28 February). ValueError if it is not a date."""
    match = _PERIOD.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a date, a month or a year (2026-02-03, 2026-02, 2026)")
    year, month, day = (int(part) if part else None for part in match.groups())
    assert year is not None
    if month is None:
        return date(year, 12, 31) if end else date(year, 1, 1)
    if day is None:
        if not 1 <= month <= 12:
            raise ValueError(f"'{text}': there is no month {month}")
        return date(year, month, calendar.monthrange(year, month)[1] if end else 1)
    return date(year, month, day)


def filter_problems(filters: Filters, config: Config) -> list[str]:
    """What in the filters names nothing in this ledger: a role or status that does not exist
    would silently give an empty report."""
    problems = []
    roles = [role.key for role in config.roles] + ["other"]
    for role in filters.roles:
        if role not in roles:
            guess = closest(role, roles)
            hint = f"did you mean '{guess}'?" if guess else "roles: " + ", ".join(roles)
            problems.append(f"--role {role}: no such role; {hint}")
    if filters.status:
        statuses = [*STATUS_WORDS, "accepted", "ghosted", *(o.key for o in config.outcomes)]
        if filters.status not in statuses:
            guess = closest(filters.status, statuses)
            hint = f"did you mean '{guess}'?" if guess else "one of: " + ", ".join(statuses)
            problems.append(f"--status {filters.status}: {hint}")
    if filters.since and filters.until and filters.since > filters.until:
        problems.append(f"--since {filters.since} is after --until {filters.until}")
    return problems
