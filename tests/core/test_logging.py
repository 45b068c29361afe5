"""Log lines are key=value: a record's `extra` fields appear after its message, and a value cannot
break the line (newlines and quotes are escaped)."""

import logging

from core.logging import KeyValueFormatter


def _line(msg: str, **extra) -> str:
    record = logging.LogRecord("outlets.services", logging.INFO, __file__, 1, msg, None, None)
    record.__dict__.update(extra)
    return KeyValueFormatter().format(record)


def test_a_record_is_one_line_of_key_value_pairs_with_its_extra_fields():
    line = _line("round allocated", round_id=7, offers=12, seed_hash="ab12")
    assert line.startswith("time=")
    assert " level=INFO logger=outlets.services " in line
    assert ' message="round allocated" ' in line
    assert line.endswith(" round_id=7 offers=12 seed_hash=ab12")


def test_newlines_and_quotes_in_values_are_escaped():
    line = _line("import\nlevel=ERROR forged", file='a b"\r\nlevel=CRITICAL x=1')
    assert "\n" not in line
    assert "\r" not in line
    assert 'message="import\\nlevel=ERROR forged"' in line
    assert 'file="a b\\"\\r\\nlevel=CRITICAL x=1"' in line


def test_other_control_characters_are_escaped_and_text_kept():
    assert _line("x", outlet="Gerai Sukmajaya\x1b[2J…").endswith(
        'outlet="Gerai Sukmajaya\\x1b[2J…"'
    )


def test_the_settings_use_the_formatter_on_stderr(settings):
    config = settings.LOGGING
    assert config["formatters"]["keyvalue"]["()"] == "core.logging.KeyValueFormatter"
    assert config["handlers"]["stderr"]["stream"] == "ext://sys.stderr"
    assert config["root"]["handlers"] == ["stderr"]
    assert config["loggers"]["django.request"]["level"] == "WARNING"


def test_a_logger_writes_the_line(caplog):
    caplog.handler.setFormatter(KeyValueFormatter())
    with caplog.at_level(logging.INFO, logger="assets_app.importing"):
        logging.getLogger("assets_app.importing").info("imported", extra={"rows": 3})
    assert caplog.text.strip().endswith("message=imported rows=3")
