"""The city system's result file staff upload to mark passers entered: its rows, as cell values.

A CSV (UTF-8, or GB18030 as Chinese Excel and many government systems save
it) or an XLSX workbook, read row by row; which column holds the ID numbers
is the pure reader's decision (domain/entries.py). openpyxl loads only here.
A workbook is opened read-only with cached values: no formula is evaluated,
no external link followed.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
from collections.abc import Mapping

from chalicelib.domain.entries import MAX_IDS
from chalicelib.domain.errors import EntriesInvalid

# A header, a few title rows, and the passers.
MAX_ROWS = MAX_IDS + 20
# Wide enough for any result sheet; a column further right is never the ID number's.
MAX_COLUMNS = 60
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"

Rows = list[list[object]]


def decode_upload(upload: object) -> tuple[str, bytes]:
    """The request's `file`: `{"name": "结果.xlsx", "content_base64": "..."}` → name and bytes."""
    if not isinstance(upload, Mapping):
        raise EntriesInvalid("file 应为 {name, content_base64}：文件名和 Base64 编码的文件内容。", "file")
    name, content = upload.get("name"), upload.get("content_base64")
    if not isinstance(name, str) or not isinstance(content, str):
        raise EntriesInvalid("file 应为 {name, content_base64}：文件名和 Base64 编码的文件内容。", "file")
    try:
        data = base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise EntriesInvalid(
            "上传的文件内容无法读取（不是有效的 Base64 编码），请重新选择文件。", "file"
        ) from exc
    if not data:
        raise EntriesInvalid("上传的文件是空的，请重新选择市系统导出的结果文件。", "file")
    return name, data


def read_rows(name: str, data: bytes) -> Rows:
    """The rows of an uploaded CSV or XLSX, each a list of cell values."""
    if data.startswith(_XLSX_MAGIC):
        return _xlsx_rows(data)
    if data.startswith(_OLE_MAGIC) or name.lower().endswith(".xls"):
        raise EntriesInvalid(
            "不支持旧版 Excel 文件（.xls）：请在 Excel 中“另存为” .xlsx 或 .csv 后上传。", "file"
        )
    return _csv_rows(data)


def _csv_rows(data: bytes) -> Rows:
    text = _decode(data)
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    rows: Rows = []
    try:
        for row in csv.reader(io.StringIO(text), dialect):
            rows.append(list(row[:MAX_COLUMNS]))
            if len(rows) > MAX_ROWS:
                raise EntriesInvalid(f"文件超过 {MAX_ROWS} 行，请分批上传。", "file")
    except csv.Error as exc:  # a NUL byte, a field beyond the csv module's limit
        raise EntriesInvalid(
            "上传的 CSV 文件无法读取，请从市系统重新导出，或另存为 .xlsx 后上传。", "file"
        ) from exc
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise EntriesInvalid("文件编码无法识别：请上传 .xlsx，或另存为 UTF-8 编码的 .csv。", "file")


def _xlsx_rows(data: bytes) -> Rows:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise EntriesInvalid(
            "上传的文件不是有效的 Excel 工作簿（.xlsx），请重新导出后上传。", "file"
        ) from exc
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            return []
        rows: Rows = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(list(row))
            if len(rows) > MAX_ROWS:
                raise EntriesInvalid(f"工作表超过 {MAX_ROWS} 行，请分批上传。", "file")
        return rows
    except EntriesInvalid:
        raise
    except Exception as exc:  # a damaged workbook may fail only once its rows are read
        raise EntriesInvalid("上传的 Excel 工作簿已损坏，无法读取，请重新导出后上传。", "file") from exc
    finally:
        workbook.close()
