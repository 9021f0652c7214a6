"""A page's filter menus in HTML: a period menu and a group menu, whose values ``filters.js`` joins
into the key of a pre-built, suppressed variant (no data is computed in the browser)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from pipelines.reports.cubes import ALL_MONTHS
from pipelines.reports.privacy import esc


def filter_menus(filters: Sequence[tuple[str, str]]) -> str:
    """Two menus, a period and a group (a key is "<period>|<group>"), instead of one option per
    combination (57 on Reasons); one menu where a page has no periods."""
    if not filters:
        return ""
    labels = dict(filters)
    periods = list(dict.fromkeys(k.split("|", 1)[0] for k, _ in filters))
    groups = list(dict.fromkeys(k.split("|", 1)[1] for k, _ in filters))
    first = periods[0]

    def group_label(g: str) -> str:
        label = labels[f"{first}|{g}"]  # "all months · job family: x", "vendor: x", "all vendors"
        if " · " in label:
            return label.split(" · ", 1)[1]
        return "everyone (no group filter)" if label == ALL_MONTHS else label

    def menu(
        id_: str, title: str, values: list[str], text: Callable[[str], str], extra: str
    ) -> str:
        opts = "".join(f'<option value="{esc(v)}">{esc(text(v))}</option>' for v in values)
        return f'<label>{esc(title)}: <select id="{id_}"{extra}>{opts}</select></label>'

    many = len(periods) > 1
    period = menu("filter-period", "Period", periods, lambda p: labels[f"{p}|"], "") if many else ""
    # without a period menu the one period is on the group menu, for the key
    fixed = "" if many else f' data-period="{esc(first)}"'
    return (
        '<div class="filters">'
        + period
        + menu(
            "filter-group", "Group" if many else _menu_title(filters), groups, group_label, fixed
        )
        + '<span class="note">Each choice is a separate, suppressed aggregate built with the '
        "report; nothing is computed from row-level data in the browser.</span></div>"
    )


def _menu_title(filters: Sequence[tuple[str, str]]) -> str:
    """A one-dimension page's menu is named after it ("vendor: VEND-A" -> "Vendor")."""
    named = [label for _, label in filters if ": " in label]
    return named[0].split(": ", 1)[0].capitalize() if named else "Group"
