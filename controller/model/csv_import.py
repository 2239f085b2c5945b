"""Contact CSV files as campaigns have them: NGP VAN exports or any CSV with a column map.

``ImportPlan.from_header`` reads the header (recognising VAN's column names) and the
``--map COL=FIELD`` choices; ``ImportPlan.parse`` turns one row into a ``ContactRecord`` or
raises ``RowError`` with the file line and the reason. Columns nobody claims are kept per
contact as custom columns (``extra``). No file access here: callers hand in text lines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter

from controller.model.contacts import (
    ContactError,
    ContactRecord,
    PhoneRecord,
    clean_van_id,
    clean_zip5,
    order_phones,
)
from controller.model.csv_columns import (  # noqa: F401 (re-exported)
    PHONE_KINDS,
    PHONE_PARTS,
    PHONE_TARGETS,
    TARGETS,
    TEXT_TARGETS,
    CsvError,
    assign_columns,
    auto_target,
    check_header,
    guess_mapping,
    parse_mapping,
    unused_lookalikes,
)
from controller.model.phones import PhoneError, PhoneParser
from controller.model.timezones import zone_for_address

TEXT_MAX = 500  # characters in a name, address, city ... (a longer one is refused as a row)
EXTRA_MAX = 2000  # characters in a custom column's value, as in a field value


class RowError(Exception):
    """One row that cannot be imported: its file line, a machine-readable code, the reason."""

    def __init__(self, line: int, code: str, reason: str) -> None:
        super().__init__(line, code, reason)
        self.line = line
        self.code = code
        self.reason = reason

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class PhoneSlot:
    kind: str
    number: int
    parts: dict[str, int] = field(default_factory=dict)

    @property
    def part_indexes(self) -> tuple[int, int, int, int]:
        """Columns of prefix, country, id, accuracy (-1: absent, reads the padding "")."""
        get = self.parts.get
        return (get("_dialing_prefix", -1), get("_country_code", -1), get("_id", -1),
                get("_accuracy", -1))  # fmt: skip


@dataclass
class ImportPlan:
    header: list[str]
    columns: dict[str, int]
    phones: list[PhoneSlot]
    extra: list[tuple[int, str]]
    parser: PhoneParser = field(default_factory=PhoneParser)
    notes: list[str] = field(default_factory=list)  # columns kept as extra that look like a field
    _contact_fields: Callable[[list[str]], tuple[str, ...]] = field(init=False, repr=False)
    _slots: list[tuple[int, str, tuple[int, int, int, int]]] = field(init=False, repr=False)
    _regions: dict[tuple[str, str], tuple[str, str]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        names = ("van_id", *TEXT_TARGETS)
        self._contact_fields = itemgetter(*(self.columns.get(n, -1) for n in names))
        self._slots = [(s.number, s.kind, s.part_indexes) for s in self.phones]
        self._regions = {}  # (country, prefix) as written -> (region, dialing prefix)

    @classmethod
    def from_header(cls, header: list[str], mapping: dict[str, str] | None = None) -> ImportPlan:
        mapping = mapping or {}
        unknown = [c for c in mapping if c not in header]
        if unknown:
            raise CsvError("unknown_column", f"no column named {unknown[0]!r} in the file")
        check_header(header)
        targets, extra = assign_columns(header, mapping)
        phones = _phone_slots(targets)
        if not phones:
            raise CsvError(
                "no_phone_column",
                "no phone number column (e.g. CellPhone, HomePhone, Phone); map one with"
                " --map COLUMN=phone",
            )
        columns = {t: i for t, i in targets.items() if t not in PHONE_TARGETS}
        notes = unused_lookalikes(header, mapping, targets)
        return cls(list(header), columns, phones, extra, notes=notes)

    def parse(self, row: list[str], line: int) -> ContactRecord:
        if len(row) != len(self.header):
            raise _field_count_error(row, line, len(self.header))
        joined = "".join(row)
        if not joined.isascii():  # plain ASCII (most rows) holds no undecodable bytes
            try:
                joined.encode("utf-8")
            except UnicodeEncodeError:
                raise RowError(line, "bad_encoding", "text is not valid UTF-8") from None
        if "\x00" in joined:
            raise RowError(line, "bad_encoding", "text contains NUL bytes (not a text file?)")
        if len(joined) > TEXT_MAX:  # only then can one cell be too long
            self._check_lengths(row, line)
        try:
            return self._record(row, line)
        except ContactError as exc:
            raise RowError(line, exc.code, exc.message) from None

    def _record(self, row: list[str], line: int) -> ContactRecord:
        row = [*row, ""]  # padding: index -1 reads "" for columns the file does not have
        van_id, first, last, address, city, state, zip5 = self._contact_fields(row)
        phones = order_phones(self._phones(row, line))
        state = state.strip().upper()
        written = zip5
        if not (len(zip5) == 5 and zip5.isdigit() and zip5.isascii()):
            zip5 = clean_zip5(zip5)  # already five plain digits: nothing to clean
        zone = zone_for_address(state, zip5) or phones[0].time_zone
        extra = {name: row[i] for i, name in self.extra if row[i]}
        return ContactRecord(
            clean_van_id(van_id), first.strip(), last.strip(), address.strip(), city.strip(),
            state, zip5, zone, phones, extra, "" if zip5 else written.strip(),
        )  # fmt: skip

    def _check_lengths(self, row: list[str], line: int) -> None:
        limits = [(i, TEXT_MAX) for i in self.columns.values()]
        for index, limit in [*limits, *((i, EXTRA_MAX) for i, _ in self.extra)]:
            if len(row[index].strip()) > limit:
                reason = f"{self.header[index]}: {len(row[index].strip()):,} characters long"
                raise RowError(line, "too_long", f"{reason} (at most {limit:,})")

    def _phones(self, row: list[str], line: int) -> list[PhoneRecord]:
        found: list[PhoneRecord] = []
        for number, kind, (prefix_at, country_at, id_at, accuracy_at) in self._slots:
            raw = row[number]
            if not raw or raw.isspace():
                continue
            written = (row[country_at], row[prefix_at])
            context = self._regions.get(written)
            if context is None:
                context = _region_and_prefix(written[0].strip(), written[1].strip())
                self._regions[written] = context
            region, prefix = context
            try:
                parsed = self.parser.parse(raw, region, prefix)
            except PhoneError as exc:
                column = self.header[number]
                raise RowError(line, exc.code, f"{column}: {exc.message}") from None
            accuracy = row[accuracy_at]
            found.append(PhoneRecord(
                parsed.e164, kind, row[id_at].strip() or None,
                _accuracy(accuracy.strip(), line) if accuracy else None, number,
                parsed.time_zone,
            ))  # fmt: skip
        if not found:
            raise RowError(line, "no_phone", "no phone number")
        return found


def line_breaks(text: str) -> int:
    """How many line ends ``text`` holds (``\\r\\n`` is one, as the file's lines count)."""
    return text.count("\n") + text.count("\r") - text.count("\r\n")


def _field_count_error(row: list[str], line: int, expected: int) -> RowError:
    reason = f"row has {len(row)} fields, the header has {expected}"
    last = line + sum(line_breaks(cell) for cell in row)
    if last > line:  # a quote closed lines later: the lines between ran into one row
        reason += f" (a quoted field runs on: lines {line}-{last} read as one row)"
    return RowError(line, "missing_column" if len(row) < expected else "extra_fields", reason)


def _phone_slots(targets: dict[str, int]) -> list[PhoneSlot]:
    slots: list[PhoneSlot] = []
    for kind, ptype in PHONE_KINDS.items():
        base = f"{kind}_phone" if kind else "phone"
        if base not in targets:
            continue
        parts = {p: targets[base + p] for p in PHONE_PARTS[1:] if base + p in targets}
        slots.append(PhoneSlot(ptype, targets[base], parts))
    return sorted(slots, key=lambda s: s.number)


def _region_and_prefix(country: str, prefix: str) -> tuple[str, str]:
    """VAN's country code column holds either letters (US) or a calling code (1)."""
    if country.isdigit():
        return "", prefix or country
    return country, prefix


def _accuracy(text: str, line: int) -> float | None:
    if not text:
        return None
    try:
        return float(text)
    except ValueError:
        raise RowError(line, "bad_accuracy", f"accuracy must be a number, got {text!r}") from None
