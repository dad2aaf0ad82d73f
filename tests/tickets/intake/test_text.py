import pytest

from tickets.core.text import (
    TextRefused,
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


# This asserted the old silent behaviour (control characters dropped, text cut to the limit);
# the hardening issue demands the opposite: text is kept whole or refused with the reason.
@pytest.mark.parametrize("text", ["a\x00b", "a\x07b", "a\x1bb", "a\x85b", "a\ud800b"])
def test_a_control_character_is_refused_not_dropped(text):
    with pytest.raises(TextRefused) as refused:
        clean_text(text, max_length=50)
    assert refused.value.code == "control_character"
    assert f"U+{ord(text[1]):04X}" in refused.value.message


def test_text_longer_than_its_field_is_refused_not_cut():
    with pytest.raises(TextRefused) as refused:
        clean_text("长" * 201, max_length=200, label="标题")
    assert refused.value.code == "too_long"
    assert refused.value.message == "标题最多 200 字，收到 201 字"
    assert clean_text("长" * 200, max_length=200) == "长" * 200


def test_tabs_and_line_breaks_are_whitespace_not_control_characters():
    assert clean_text("第一行\r\n第二行\t完", max_length=50) == "第一行\n第二行 完"
    assert clean_text("第一行\n第二行", max_length=50, multiline=False) == "第一行 第二行"


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
