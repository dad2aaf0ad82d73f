import pytest

from tickets.core.text import (
    clean_text,
    find_id_numbers,
    find_mobiles,
    id_number_is_valid,
    normalise_mobile,
)


def test_full_width_letters_and_digits_become_half_width_but_chinese_punctuation_stays():
    assert clean_text("电话：１３８ＡＢ，谢谢！", max_length=50) == "电话：138AB，谢谢！"


def test_html_is_stripped_and_entities_decoded():
    assert clean_text("<p>井盖<b>缺失</b> &amp; 积水</p><script>x</script>",
                      max_length=50) == "井盖缺失 & 积水x"


def test_control_characters_are_dropped_and_length_is_capped():
    assert clean_text("a\x00b\x07c" + "长" * 20, max_length=5) == "abc长长"


def test_whitespace_is_tidied_but_paragraphs_kept():
    assert clean_text("  第一段  \n\n\n\n  第二段\t\t结束 ", max_length=50,
                      multiline=True) == "第一段\n\n第二段 结束"


@pytest.mark.parametrize(("text", "found"), [
    ("联系电话13812345678。", ["13812345678"]),
    ("手机 138-1234-5678 或 +86 139 0000 1111", ["13812345678", "13900001111"]),
    ("全角１３８１２３４５６７８", ["13812345678"]),
    ("座机 0755-82345678，编号 213812345678901 不是手机", []),
    ("12812345678 不是有效号段", []),
])
def test_mainland_mobiles_are_found(text, found):
    assert find_mobiles(text) == found


def test_a_mobile_is_normalised_or_refused():
    assert normalise_mobile("+86 138-1234-5678") == "13812345678"
    assert normalise_mobile("0755-82345678") is None


def test_id_numbers_need_a_correct_check_digit():
    # 11010519491231002X is the checksum example of GB 11643.
    assert id_number_is_valid("11010519491231002X")
    assert not id_number_is_valid("110105194912310021")
    assert find_id_numbers("身份证 11010519491231002x，另一个 110105194912310021") == [
        "11010519491231002X"]
