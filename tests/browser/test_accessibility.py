"""Every role's key pages pass axe-core (WCAG 2.1 A/AA rules) without a serious or critical violation (issue #13).

axe-core comes from npm (package.json devDependencies) and is evaluated from node_modules: no CDN. A failure
prints each violation: the page, the rule, its impact, how many elements and the first few of them.
"""

from datetime import date, datetime
from pathlib import Path

import pytest
from playwright.sync_api import expect

from qiancun.core.testing import give_second_factor, make_user
from qiancun.inspections import actions as inspection_actions
from qiancun.inspections.tests.factories import HUNCHUN, YANBIAN, YANJI, confirmed_campaign, drawn, self_check
from qiancun.participation.tests.factories import household
from qiancun.rectification.tests.factories import at, open_problem

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = {"serious", "critical"}


def axe_violations(page) -> list[str]:
    """Run axe over the page as it is now; one line per serious or critical violation."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run `npm ci`", pytrace=False)
    # The site's CSP (script-src 'self') refuses an injected <script>; evaluating the file through the
    # DevTools protocol is not subject to it and changes nothing in what the site sends.
    page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_AA)
    lines = []
    for violation in result["violations"]:
        if violation["impact"] in BLOCKING:
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            lines.append(f"{page.url}: {violation['id']} ({violation['impact']}) × {len(violation['nodes'])}: {targets}")
    # axe passes aria-describedby when one of its ids exists; a screen reader then reads only part of it.
    missing = page.evaluate("""() => [...document.querySelectorAll('[aria-describedby]')].flatMap(
        (e) => e.getAttribute('aria-describedby').split(/\\s+/).filter((id) => id && !document.getElementById(id)))""")
    if missing:
        lines.append(f"{page.url}: aria-describedby names ids no element has: {', '.join(missing)}")
    return lines


def audit(page, urls: list[str]) -> list[str]:
    problems = []
    for url in urls:
        response = page.goto(url)
        assert response.status == 200, f"{url} answered {response.status}"
        assert page.url.endswith(url), f"{url} went to {page.url}"
        page.wait_for_load_state("networkidle")
        problems += axe_violations(page)
    return problems


def assert_accessible(problems: list[str]):
    assert not problems, "axe-core found serious or critical violations:\n" + "\n".join(problems)


@pytest.fixture
def acceptance():
    """A 2022 campaign with confirmed villages, a county self-check round, a city re-check with a draw,
    overdue problems and a household: something on every key page."""
    campaign, enrollments = confirmed_campaign(per_county=2)
    self_check(campaign, HUNCHUN)  # 延吉 has not checked itself yet: its staff start that on a phone
    city = make_user("staff", YANBIAN)
    recheck = inspection_actions.do_create_round(campaign, acting_user=city, kind="re_check", name="延边州复验",
                                                 starts_on=date(2022, 6, 11), ends_on=date(2022, 6, 20))
    draw = drawn(recheck, city)
    with at(datetime(2022, 7, 1, 9)):
        problems = [open_problem(enrollments[0], deadline=date(2022, 7, 20), description=description)
                    for description in ("污水直排边沟", "公厕无人管护")]
    village = enrollments[0].village_id
    family = household(village, head="金顺姬")
    return {"campaign": campaign, "recheck": recheck, "draw": draw, "village": village, "problem": problems[0],
            "enrollment": enrollments[0], "household": family}


@pytest.mark.browser
def test_pages_without_login_pass_axe(page, acceptance):
    assert_accessible(audit(page, ["/accounts/login/", f"/inspections/draws/{acceptance['draw'].pk}/"]))


@pytest.mark.browser
def test_province_administrator_pages_pass_axe(page, login, acceptance):
    give_second_factor(make_user("admin", "22", username="a11y_province"))  # administrators must have one
    login(page, "a11y_province")
    year = acceptance["campaign"].year
    assert_accessible(audit(page, [
        "/", "/regions/22/", f"/campaigns/{year}/", f"/campaigns/{year}/enrollments/", "/inspections/",
        f"/inspections/rounds/{acceptance['recheck'].pk}/", f"/inspections/dashboard/{year}/", "/regions/map/",
        "/rectification/?overdue=1", "/rectification/overdue/", f"/rectification/{acceptance['problem'].pk}/",
        f"/campaigns/enrollments/{acceptance['enrollment'].pk}/", f"/campaigns/{year}/quotas/", "/campaigns/", "/standards/",
        "/accounts/users/", "/accounts/users/new/",
    ]))


@pytest.mark.browser
def test_county_staff_pages_and_the_inspection_step_on_a_phone_pass_axe(phone_page, login, acceptance):
    staff = make_user("staff", YANJI, username="a11y_county")
    round = inspection_actions.do_create_round(acceptance["campaign"], acting_user=staff, kind="self_check", name="延吉市县级自查",
                                               starts_on=date(2022, 5, 20), ends_on=date(2022, 6, 10))
    login(phone_page, "a11y_county")
    problems = audit(phone_page, ["/", "/rectification/", f"/inspections/rounds/{round.pk}/"])
    phone_page.get_by_role("button", name="开始检查").first.click()
    expect(phone_page.get_by_test_id("indicator-step")).to_be_visible()
    problems += axe_violations(phone_page)
    assert_accessible(problems)


@pytest.mark.browser
def test_village_staff_household_pages_pass_axe(page, login, acceptance):
    make_user("staff", acceptance["village"], username="a11y_village")
    login(page, "a11y_village")
    village = acceptance["village"]
    assert_accessible(audit(page, ["/", f"/participation/villages/{village}/households/",
                                   f"/participation/villages/{village}/households/new/",
                                   f"/participation/households/{acceptance['household'].pk}/",
                                   f"/participation/villages/{village}/", f"/participation/villages/{village}/bank/",
                                   f"/participation/villages/{village}/shop/", f"/participation/villages/{village}/groups/",
                                   f"/participation/villages/{village}/ratings/"]))


@pytest.mark.browser
@pytest.mark.parametrize(("role", "pages"), [
    ("auditor", ["/", "/audit/"]),
    ("security_admin", ["/", "/accounts/security/"]),
    ("leader", ["/", "/rectification/overview/"]),
    ("inspector", ["/", "/inspections/"]),
    ("department", ["/", "/rectification/"]),
])
def test_other_roles_key_pages_pass_axe(page, login, acceptance, role, pages):
    user = make_user(role, "22", username=f"a11y_{role}")
    if role in ("auditor", "security_admin"):  # administrators must have a second factor
        give_second_factor(user)
    login(page, f"a11y_{role}")
    assert_accessible(audit(page, pages))
