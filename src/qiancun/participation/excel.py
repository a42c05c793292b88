"""Households in and out of Excel: the import (validate every row, then write), the template and the
error report (row, column, reason). The masked export is participation/exports.py.

One row per household member:  户号 | 姓名 | 与户主关系 | 身份证号 | 手机号 | 住址 | 十户一组
Rows of one household share its 户号; its 户主 row gives the address and group. Re-importing a file
changes nothing: households are matched by 户号, members by ID number (or by name when it has none).
"""

from collections import OrderedDict
from io import BytesIO

from django.db import connection, transaction
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from qiancun.core import tabular
from qiancun.core.audit import record_audit
from qiancun.core.bulk import insert_rows
from qiancun.core.errors import DomainError
from qiancun.core.models import AuditAction
from qiancun.core.tabular import Column
from qiancun.core.xlsx_stream import append_row

from . import personal_data as pd
from .actions import clean_member
from .choices import ImportMode, Relation
from .models import Household, HouseholdGroup, Member, PointsAccount

COLUMNS = ["户号", "姓名", "与户主关系", "身份证号", "手机号", "住址", "十户一组"]
FIELD_OF_COLUMN = {"户号": "number", "姓名": "name", "与户主关系": "relation", "身份证号": "id_number", "手机号": "phone", "住址": "address", "十户一组": "group"}
COLUMN_OF_FIELD = {v: k for k, v in FIELD_OF_COLUMN.items()}
# The template's headings and the ones county registers use for the same columns. 户号, 姓名 and
# 身份证号 must be there (a register whose ID column went unrecognised would load every household
# without IDs); 与户主关系 too, unless the names are headed 户主姓名 (one row per household: every row a head).
SPEC = [
    Column("number", "户号", ("户编号", "户码", "家庭户号", "户序号", "户籍号")),
    Column("name", "姓名", ("成员姓名", "家庭成员姓名", "户主姓名", "名字")),
    Column("relation", "与户主关系", ("与户主的关系", "家庭关系", "成员关系", "关系"), required=False),
    Column("id_number", "身份证号", ("身份证号码", "公民身份号码", "公民身份证号码", "身份证件号码", "身份证", "证件号码")),
    Column("phone", "手机号", ("手机号码", "联系电话", "电话号码", "电话", "手机", "联系方式"), required=False),
    Column("address", "住址", ("家庭住址", "现住址", "居住地址", "家庭地址", "地址"), required=False),
    Column("group", "十户一组", ("十户一组组名", "所在小组", "所属小组", "小组", "组别"), required=False),
]
HEAD_NAME = "户主姓名"
MAX_ROWS = 100_000
MEMBER_FIELDS = ["name", "relation", "id_cipher", "id_hash", "id_masked", "phone_cipher", "phone_hash", "phone_masked"]
EMPTY_REPORT = {"errors": [], "added": 0, "unchanged": 0}


class HouseholdFileError(Exception):
    def __init__(self, report: dict):
        super().__init__(report.get("summary", ""))
        self.report = report


def _file_error(summary: str, notes: list[str] | None = None) -> HouseholdFileError:
    return HouseholdFileError({"summary": summary, **EMPTY_REPORT, "notes": notes or []})


def read_table(handle, name: str = "") -> tuple[list[tuple[int, dict]], list[str]]:
    """The member rows of a register (.xlsx, .xls, .ods or CSV, the header row wherever it is in the
    first rows) with their row numbers, and notes on what was skipped or left out."""
    try:
        table = tabular.read_table(handle, name=name or str(getattr(handle, "name", "")), columns=SPEC, max_rows=MAX_ROWS)
    except tabular.TableError as exc:
        raise _file_error(exc.message) from None
    heads_only = "relation" not in table.columns
    if heads_only and table.headings.get("name") != HEAD_NAME:
        relation = SPEC[2]
        raise _file_error(f"表头（第 {table.header_row} 行）缺少列：“{relation.label}”（也可写作：{'、'.join(relation.synonyms)}）；"
                          f"如果每行都是一户的户主，请把姓名列的表头写作“{HEAD_NAME}”")
    notes = list(table.notes)
    if heads_only:
        notes.append(f"表头为“{HEAD_NAME}”且没有“与户主关系”列：每行按户主导入")
    notes += [f"文件没有“{c.label}”列，各户的{c.label}未导入" for c in SPEC if c.field in ("phone", "address", "group") and c.field not in table.columns]
    rows = []
    blank = {c.field: "" for c in SPEC if c.field not in table.columns}
    for number, cells in table.rows:
        row = {field: value if value.__class__ is str else tabular.text(value) for field, value in cells.items()}
        row.update(blank)
        if heads_only:
            row["relation"] = Relation.HEAD
        # An ID the spreadsheet holds as a number has lost its last digits (Excel keeps 15): say so,
        # rather than a check-digit error that makes staff doubt a correct ID.
        row["id_number_problem"] = pd.excel_number_problem(cells.get("id_number"))
        rows.append((number, row))
    if not rows:
        raise _file_error(f"文件中没有农户数据：表头（第 {table.header_row} 行）下面没有任何成员行", notes)
    return rows, notes


def read_rows(handle) -> list[tuple[int, dict]]:
    """The data rows of the first sheet, with their row numbers."""
    return read_table(handle)[0]


def _error(row: int, field: str, reason: str) -> dict:
    return {"row": row, "column": COLUMN_OF_FIELD.get(field.split(".")[-1], field), "reason": reason}


def import_households(handle, village, *, mode: str, acting_user=None, progress=None, on_written=None) -> dict:
    """Validate every row, then write in one transaction. All-or-nothing mode raises on any error.

    `progress(phase, done, total)` follows both passes; `on_written(report)` runs inside the write
    transaction (the job's outcome), so a crash leaves either every household of the file or none.
    """
    rows, notes = read_table(handle)
    errors: list[dict] = []
    households: OrderedDict[str, list] = OrderedDict()
    seen_ids: dict[str, int] = {}
    existing = {h.number: h for h in Household.objects.filter(village=village).prefetch_related("members")}
    # The platform-wide uniqueness of ID numbers is checked against the database once per thousand rows,
    # not once per row (100,000 rows: one query a row was most of the import's time).
    digests = {row_no: pd.lookup_hash(pd.normalize_id(row["id_number"])) for row_no, row in rows if row["id_number"] and not row["id_number_problem"]}
    taken = _registered(list(set(digests.values())))
    for done, (row_no, row) in enumerate(rows, start=1):
        if not row["number"]:
            errors.append(_error(row_no, "number", "户号不能为空"))
            continue
        if row["id_number_problem"]:
            errors.append(_error(row_no, "id_number", row["id_number_problem"]))
            households.setdefault(row["number"], []).append((row_no, row, None, True))
            continue
        household = existing.get(row["number"])
        digest = digests.get(row_no, "")
        known = None
        if household is not None:
            known = next((m for m in household.members.all() if (digest and m.id_hash == digest) or (not digest and not m.id_hash and m.name == row["name"])), None)
        if digest and digest in seen_ids:
            errors.append(_error(row_no, "id_number", f"身份证号与第 {seen_ids[digest]} 行重复"))
            households.setdefault(row["number"], []).append((row_no, row, None, True))
            continue
        if digest:
            seen_ids[digest] = row_no
        if known is not None:
            households.setdefault(row["number"], []).append((row_no, row, known, False))
            continue
        try:
            values = clean_member(row, taken_hashes=taken, digest=digest or None)
        except DomainError as exc:
            errors.append(_error(row_no, exc.field or "name", exc.message))
            households.setdefault(row["number"], []).append((row_no, row, None, True))
            continue
        households.setdefault(row["number"], []).append((row_no, row, values, False))
        if progress and done % 200 == 0:
            progress("validate", done, len(rows))
    bad_households = set()
    for number, members in households.items():
        if any(bad for *_, bad in members):
            bad_households.add(number)
            continue
        heads = [m for m in members if (m[1]["relation"] in (Relation.HEAD, "户主"))]
        if number not in existing and len(heads) != 1:
            errors.append(_error(members[0][0], "relation", f"户号 {number} 须有且只有一位户主（现有 {len(heads)} 位）"))
            bad_households.add(number)
        elif number in existing and heads and any(not isinstance(m[2], Member) for m in heads) and existing[number].members.filter(relation=Relation.HEAD).exists():
            errors.append(_error(heads[0][0], "relation", f"户号 {number} 已有户主"))
            bad_households.add(number)
    errors.sort(key=lambda e: e["row"])
    bad_rows = len({e["row"] for e in errors})
    if errors and mode == ImportMode.ALL_OR_NOTHING:
        raise HouseholdFileError({
            "summary": f"文件中 {bad_rows} 行有错误（共 {len(errors)} 处），未导入任何农户（全部正确才导入）",
            "errors": errors, "added": 0, "unchanged": 0, "members_added": 0, "rejected_rows": len(rows), "notes": notes,
        })
    # Every row not imported: rows with an error, and the other members of a household that has one
    # (a household goes in whole or not at all).
    rejected = {e["row"] for e in errors} | {row_no for number in bad_households for row_no, *_ in households[number]}
    added = unchanged = members_added = 0
    with transaction.atomic():
        # Written in bulk: the new groups, then the new households, their points accounts and every new
        # member, each table in one pass.
        groups = {g.name: g for g in HouseholdGroup.objects.filter(village=village)}
        plan = []  # (户号, existing household or None, head row of a new one, new members' values)
        for number, members in households.items():
            if number in bad_households:
                continue
            household = existing.get(number)
            new_members = [values for _row_no, _row, values, _bad in members if not isinstance(values, Member)]
            if household is not None and not new_members:
                unchanged += 1
                continue
            head_row = None if household else next(row for _, row, _v, _b in members if row["relation"] in (Relation.HEAD, "户主"))
            plan.append((number, household, head_row, new_members))
        wanted = {head["group"][:50] for _, household, head, _ in plan if household is None and head["group"]} - set(groups)
        for group in HouseholdGroup.objects.bulk_create([HouseholdGroup(village=village, name=name) for name in sorted(wanted)]):
            groups[group.name] = group
        # Households, accounts and members as plain rows (clean_member already produced every stored
        # value): bulk_create spent ~90 µs an object compiling, more than the database spent storing.
        # The new households' keys are read back by 户号, unique in the village.
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        fresh = [(village.code, number, head["name"], head["address"][:200],
                  groups[head["group"][:50]].pk if head["group"] else None, now, now)
                 for number, household, head, _ in plan if household is None]
        insert_rows(Household, ["village", "number", "head_name", "address", "group", "created_at", "updated_at"], fresh)
        numbers = [row[1] for row in fresh]
        key_of = {}
        for start in range(0, len(numbers), 5000):
            key_of.update(Household.objects.filter(village=village, number__in=numbers[start : start + 5000]).values_list("number", "pk"))
        insert_rows(PointsAccount, ["household", "balance", "updated_at"], [(key_of[number], 0, now) for number in numbers])
        added = len(fresh)
        new_rows = []
        for number, household, _head, new_members in plan:
            household_id = household.pk if household else key_of[number]
            new_rows += [(household_id, *(values[f] for f in MEMBER_FIELDS)) for values in new_members]
        for start in range(0, len(new_rows), 5000):
            insert_rows(Member, ["household", *MEMBER_FIELDS], new_rows[start : start + 5000])
            if progress:
                progress("write", min(start + 5000, len(new_rows)), len(new_rows))
        members_added = len(new_rows)
        skipped = len(bad_households)
        summary = f"新增 {added} 户，{unchanged} 户未变，新增成员 {members_added} 人"
        if rejected:
            summary += f"；{len(rejected)} 行未导入（{bad_rows} 行有错误"
            summary += f"，涉及 {skipped} 户）" if skipped else "）"
        record_audit(AuditAction.IMPORT, acting_user=acting_user, username="" if acting_user else "system",
                     object_type="participation.household", object_repr=f"农户导入 {village.name}", region_code=village.code,
                     changes={"added": added, "unchanged": unchanged, "members_added": members_added, "skipped": skipped,
                              "rejected_rows": len(rejected)})
        report = {"summary": summary, "errors": errors, "added": added, "unchanged": unchanged, "members_added": members_added,
                  "rejected_rows": len(rejected), "notes": notes}
        if on_written:
            on_written(report)
    if progress:
        progress("write", members_added, members_added)
    return report


def _registered(digests: list[str]) -> set[str]:
    """Which of these ID-number hashes the platform already holds."""
    found: set[str] = set()
    for start in range(0, len(digests), 1000):
        found.update(Member.objects.filter(id_hash__in=digests[start : start + 1000]).values_list("id_hash", flat=True))
    return found


def _book(title: str, header: list[str], rows) -> bytes:
    """A small workbook (template, error report) written through core.xlsx_stream's cell rules: text
    stays text and control characters are left out."""
    book = Workbook()
    sheet = book.active
    sheet.title = title
    append_row(sheet, header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, row)
    for column, width in zip("ABCDEFGHIJ", [12, 10, 12, 22, 14, 30, 12, 10, 10, 10], strict=False):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def template() -> bytes:
    return _book("农户", COLUMNS, [
        ["001", "张三", "户主", pd.with_check_digit("22010119900101123"), "13800138000", "一组 8 号", "第一组"],
        ["001", "李四", "配偶", "", "", "", ""],
    ])


def error_report(report: dict) -> bytes:
    return _book("错误报告", ["行号", "列", "原因"], ([e["row"], e["column"], e["reason"]] for e in report.get("errors", [])))
