"""The one clock every edition dates its output by."""

from __future__ import annotations

import datetime as dt
import os


def build_time() -> dt.datetime:
    """``SOURCE_DATE_EPOCH`` when set, so that rebuilds give the same bytes; else now."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC).replace(microsecond=0)


def pdf_date(moment: dt.datetime) -> str:
    """A date in the PDF format (``D:YYYYMMDDHHmmSSZ``)."""
    return moment.astimezone(dt.UTC).strftime("D:%Y%m%d%H%M%SZ")
