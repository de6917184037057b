"""The app's pages: the name an access file gives each, its title, script and URL path."""

from __future__ import annotations

from dataclasses import dataclass

from ai_cost_attribution.app_access import PAGES as PAGE_NAMES


@dataclass(frozen=True)
class PageSpec:
    name: str  # as the access file's `pages` names it
    title: str
    script: str  # relative to app/
    url_path: str  # "" for the home page

    @property
    def is_default(self) -> bool:
        return self.url_path == ""


PAGES: tuple[PageSpec, ...] = (
    PageSpec("overview", "Overview", "views/overview.py", ""),
    PageSpec("explore", "Explore", "views/explore.py", "explore"),
    PageSpec("customers", "Customers", "views/customers.py", "customers"),
    PageSpec("customer", "One customer", "views/customer.py", "customer"),
    PageSpec("features", "Features and agents", "views/features.py", "features"),
    PageSpec("budgets", "Budgets and anomalies", "views/budgets.py", "budgets"),
    PageSpec("allocation", "Allocation and reconciliation", "views/allocation.py", "allocation"),
    PageSpec("calls", "Calls and traces", "views/calls.py", "calls"),
)
BY_NAME = {page.name: page for page in PAGES}
assert tuple(page.name for page in PAGES) == PAGE_NAMES, "app_access.PAGES lists the pages drawn here"
