"""Contact upload in Chromium: the mapping page guesses each field once, and a mapping the
importer refuses is told with the Import button still there, so a drop-down can be
changed and Import pressed again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from browser_harness import LiveServer
from playwright.sync_api import Page, expect

from controller.store.db import Database

pytestmark = pytest.mark.browser
PASSWORD = "organizer password 123"


def test_given_two_cell_columns_when_a_refused_mapping_is_fixed_on_the_page_then_import_works(
    live_server: LiveServer, page: Page, db: Database, make_user: Callable[..., int],
    tmp_path: Path,
) -> None:  # fmt: skip
    make_user("olga", PASSWORD, role="admin")
    csv_file = tmp_path / "twocell.csv"
    csv_file.write_text("FirstName,Cell Phone,CellPhone\nA,617-555-0201,617-555-0202\n")
    page.goto(live_server.url + "/login")
    page.fill("input[name=username]", "olga")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(live_server.url + "/admin/contacts")
    page.get_by_test_id("upload-list").fill("QA twocell")
    page.get_by_test_id("upload-file").set_input_files(str(csv_file))
    page.get_by_test_id("upload-submit").click()
    expect(page.get_by_test_id("notice")).to_contain_text("Column 'CellPhone' looks like")
    second = page.get_by_label("Field for CellPhone")
    expect(page.get_by_label("Field for Cell Phone")).to_have_value("cell_phone")
    expect(second).to_have_value("extra:CellPhone")
    second.select_option("cell_phone")
    page.get_by_test_id("map-import").click()
    result = page.get_by_test_id("import-result")
    expect(result).to_have_text("Not imported: Two columns are mapped to 'cell_phone'.")
    expect(page.get_by_test_id("map-import")).to_be_enabled()
    second.select_option("home_phone")
    page.get_by_test_id("map-import").click()
    expect(result).to_contain_text("Imported 1 contact (2 phones) into “QA twocell”")
    with db.read() as conn:
        numbers = [r[0] for r in conn.execute("SELECT e164 FROM phones ORDER BY e164")]
    assert numbers == ["+16175550201", "+16175550202"]
