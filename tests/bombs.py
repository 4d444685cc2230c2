"""Hostile workbooks, built from a real one: a zip whose parts are written by hand, so a test can
make one cell of a gigabyte from a megabyte, thousands of parts, or any part it likes.

`bomb()` compresses the repeated block once and repeats its compressed bytes: deflate flushed
with Z_FULL_FLUSH starts afresh at a byte boundary, so the copies decompress to the block each
time. A 1 MB block of one letter compresses to ~1 KB, so 1.2 GB takes ~1.2 MB and a second to build.
The benchmark (bench/upload_bomb.py) builds its bomb here too.
"""

import io
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass

LOCAL_HEADER = struct.Struct("<4s5H3L2H")
CENTRAL_HEADER = struct.Struct("<4s6H3L5H2L")
END_RECORD = struct.Struct("<4s4H2LH")
DOS_DATE, DOS_TIME = (2024 - 1980) << 9 | 2 << 5 | 1, 0


@dataclass(frozen=True)
class Repeated:
    """A part made of `head`, then `block` repeated `times`, then `tail`."""

    head: bytes
    block: bytes
    times: int
    tail: bytes

    @property
    def size(self) -> int:
        return len(self.head) + len(self.block) * self.times + len(self.tail)

    def crc(self) -> int:
        crc = zlib.crc32(self.head)
        for _ in range(self.times):
            crc = zlib.crc32(self.block, crc)
        return zlib.crc32(self.tail, crc)

    def compressed(self) -> Iterable[bytes]:
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        yield compressor.compress(self.head) + compressor.flush(zlib.Z_FULL_FLUSH)
        block = compressor.compress(self.block) + compressor.flush(zlib.Z_FULL_FLUSH)
        for _ in range(self.times):
            yield block
        yield compressor.compress(self.tail) + compressor.flush()


def write_zip(parts: dict[str, bytes | Repeated], *, declared_sizes: dict[str, int] | None = None) -> bytes:
    """A zip of these parts, deflated; `declared_sizes` makes the directory lie about a part's size."""
    output = io.BytesIO()
    directory = []
    for name, content in parts.items():
        if isinstance(content, Repeated):
            size, crc = content.size, content.crc()
            data = b"".join(content.compressed())
        else:
            size, crc = len(content), zlib.crc32(content)
            compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
            data = compressor.compress(content) + compressor.flush()
        size = (declared_sizes or {}).get(name, size)
        encoded = name.encode()
        offset = output.tell()
        # version 2.0, no flags, deflate, the date, CRC, sizes, the name's length, no extra field
        fields = (20, 0, 8, DOS_TIME, DOS_DATE, crc, len(data), size, len(encoded), 0)
        output.write(LOCAL_HEADER.pack(b"PK\x03\x04", *fields) + encoded + data)
        directory.append(CENTRAL_HEADER.pack(b"PK\x01\x02", 20, *fields, 0, 0, 0, 0, offset) + encoded)
    start = output.tell()
    for entry in directory:
        output.write(entry)
    end = output.tell()
    output.write(END_RECORD.pack(b"PK\x05\x06", 0, 0, len(directory), len(directory), end - start, start, 0))
    return output.getvalue()


def parts_of(workbook: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(workbook)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def sheet_part(workbook: bytes, sheet_name: str) -> str:
    """The zip member of a sheet, found the way the workbook names it (openpyxl writes
    xl/worksheets/sheetN.xml in the order of the sheets)."""
    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(workbook), read_only=True)
    index = book.sheetnames.index(sheet_name)
    book.close()
    return f"xl/worksheets/sheet{index + 1}.xml"


def with_rows(workbook: bytes, sheet_name: str, rows_xml: bytes | Repeated) -> bytes:
    """The workbook with XML appended to one sheet's data: bytes, or a Repeated whose head is
    the sheet up to the insertion and whose tail is the rest."""
    parts = parts_of(workbook)
    name = sheet_part(workbook, sheet_name)
    head, closing, rest = parts[name].partition(b"</sheetData>")
    if not closing:  # an empty sheet: <sheetData/>
        head, _closing, rest = parts[name].partition(b"<sheetData/>")
        head += b"<sheetData>"
    tail = b"</sheetData>" + rest
    if isinstance(rows_xml, Repeated):
        parts[name] = Repeated(head + rows_xml.head, rows_xml.block, rows_xml.times, rows_xml.tail + tail)
    else:
        parts[name] = head + rows_xml + tail
    return write_zip(parts)


def bomb(workbook: bytes, sheet_name: str, *, megabytes: int, row: int = 999, letter: bytes = b"A") -> bytes:
    """The workbook with one more cell (A`row`) holding `megabytes` MB of one letter."""
    cell = Repeated(
        head=f'<row r="{row}"><c r="A{row}" t="inlineStr"><is><t>'.encode(),
        block=letter * (1024 * 1024),
        times=megabytes,
        tail=b"</t></is></c></row>",
    )
    return with_rows(workbook, sheet_name, cell)


def many_cells(workbook: bytes, sheet_name: str, *, rows: int, columns: int, first_row: int = 1000) -> bytes:
    """The workbook with a block of small numeric cells (rows x columns) below its own rows."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(column) for column in range(1, columns + 1)]
    xml = io.BytesIO()
    for number in range(first_row, first_row + rows):
        xml.write(f'<row r="{number}">'.encode())
        xml.write("".join(f'<c r="{letter}{number}"><v>1</v></c>' for letter in letters).encode())
        xml.write(b"</row>")
    return with_rows(workbook, sheet_name, xml.getvalue())


def with_parts(workbook: bytes, extra: dict[str, bytes]) -> bytes:
    return write_zip({**parts_of(workbook), **extra})
