"""What an uploaded workbook holds, found before any reader opens it, at a small and fixed cost in
memory whatever the file.

An .xlsx is a zip of XML parts. A 1.2 MB file can unzip to one 1.2 GB cell, or hold thousands of
parts, millions of cells or links to other files, and a reader that trusts it (openpyxl reads
several parts whole) spends gigabytes and minutes on it. So the container is judged first, from
the zip's end record and central directory alone (the sizes, the compression, the number and names
of the parts); then each XML part a reader would touch is streamed through expat in 64 KB chunks,
counting rows, cells and each cell's characters and noting merged cells and formulas, which
openpyxl's streaming mode does not report. The first limit passed refuses the file
(WorkbookRejected), naming the limit; only then may openpyxl open it.

Python's zipfile stops a member at the size the central directory declares (and fails its CRC if
there is more), so the declared sizes judged here are the most openpyxl, which reads through
zipfile, will get. Members compressed other than by deflate are refused: zipfile's bzip2 and LZMA
readers have no bound on what one read returns.
"""

import functools
import posixpath
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import NoReturn
from xml.parsers import expat

from django.conf import settings
from django.utils.translation import gettext as _

from core.uploads import display_name

from .problems import Problem, WorkbookRejected

MEGABYTE = 1024 * 1024
CHUNK_BYTES = 64 * 1024
# The compression ratio is judged only above this size: a smaller part costs little however well
# it compresses (a column of empty styled cells compresses several hundred times).
RATIO_GRACE_BYTES = MEGABYTE
# No tag, attribute or comment of a real workbook is this long; expat would hold one whole.
TOKEN_BYTES = MEGABYTE
# The central directory may take this much per part allowed before zipfile is let parse it.
CENTRAL_ENTRY_BYTES = 1024
END_RECORD = struct.Struct("<4s4H2LH")

WORKBOOK_TYPES = {
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.template.main+xml",
}
MACRO_WORKBOOK_TYPES = {
    "application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    "application/vnd.ms-excel.template.macroEnabled.main+xml",
}
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
# Parts that run code or carry other files: VBA and Excel 4 macros, ActiveX controls, embedded
# OLE objects and packages, ribbon callbacks.
ACTIVE_PARTS = re.compile(
    r"(^|/)(vbaProject\.bin|vbaData\.xml|vbaProjectSignature\.bin)$"
    r"|^xl/(activeX|embeddings|macrosheets|dialogsheets)/|^customUI",
    re.IGNORECASE,
)
LINK_PARTS = re.compile(r"^xl/externalLinks/", re.IGNORECASE)
VALUE, FORMULA = 1, 2  # what a worksheet's text belongs to
CELL_REFERENCE = re.compile(r"\$?([A-Za-z]{1,3})\$?([0-9]{1,7})")


@dataclass(frozen=True)
class WorkbookLimits:
    file_bytes: int  # the file as uploaded
    unzipped_bytes: int  # all its parts unzipped
    compression_ratio: int  # unzipped to zipped, for each part and for the file
    parts: int  # zip members
    part_bytes: int  # an XML part other than a worksheet or the shared strings (read whole)
    rows: int  # of a sheet
    columns: int  # of a sheet
    cells: int  # of the workbook
    cell_chars: int  # of a cell's text, value or formula

    @classmethod
    def from_settings(cls) -> "WorkbookLimits":
        return cls(
            file_bytes=settings.EXCEL_MAX_FILE_BYTES,
            unzipped_bytes=settings.EXCEL_MAX_UNZIPPED_BYTES,
            compression_ratio=settings.EXCEL_MAX_COMPRESSION_RATIO,
            parts=settings.EXCEL_MAX_PARTS,
            part_bytes=settings.EXCEL_MAX_PART_BYTES,
            rows=settings.EXCEL_MAX_ROWS,
            columns=settings.EXCEL_MAX_COLUMNS,
            cells=settings.EXCEL_MAX_CELLS,
            cell_chars=settings.EXCEL_MAX_CELL_CHARS,
        )


@dataclass
class SheetScan:
    """One worksheet as its XML states it."""

    name: str
    part: str
    rows: int = 0  # the last row number
    columns: int = 0  # the last column number
    merged: list[tuple[str, int | None, int | None]] = field(default_factory=list)  # range, row, column
    formulas: list[tuple[int, int]] = field(default_factory=list)  # row, column


@dataclass
class PackageScan:
    sheets: dict[str, SheetScan]  # by the sheet's name


def megabytes(size: int) -> str:
    return f"{size / MEGABYTE:.3g}"


class Inspection:
    """The checks of one file, in order; each raises WorkbookRejected at the first limit passed."""

    def __init__(self, upload, limits: WorkbookLimits):
        self.upload = upload
        self.limits = limits
        self.name = display_name(getattr(upload, "name", "") or "")
        self.cells = 0
        self.long_strings: set[int] = set()  # shared strings longer than a cell may be

    def refuse(
        self, message: str, row: int | None = None, column: int | None = None, sheet: str | None = None
    ) -> NoReturn:
        raise WorkbookRejected([Problem(sheet or self.name, row, column, message)])

    def unreadable(self) -> NoReturn:
        self.refuse(_("The file could not be read as an Excel workbook."))

    def run(self) -> PackageScan:
        if not self.name.lower().endswith(".xlsx"):
            self.refuse(_("Upload an Excel workbook (.xlsx)."))
        size = self.file_size()
        if size > self.limits.file_bytes:
            self.refuse(
                _("The file is %(size)s MB; the limit is %(limit)s MB.")
                % {"size": round(size / MEGABYTE, 1), "limit": round(self.limits.file_bytes / MEGABYTE)}
            )
        self.upload.seek(0)
        if self.upload.read(4) != b"PK\x03\x04":
            self.refuse(_("Upload an Excel workbook (.xlsx)."))
        self.check_central_directory(size)
        try:
            archive = zipfile.ZipFile(self.upload)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
            self.unreadable()
        with archive:
            return self.check_archive(archive, size)

    def file_size(self) -> int:
        size = getattr(self.upload, "size", None)
        if size is None:
            self.upload.seek(0, 2)
            size = self.upload.tell()
        return size

    def check_central_directory(self, size: int) -> None:
        """The number of parts and the directory's size, from the end record: zipfile would
        otherwise build an object for every entry of a directory of any size."""
        tail_size = min(size, END_RECORD.size + 65535)
        self.upload.seek(size - tail_size)
        tail = self.upload.read(tail_size)
        at = tail.rfind(b"PK\x05\x06")
        if at < 0 or len(tail) - at < END_RECORD.size:
            self.unreadable()
        *_head, entries, directory_bytes, _offset, _comment = END_RECORD.unpack_from(tail, at)
        if entries > self.limits.parts or directory_bytes > self.limits.parts * CENTRAL_ENTRY_BYTES:
            self.too_many_parts()
        self.upload.seek(0)

    def too_many_parts(self) -> NoReturn:
        self.refuse(
            _("The workbook has more than the limit of %(limit)s parts.") % {"limit": self.limits.parts}
        )

    def check_archive(self, archive: zipfile.ZipFile, size: int) -> PackageScan:
        infos = archive.infolist()
        if len(infos) > self.limits.parts:
            self.too_many_parts()
        names = {info.filename for info in infos}
        if len(names) != len(infos):  # two parts of one name: readers disagree on which is read
            self.unreadable()
        unzipped = 0
        for info in infos:
            if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.unreadable()  # encrypted, or a method whose decompressor has no output bound
            unzipped += info.file_size
            if unzipped > self.limits.unzipped_bytes:
                self.refuse(
                    _("The workbook unzips to more than the limit of %(limit)s MB.")
                    % {"limit": megabytes(self.limits.unzipped_bytes)}
                )
            if self.compressed_too_much(info.file_size, info.compress_size):
                self.too_compressed()
            if ACTIVE_PARTS.search(info.filename):
                self.active_content()
            if LINK_PARTS.search(info.filename):
                self.external_links()
        if self.compressed_too_much(unzipped, size):
            self.too_compressed()
        return self.check_parts(archive, names)

    def compressed_too_much(self, unzipped: int, zipped: int) -> bool:
        return unzipped > RATIO_GRACE_BYTES and unzipped > self.limits.compression_ratio * max(zipped, 1)

    def too_compressed(self) -> NoReturn:
        self.refuse(
            _("The workbook is compressed more than the limit of %(limit)s to 1.")
            % {"limit": self.limits.compression_ratio}
        )

    def active_content(self) -> NoReturn:
        self.refuse(
            _(
                "The workbook contains macros or embedded objects; save it as a plain Excel workbook "
                "(.xlsx) without them."
            )
        )

    def external_links(self) -> NoReturn:
        self.refuse(_("The workbook links to other files; remove the external links and upload it again."))

    def check_parts(self, archive: zipfile.ZipFile, names: set[str]) -> PackageScan:
        """Every XML part once, through the reader that knows it, in the order that finds them:
        the content types name the workbook and the shared strings, the workbook and its
        relationships name the sheets."""
        done: set[str] = set()

        def read(name: str, reader: "PartReader", *, whole: bool = True) -> None:
            info = archive.getinfo(name)
            if whole and info.file_size > self.limits.part_bytes:
                self.refuse(
                    _("A part of the workbook (%(part)s) is larger than the limit of %(limit)s MB.")
                    % {"part": display_name(name), "limit": megabytes(self.limits.part_bytes)}
                )
            self.stream(archive, info, reader)
            done.add(name)

        if "[Content_Types].xml" not in names:
            self.unreadable()
        types = ContentTypes(self)
        read("[Content_Types].xml", types)
        workbook_part = types.workbook_part()
        if workbook_part not in names:
            self.unreadable()
        workbook = WorkbookPart(self)
        read(workbook_part, workbook)
        workbook_rels = rels_path(workbook_part)
        relationships = Relationships(self, workbook_rels)
        if workbook_rels in names:
            read(workbook_rels, relationships)
        sheet_parts = {}
        for sheet_name, relation in workbook.sheets:
            target, kind = relationships.targets.get(relation, (None, ""))
            if target is None or target not in names:
                continue  # openpyxl skips a sheet without its part too
            if "macrosheet" in kind.lower() or "dialogsheet" in kind.lower():
                self.active_content()
            if target in sheet_parts or target in done:
                self.unreadable()  # two sheets of one part: read once, shown twice
            if "chartsheet" in kind:
                read(target, PartReader(self))
            else:
                sheet_parts[target] = sheet_name
        strings_part = types.shared_strings
        if strings_part and strings_part in names and strings_part not in sheet_parts:
            read(strings_part, SharedStrings(self), whole=False)
        for name in sorted(names - done - set(sheet_parts)):
            if name.endswith(".rels"):
                read(name, Relationships(self, name))
            elif name.endswith((".xml", ".vml")):
                read(name, PartReader(self))
        scans = {}
        for part, sheet_name in sheet_parts.items():
            scan = SheetScan(name=sheet_name, part=part)
            read(part, Worksheet(self, scan), whole=False)
            scans[sheet_name] = scan
        if self.long_strings:  # in the shared strings but in no cell
            self.too_long(None, None, None)
        return PackageScan(sheets=scans)

    def too_long(self, sheet: str | None, row: int | None, column: int | None) -> NoReturn:
        self.refuse(
            _("The cell holds more than the limit of %(limit)s characters.")
            % {"limit": self.limits.cell_chars},
            row,
            column,
            sheet=display_name(sheet) if sheet is not None else None,
        )

    def too_many_cells(self) -> NoReturn:
        self.refuse(
            _("The workbook has more than the limit of %(limit)s cells.") % {"limit": self.limits.cells}
        )

    def stream(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, reader: "PartReader") -> None:
        """Feed the part to expat a chunk at a time: no document type (so no entities), and no
        token longer than TOKEN_BYTES (after each chunk, expat's position is where the token it
        is still holding began)."""
        parser = expat.ParserCreate()
        parser.buffer_text = False
        parser.StartDoctypeDeclHandler = self.forbidden
        parser.EntityDeclHandler = self.forbidden
        parser.StartElementHandler = reader.start
        parser.EndElementHandler = reader.end
        parser.CharacterDataHandler = reader.text
        fed = 0
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK_BYTES):
                    parser.Parse(chunk, False)
                    fed += len(chunk)
                    if fed - parser.CurrentByteIndex > TOKEN_BYTES:
                        self.unreadable()
                parser.Parse(b"", True)
        except (expat.ExpatError, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            self.unreadable()

    def forbidden(self, *_arguments) -> NoReturn:
        self.unreadable()


def rels_path(part: str) -> str:
    folder, name = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{name}.rels")


def attribute(attributes: dict, local: str, default: str = "") -> str:
    """An attribute by its local name, whatever its prefix ("id" finds "r:id")."""
    if local in attributes:
        return attributes[local]
    for key, value in attributes.items():
        if key.rpartition(":")[2] == local:
            return value
    return default


def local_name(name: str) -> str:
    """An element's name without its prefix: the parts are read by local names (openpyxl reads
    them by namespace; local names find at least what it finds)."""
    return name.rpartition(":")[2]


def cell_position(reference: str) -> tuple[int, int] | None:
    """(row, column) of "B5" (or "$B$5"); None for anything else."""
    match = CELL_REFERENCE.fullmatch(reference.strip())
    if not match:
        return None
    return int(match[2]), column_number(match[1])


@functools.cache
def column_number(letters: str) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + ord(letter) - 64
    return number


class PartReader:
    """A part read only to be well-formed XML without a document type."""

    def __init__(self, inspection: Inspection):
        self.inspection = inspection

    def start(self, name: str, attributes: dict) -> None:
        pass

    def end(self, name: str) -> None:
        pass

    def text(self, data: str) -> None:
        pass


class ContentTypes(PartReader):
    def __init__(self, inspection: Inspection):
        super().__init__(inspection)
        self.overrides: list[tuple[str, str]] = []  # (part, content type)
        self.defaults: set[str] = set()

    def start(self, name, attributes):
        name = local_name(name)
        if name == "Override":
            self.overrides.append(
                (attribute(attributes, "PartName").lstrip("/"), attribute(attributes, "ContentType"))
            )
        elif name == "Default":
            self.defaults.add(attribute(attributes, "ContentType"))

    def workbook_part(self) -> str:
        """Found as openpyxl finds it: an override of a workbook type, else the default name."""
        kinds = {kind for _part, kind in self.overrides} | self.defaults
        if kinds & MACRO_WORKBOOK_TYPES:
            self.inspection.active_content()
        for part, kind in self.overrides:
            if kind in WORKBOOK_TYPES:
                return part
        if self.defaults & WORKBOOK_TYPES:
            return "xl/workbook.xml"
        self.inspection.unreadable()

    @property
    def shared_strings(self) -> str | None:
        return next((part for part, kind in self.overrides if kind == SHARED_STRINGS_TYPE), None)


class WorkbookPart(PartReader):
    def __init__(self, inspection: Inspection):
        super().__init__(inspection)
        self.sheets: list[tuple[str, str]] = []  # (name, relationship id)

    def start(self, name, attributes):
        name = local_name(name)
        if name == "sheet":
            self.sheets.append((attribute(attributes, "name"), attribute(attributes, "id")))


class Relationships(PartReader):
    """A .rels part: where each relationship points (resolved as openpyxl resolves it); any that
    leaves the file, other than a hyperlink a person would have to click, refuses the workbook."""

    def __init__(self, inspection: Inspection, part: str):
        super().__init__(inspection)
        self.base = posixpath.split(posixpath.dirname(part))[0]
        self.targets: dict[str, tuple[str, str]] = {}  # id -> (part, type)

    def start(self, name, attributes):
        name = local_name(name)
        if name != "Relationship":
            return
        target, kind = attribute(attributes, "Target"), attribute(attributes, "Type")
        if attribute(attributes, "TargetMode").lower() == "external":
            if not kind.endswith("/hyperlink"):
                self.inspection.external_links()
            return
        part = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(self.base, target))
        self.targets[attribute(attributes, "Id")] = (part, kind)


class SharedStrings(PartReader):
    """The shared strings: no more than the cells allowed; one too long is remembered so the cell
    that shows it can be named."""

    def __init__(self, inspection: Inspection):
        super().__init__(inspection)
        self.index = -1
        self.length = 0
        self.in_text = False

    def start(self, name, attributes):
        name = local_name(name)
        if name == "si":
            self.index += 1
            self.length = 0
            if self.index >= self.inspection.limits.cells:  # more strings than cells could show
                self.inspection.too_many_cells()
        elif name == "t":
            self.in_text = True

    def end(self, name):
        if local_name(name) == "t":
            self.in_text = False

    def text(self, data):
        if self.in_text:
            self.length += len(data)
            if self.length > self.inspection.limits.cell_chars:
                self.inspection.long_strings.add(self.index)


class Worksheet(PartReader):
    """A worksheet: its declared and its real size, every cell counted and measured, its merged
    ranges and its formulas noted. Called for every element of the sheet, so written for speed."""

    def __init__(self, inspection: Inspection, scan: SheetScan):
        super().__init__(inspection)
        self.scan = scan
        self.limits = inspection.limits
        self.sheet = display_name(scan.name)
        self.row_elements = 0
        self.row = self.column = 0  # the current row, and the current cell's column
        self.cell_row = 0
        self.cell_type = ""
        self.counting = 0  # VALUE inside <v> or <t>, FORMULA inside <f>
        self.value_chars = self.formula_chars = 0
        self.shared_index = ""

    def start(self, name, attributes):
        if name == "c":
            self.start_cell(attributes)
        elif name == "v" or name == "t":  # a value, or inline text (whole or in runs)
            self.counting = VALUE
        elif name == "row":
            self.start_row(attributes)
        elif name == "f":
            self.counting = FORMULA
            self.scan.formulas.append((self.cell_row, self.column))
        elif name == "mergeCell":
            self.start_merge(attributes)
        elif name == "dimension":
            self.start_dimension(attributes)
        elif ":" in name:
            self.start(local_name(name), attributes)

    def end(self, name):
        if name == "v" or name == "t" or name == "f":
            self.counting = 0
        elif name == "c":
            if self.shared_index and self.inspection.long_strings:
                self.check_shared_string()
        elif ":" in name:
            self.end(local_name(name))

    def text(self, data):
        if self.counting == VALUE:
            self.value_chars += len(data)
            if self.value_chars > self.limits.cell_chars:
                self.inspection.too_long(self.scan.name, self.cell_row, self.column)
            if self.cell_type == "s" and len(self.shared_index) < 12:
                self.shared_index += data.strip()
        elif self.counting == FORMULA:
            self.formula_chars += len(data)
            if self.formula_chars > self.limits.cell_chars:
                self.inspection.too_long(self.scan.name, self.cell_row, self.column)

    def check_shared_string(self):
        if (
            self.shared_index.isascii()
            and self.shared_index.isdigit()
            and int(self.shared_index) in self.inspection.long_strings
        ):
            self.inspection.too_long(self.scan.name, self.cell_row, self.column)

    def refuse_rows(self) -> NoReturn:
        self.inspection.refuse(
            _("The sheet has more than the limit of %(limit)s rows.") % {"limit": self.limits.rows},
            sheet=self.sheet,
        )

    def refuse_columns(self) -> NoReturn:
        self.inspection.refuse(
            _("The sheet has more than the limit of %(limit)s columns.") % {"limit": self.limits.columns},
            sheet=self.sheet,
        )

    def start_dimension(self, attributes):
        last = cell_position(attributes.get("ref", "").rpartition(":")[2])
        if last is None:
            return  # openpyxl ignores a dimension it cannot read; the cells are counted anyway
        if last[0] > self.limits.rows:
            self.refuse_rows()
        if last[1] > self.limits.columns:
            self.refuse_columns()

    def start_row(self, attributes):
        number = attributes.get("r")
        if number and not (number.isascii() and number.isdigit()):
            self.inspection.unreadable()
        self.row = int(number) if number else self.row + 1
        self.row_elements += 1
        if self.row > self.limits.rows or self.row_elements > self.limits.rows:
            self.refuse_rows()
        if self.row > self.scan.rows:
            self.scan.rows = self.row
        self.column = 0

    def start_cell(self, attributes):
        reference = attributes.get("r")
        if reference:
            match = CELL_REFERENCE.fullmatch(reference)
            if match is None:
                self.inspection.unreadable()
            self.cell_row, self.column = int(match[2]), column_number(match[1])
            if self.cell_row > self.limits.rows:
                self.refuse_rows()
        else:
            self.cell_row, self.column = self.row, self.column + 1
        if self.column > self.limits.columns:
            self.refuse_columns()
        self.inspection.cells += 1
        if self.inspection.cells > self.limits.cells:
            self.inspection.too_many_cells()
        if self.column > self.scan.columns:
            self.scan.columns = self.column
        self.cell_type = attributes.get("t", "n")
        self.value_chars = self.formula_chars = 0
        self.shared_index = ""

    def start_merge(self, attributes):
        if len(self.scan.merged) >= self.limits.cells:  # a million merged ranges cost like a million cells
            self.inspection.too_many_cells()
        reference = attributes.get("ref", "")
        first = cell_position(reference.partition(":")[0])
        row, column = first if first else (None, None)
        self.scan.merged.append((display_name(reference, limit=30), row, column))


def inspect_workbook(upload, limits: WorkbookLimits) -> PackageScan:
    """The workbook's sheets as their XML states them, or WorkbookRejected naming the first limit
    the file passes or why it cannot be a workbook."""
    return Inspection(upload, limits).run()
