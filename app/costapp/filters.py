"""The rows a page shows: a period, the viewer's filters and the viewer's access grants.

A `Slice` is what every query receives. The filters are the viewer's own choices (team, feature,
customer on every page, more on Explore); the grants come from the access file and can never be
widened by a filter or a URL. `queries.py` turns both into bound-parameter SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from ai_cost_attribution.app_access import Grant

# The filters every page offers, in the sidebar, by column.
GLOBAL_FILTERS = ("team", "feature", "customer_id")


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Slice:
    """Days from `start` to `end` (inclusive), filters column -> values, and the access grants
    (None: every row)."""

    start: date
    end: date
    filters: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    grants: tuple[Grant, ...] | None = None

    @property
    def first_month(self) -> date:
        return month_of(self.start)

    @property
    def last_month(self) -> date:
        return month_of(self.end)

    def months(self) -> list[date]:
        """Every month the period touches, oldest first."""
        months, month = [], self.first_month
        while month <= self.last_month:
            months.append(month)
            month = add_months(month, 1)
        return months

    def active_filters(self) -> dict[str, tuple[str, ...]]:
        return {column: values for column, values in self.filters.items() if values}

    def with_filters(self, **columns: tuple[str, ...] | list[str] | None) -> Slice:
        """The same slice with some filters replaced (None or empty removes one)."""
        filters = dict(self.active_filters())
        for column, values in columns.items():
            if values:
                filters[column] = tuple(values)
            else:
                filters.pop(column, None)
        return replace(self, filters=filters)

    def with_period(self, start: date, end: date) -> Slice:
        return replace(self, start=start, end=end)

    def scope_only(self) -> Slice:
        """The access grants alone: for a row the viewer asked for by id (a trace, a call)."""
        return replace(self, filters={})

    def previous_period(self) -> Slice:
        """The same number of days just before, for a headline's change."""
        length = (self.end - self.start).days + 1
        end = date.fromordinal(self.start.toordinal() - 1)
        return replace(self, start=date.fromordinal(end.toordinal() - length + 1), end=end)

    def previous_months(self) -> Slice:
        """The same number of whole months just before (for monthly figures)."""
        count = len(self.months())
        return replace(self, start=add_months(self.first_month, -count), end=self.first_month - timedelta(days=1))
