"""The API's validation refusals are Chinese whatever pydantic found wrong: a type without its own
reason says "格式不正确" after the field's name, never pydantic's English."""

import re
import typing

import pytest
from pydantic_core.core_schema import ErrorType

from qiancun.core.api_base import FIELD_REASON_DEFAULT, field_reason
from qiancun.core.testing import YANJI, client_for, make_user

pytestmark = pytest.mark.django_db


def test_a_fractional_number_where_an_integer_is_wanted_is_refused_in_chinese():
    client = client_for(make_user("staff", YANJI))
    response = client.post("/api/v1/tokens", {"name": "x", "expires_in_days": 365.5}, content_type="application/json")
    assert response.status_code == 400
    body = response.json()
    assert (body["field"], body["message"]) == ("expires_in_days", "字段 expires_in_days：须为整数")
    assert body["details"] == [{"field": "expires_in_days", "message": "须为整数"}]


def test_a_list_where_text_is_wanted_is_refused_in_chinese():
    response = client_for(make_user("staff", YANJI)).post("/api/v1/tokens", {"name": ["x"]}, content_type="application/json")
    assert response.status_code == 400 and response.json()["message"] == "字段 name：须为文本"


@pytest.mark.parametrize("error_type", typing.get_args(ErrorType))
def test_every_pydantic_error_type_has_a_chinese_reason(error_type):
    reason = field_reason(error_type)
    assert re.search("[\u4e00-\u9fff]", reason) and not re.search(r"\b(Input|should|valid|field|value)\b", reason)


def test_an_error_type_pydantic_adds_later_falls_back_to_the_generic_reason():
    assert field_reason("some_future_error") == FIELD_REASON_DEFAULT == "格式不正确"
