"""Time for the generators: epoch milliseconds, ISO 8601 text, the shape of a day and a window."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np

DAY_MS = 86_400_000
EPOCH = datetime(1970, 1, 1)
EPOCH_DATE = date(1970, 1, 1)
REGION_OFFSET_MIN = {"us": -300, "eu": 120, "apac": 540}  # the local offsets some SDKs write

# Relative traffic per local hour of day: quiet nights, a business-day plateau.
# fmt: off
LOCAL_HOUR_WEIGHTS = (0.15, 0.1, 0.08, 0.08, 0.1, 0.2, 0.4, 0.7, 1.0, 1.25, 1.35, 1.3,
                      1.1, 1.25, 1.35, 1.3, 1.15, 0.9, 0.65, 0.5, 0.45, 0.4, 0.3, 0.2)
# fmt: on


def format_occurred_at(ts_ms: int, offset_min: int | None) -> str:
    """ISO 8601 with milliseconds: ``Z`` when ``offset_min`` is None, else local time + offset."""
    local_ms = ts_ms + (offset_min or 0) * 60_000
    text = (EPOCH + timedelta(milliseconds=local_ms - local_ms % 1000)).strftime("%Y-%m-%dT%H:%M:%S")
    text += f".{local_ms % 1000:03d}"
    if offset_min is None:
        return text + "Z"
    sign = "+" if offset_min >= 0 else "-"
    hours, minutes = divmod(abs(offset_min), 60)
    return f"{text}{sign}{hours:02d}:{minutes:02d}"


def day_ms(day: date) -> int:
    """Epoch milliseconds of midnight UTC starting ``day``."""
    return (day - EPOCH_DATE).days * DAY_MS


def utc_hour_cdf(region: str) -> list[float]:
    """Cumulative share of a region's traffic per UTC hour (its local business day, shifted)."""
    local = LOCAL_HOUR_WEIGHTS
    shift = round(REGION_OFFSET_MIN[region] / 60)
    utc = np.array([local[(h + shift) % 24] for h in range(24)])
    return (np.cumsum(utc) / utc.sum()).tolist()


def day_factor(day: date, index: int, days: int) -> float:
    """Traffic level of a day: from 0.85 to 1.15 of the average over the window (35 % growth), weekends at 55 %."""
    growth = 0.85 + 0.3 * (index / max(1, days - 1))
    return growth * (0.55 if day.weekday() >= 5 else 1.0)
