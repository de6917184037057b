"""Arrow for the bulk generator: string columns built straight from byte matrices, JSON Lines and
Parquet writers. Arrays are built from buffers: ``pa.array`` would import pandas (about a second
of start-up), and a million ids a second need no Python strings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ai_cost_attribution.contract import METADATA_FIELD, raw_csv_sources
from ai_cost_attribution.generate.clock import DAY_MS, EPOCH_DATE
from ai_cost_attribution.generate.ids import mix64_array


def _is_number(kind: pa.DataType) -> bool:
    """Columns whose min / max statistics let a reader skip row groups (tokens, latency, is_batch)."""
    return pa.types.is_integer(kind) or pa.types.is_boolean(kind)


def _ascii_table(*columns: np.ndarray | str) -> np.ndarray:
    """A byte matrix from columns of 2-digit numbers (arrays) and literal characters (str)."""
    rows = next(len(c) for c in columns if not isinstance(c, str))
    parts = []
    for column in columns:
        if isinstance(column, str):
            parts.append(np.full((rows, 1), ord(column), dtype=np.uint8))
        else:
            parts.append(np.stack([48 + column // 10, 48 + column % 10], axis=1).astype(np.uint8))
    return np.concatenate(parts, axis=1)


_SECONDS = np.arange(86_400)
_CLOCK = _ascii_table(_SECONDS // 3600, ":", _SECONDS // 60 % 60, ":", _SECONDS % 60)  # "HH:MM:SS" per second
_THOUSAND = np.arange(1000)
_DIGITS3 = np.stack([48 + _THOUSAND // 100, 48 + _THOUSAND // 10 % 10, 48 + _THOUSAND % 10], axis=1).astype(np.uint8)
_OFFSET_RANGE = 14 * 60  # UTC offsets from -14:00 to +14:00, in minutes
_OFFSET_VALUES = np.arange(-_OFFSET_RANGE, _OFFSET_RANGE + 1)
_OFFSETS = np.concatenate(
    [
        np.where(_OFFSET_VALUES < 0, ord("-"), ord("+")).astype(np.uint8)[:, None],
        _ascii_table(np.abs(_OFFSET_VALUES) // 60, ":", np.abs(_OFFSET_VALUES) % 60),
    ],
    axis=1,
)  # "+HH:MM" per offset
_HEX_PAIRS = np.array([list(f"{i:02x}".encode()) for i in range(256)], dtype=np.uint8).view(np.uint16).ravel()


def strings_from_matrix(
    buf: np.ndarray, lengths: np.ndarray | None = None, valid: np.ndarray | None = None
) -> pa.Array:
    """A string array from an ASCII byte matrix (rows left-aligned, ``lengths`` per row if ragged)."""
    n, width = buf.shape
    if lengths is None:
        data = np.ascontiguousarray(buf).reshape(-1)
        offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    else:
        data = buf[np.arange(width)[None, :] < lengths[:, None]]
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(lengths, out=offsets[1:])
    validity = None
    null_count = 0
    if valid is not None:
        null_count = int(n - valid.sum())
        if null_count:
            validity = pa.py_buffer(np.packbits(valid, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(), n, [validity, pa.py_buffer(offsets), pa.py_buffer(data)], null_count=null_count
    )


def hex_matrix(prefix: str, key: int, counters: np.ndarray) -> np.ndarray:
    """Rows of ASCII ``prefix`` + 16 hex digits of mix64(key << 40 | counter)."""
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    x = mix64_array((np.uint64(key) << np.uint64(40)) | counters.astype(np.uint64))
    raw = x.byteswap().view(np.uint8).reshape(-1, 8)  # most significant byte first
    buf = np.empty((len(counters), len(head) + 16), dtype=np.uint8)
    buf[:, : len(head)] = head
    buf[:, len(head) :] = _HEX_PAIRS[raw].view(np.uint8).reshape(-1, 16)
    return buf


def hex_ids(prefix: str, key: int, counters: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """:func:`_hex_matrix` as a string array."""
    return strings_from_matrix(hex_matrix(prefix, key, counters), valid=valid)


def iso_timestamps(ts_ms: np.ndarray, offset_min: np.ndarray, zulu: np.ndarray) -> pa.Array:
    """Vectorised :func:`format_occurred_at`: ``zulu`` rows end in ``Z``, others in ``+HH:MM``."""
    local = ts_ms.astype(np.int64) + offset_min.astype(np.int64) * 60_000
    day = local // DAY_MS
    ms = local - day * DAY_MS
    first = int(day.min()) if len(day) else 0
    last = int(day.max()) if len(day) else 0
    dates = np.array(
        [list((EPOCH_DATE + timedelta(days=d)).isoformat().encode()) for d in range(first, last + 1)], dtype=np.uint8
    ).reshape(-1, 10)
    buf = np.empty((len(ts_ms), 29), dtype=np.uint8)
    buf[:, :10] = dates[day - first]
    buf[:, 10] = ord("T")
    buf[:, 11:19] = _CLOCK[ms // 1000]
    buf[:, 19] = ord(".")
    buf[:, 20:23] = _DIGITS3[ms % 1000]
    buf[:, 23:29] = _OFFSETS[offset_min.astype(np.int64) + _OFFSET_RANGE]
    buf[zulu, 23] = ord("Z")
    if zulu.all():
        return strings_from_matrix(np.ascontiguousarray(buf[:, :24]))
    return strings_from_matrix(buf, np.where(zulu, 24, 29).astype(np.int32))


def ticket_matrix(key: int, sessions: np.ndarray, is_pr: np.ndarray) -> np.ndarray:
    """Per session, ``TCK-`` + 9 digits or ``PR-`` + 10 digits (13 ASCII bytes)."""
    number = (mix64_array(sessions.astype(np.uint64) ^ np.uint64(key)) % np.uint64(10**9)).astype(np.int64)
    buf = np.empty((len(sessions), 13), dtype=np.uint8)
    buf[:, :4] = np.frombuffer(b"TCK-", dtype=np.uint8)
    buf[is_pr, :4] = np.frombuffer(b"PR-1", dtype=np.uint8)
    buf[:, 4:7] = _DIGITS3[number // 1_000_000]
    buf[:, 7:10] = _DIGITS3[number // 1000 % 1000]
    buf[:, 10:13] = _DIGITS3[number % 1000]
    return buf


# Arrow arrays are built from buffers: ``pa.array`` would import pandas (about a second of start-up).


def _validity(valid: np.ndarray | None) -> tuple[pa.Buffer | None, int]:
    if valid is None or valid.all():
        return None, 0
    return pa.py_buffer(np.packbits(valid, bitorder="little")), int(len(valid) - valid.sum())


def int_array(values: np.ndarray, valid: np.ndarray | None = None, wide: bool = True) -> pa.Array:
    """An int64 (int32 unless ``wide``) Arrow array from a numpy array, null where ``valid`` is False."""
    data = np.ascontiguousarray(values, dtype=np.int64 if wide else np.int32)
    bitmap, nulls = _validity(valid)
    kind = pa.int64() if wide else pa.int32()
    return pa.Array.from_buffers(kind, len(data), [bitmap, pa.py_buffer(data)], null_count=nulls)


def bool_array(values: np.ndarray) -> pa.Array:
    return pa.Array.from_buffers(pa.bool_(), len(values), [None, pa.py_buffer(np.packbits(values, bitorder="little"))])


def str_array(values: Sequence[str]) -> pa.Array:
    """A string Arrow array from Python strings (dictionaries, small)."""
    encoded = [v.encode() for v in values]
    offsets = np.zeros(len(encoded) + 1, dtype=np.int32)
    np.cumsum([len(e) for e in encoded], out=offsets[1:])
    return pa.Array.from_buffers(
        pa.string(), len(encoded), [None, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded))]
    )


def dict_array(indices: np.ndarray, dictionary: pa.Array, valid: np.ndarray | None = None) -> pa.Array:
    return pa.DictionaryArray.from_arrays(int_array(indices, valid, wide=False), dictionary, safe=False)


def _lit(text: str) -> pa.Scalar:
    """A string scalar for compute functions (``pa.scalar`` would import pandas)."""
    return str_array([text])[0]


def _joined_bytes(lines: pa.Array) -> memoryview:
    """The bytes of a string array without nulls, concatenated."""
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int32)[lines.offset : lines.offset + len(lines) + 1]
    return memoryview(lines.buffers()[2])[offsets[0] : offsets[-1]]


def jsonl_bytes(table: pa.Table) -> memoryview:
    """Serialise a usage table to JSON Lines, leaving out null fields (string values need no escaping)."""
    empty = _lit("")
    pieces = []
    for name in table.column_names:
        col = table.column(name).combine_chunks()
        if pa.types.is_dictionary(col.type):
            col = col.dictionary_decode()
        if name == METADATA_FIELD:
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":'), col, empty))
        elif pa.types.is_string(col.type):
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":"'), col, _lit('"'), empty))
        elif pa.types.is_boolean(col.type):
            value = pc.if_else(col, _lit("true"), _lit("false"))
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":'), value, empty))
        else:
            pieces.append(pc.binary_join_element_wise(_lit(f'"{name}":'), pc.cast(col, pa.string()), empty))
    body = pc.binary_join_element_wise(*pieces, _lit(","), null_handling="skip")
    return _joined_bytes(pc.binary_join_element_wise(_lit("{"), body, _lit("}\n"), empty))


class UsageFile:
    """One usage file written part by part (Parquet row groups or appended JSON Lines)."""

    def __init__(self, path: Path, file_format: str):
        self.path = path
        self.file_format = file_format
        self._parquet: pq.ParquetWriter | None = None
        self._handle = path.open("wb") if file_format == "jsonl" else None

    def write(self, table: pa.Table) -> None:
        if self._handle is not None:
            self._handle.write(jsonl_bytes(table))
            return
        if self._parquet is None:
            self._parquet = pq.ParquetWriter(
                self.path,
                table.schema,
                compression="snappy",
                use_dictionary=[f.name for f in table.schema if pa.types.is_dictionary(f.type)],
                write_statistics=[f.name for f in table.schema if _is_number(f.type)],
                store_schema=False,
            )
        self._parquet.write_table(table)

    def close(self) -> None:
        if self._parquet is not None:
            self._parquet.close()
        if self._handle is not None:
            self._handle.close()


def outcome_bytes(table: pa.Table) -> memoryview | bytes:
    """``outcomes.csv`` rows (no value needs quoting)."""
    if table.num_rows == 0:
        return b""
    cols = [table.column(c).combine_chunks() for c in raw_csv_sources()["outcomes"]]
    body = pc.binary_join_element_wise(*cols, _lit(","), null_handling="replace", null_replacement="")
    return _joined_bytes(pc.binary_join_element_wise(body, _lit("\n"), _lit("")))
