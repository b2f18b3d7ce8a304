"""Turning loose, JSON-like rows (JSONL lines, CSV rows, DataFrame rows) into a Request."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from .errors import InputError

DEFAULT_TZ = ZoneInfo("Asia/Shanghai")

_REQUEST_KEYS = {"text", "subject", "channel", "received_at", "customer", "order", "history", "id", "meta"}
_CUSTOMER_FLAT = {"customer_id": "id", "customer_tier": "tier", "tier": "tier",
                  "lifetime_value": "lifetime_value", "customer_lifetime_value": "lifetime_value",
                  "open_complaints": "open_complaints", "past_complaints": "past_complaints"}
_ORDER_FLAT = {"order_id": "id", "order_amount": "amount", "amount": "amount", "order_status": "status"}
_ALIASES = {"request_id": "id", "message": "text", "content": "text", "timestamp": "received_at",
            "created_at": "received_at", "time": "received_at"}


def _missing(v: Any) -> bool:
    """None, NaN/NaT (from pandas) and empty strings count as 'not given'."""
    if v is None:
        return True
    if isinstance(v, float) and math.isnan(v):
        return True
    if isinstance(v, str) and not v.strip():
        return True
    return type(v).__name__ in {"NaTType", "NAType"}


def parse_time(value: Any, name: str, default_tz: dt.tzinfo | None = None) -> dt.datetime | None:
    """ISO string, epoch seconds, ``datetime`` or pandas ``Timestamp`` → aware datetime."""
    if _missing(value):
        return None
    tz = default_tz or DEFAULT_TZ
    if hasattr(value, "to_pydatetime"):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime):
        out = value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        out = dt.datetime.fromtimestamp(float(value), tz=dt.UTC)
    elif isinstance(value, str):
        s = value.strip().replace("Z", "+00:00")
        try:
            out = dt.datetime.fromisoformat(s)
        except ValueError:
            raise InputError(f"{name}: cannot read {value!r} as a time (expected ISO 8601, "
                             "e.g. 2026-09-30T17:00:00+08:00)") from None
    else:
        raise InputError(f"{name}: expected a time, got {type(value).__name__}")
    if out.tzinfo is None:
        out = out.replace(tzinfo=tz)
    return out


def _str(v: Any) -> str | None:
    if _missing(v):
        return None
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _num(v: Any, name: str) -> float | None:
    if _missing(v):
        return None
    if isinstance(v, str):
        try:
            return float(v.replace(",", "").replace("¥", "").replace("元", "").strip())
        except ValueError:
            raise InputError(f"{name}: expected a number, got {v!r}") from None
    if isinstance(v, bool) or not isinstance(v, int | float):
        try:
            return float(v)
        except (TypeError, ValueError):
            raise InputError(f"{name}: expected a number, got {v!r}") from None
    return float(v)


def request_from_mapping(cls: type, data: Mapping[str, Any], *, default_tz: dt.tzinfo | None = None) -> Any:
    from .types import Customer, HistoryItem, Order

    if not isinstance(data, Mapping):
        raise InputError(f"a request must be a JSON object / mapping, got {type(data).__name__}")
    row = {_ALIASES.get(k, k): v for k, v in data.items()}
    text = row.get("text")
    if _missing(text):
        if "text" not in row:
            raise InputError("missing required field 'text'")
        text = ""
    if not isinstance(text, str):
        text = str(text)

    cust_fields: dict[str, Any] = {}
    c = row.get("customer")
    if isinstance(c, Mapping):
        cust_fields.update(c)
    elif not _missing(c):
        raise InputError(f"customer: expected an object, got {type(c).__name__}")
    order_fields: dict[str, Any] = {}
    o = row.get("order")
    if isinstance(o, Mapping):
        order_fields.update(o)
    elif not _missing(o):
        raise InputError(f"order: expected an object, got {type(o).__name__}")
    meta = dict(row.get("meta") or {}) if isinstance(row.get("meta"), Mapping) else {}
    for k, v in row.items():
        if k in _CUSTOMER_FLAT:
            cust_fields.setdefault(_CUSTOMER_FLAT[k], v)
        elif k in _ORDER_FLAT:
            order_fields.setdefault(_ORDER_FLAT[k], v)
        elif k not in _REQUEST_KEYS and not _missing(v):
            meta[k] = v

    customer = None
    if any(not _missing(v) for v in cust_fields.values()):
        customer = Customer(
            id=_str(cust_fields.get("id")),
            tier=_str(cust_fields.get("tier")),
            lifetime_value=_num(cust_fields.get("lifetime_value"), "customer.lifetime_value"),
            open_complaints=int(_num(cust_fields.get("open_complaints"), "customer.open_complaints") or 0),
            past_complaints=int(_num(cust_fields.get("past_complaints"), "customer.past_complaints") or 0),
        )
    order = None
    if any(not _missing(v) for v in order_fields.values()):
        order = Order(id=_str(order_fields.get("id")),
                      amount=_num(order_fields.get("amount"), "order.amount"),
                      status=_str(order_fields.get("status")))

    history = []
    raw_hist = row.get("history")
    if not isinstance(raw_hist, list | tuple) and not _missing(raw_hist):
        raise InputError("history: expected a list of {received_at, category, ...} objects")
    if isinstance(raw_hist, list | tuple):
        for i, h in enumerate(raw_hist):
            if not isinstance(h, Mapping):
                raise InputError(f"history[{i}]: expected an object")
            when = parse_time(h.get("received_at") or h.get("time"), f"history[{i}].received_at", default_tz)
            if when is None:
                raise InputError(f"history[{i}]: missing received_at")
            history.append(HistoryItem(received_at=when, category=_str(h.get("category")),
                                       channel=_str(h.get("channel")), priority=_str(h.get("priority")),
                                       open=bool(h.get("open", False)), request_id=_str(h.get("request_id"))))
    return cls(
        text=text,
        subject=_str(row.get("subject")),
        channel=_str(row.get("channel")),
        received_at=parse_time(row.get("received_at"), "received_at", default_tz),
        customer=customer,
        order=order,
        history=tuple(history),
        id=_str(row.get("id")),
        meta=meta,
    )
